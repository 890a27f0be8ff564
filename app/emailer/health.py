"""Mail figures for /healthz and /dev/mail."""
import sqlalchemy as sa

from app.extensions import db
from app.models.mail import MailStatus, OutboxEmail


def mail_health() -> dict:
    """Queue depth (emails not yet sent); the emailer issue adds budget and pause state."""
    depth = db.session.scalar(
        sa.select(sa.func.count(OutboxEmail.id)).where(OutboxEmail.status == MailStatus.QUEUED))
    return {"queue_depth": depth}
