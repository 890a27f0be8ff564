"""Deactivating an account: its sessions end at once, its queued mail is cancelled; it can be reactivated.

Who may deactivate whom: app/auth/permissions.py (may_manage_account).
"""
import sqlalchemy as sa

from app.auth.session import end_sessions
from app.extensions import db
from app.models.accounts import User
from app.models.base import utcnow
from app.models.mail import MailStatus, OutboxEmail

CANCELLED = "account deactivated"


def deactivate(user: User) -> int:
    """Deactivate `user` (the caller commits); returns how many queued emails to their address were cancelled."""
    now = utcnow()
    user.deactivated_at = user.deactivated_at or now
    end_sessions(user.id)
    cancelled = db.session.execute(
        sa.update(OutboxEmail)
        .where(OutboxEmail.to_address == user.email, OutboxEmail.status == MailStatus.QUEUED)
        .values(status=MailStatus.FAILED, last_error=CANCELLED)
        .execution_options(synchronize_session=False))
    return cancelled.rowcount


def reactivate(user: User) -> None:
    """Let `user` log in again (old sessions stay ended; they log in afresh). The caller commits."""
    user.deactivated_at = None
