"""Rows whose delivery is `unknown` (the connection dropped after DATA, or the worker died with the message
in flight): a developer sends them again or counts them as sent, one by one, a selection or a whole batch.
Each decision is recorded on the row (what, who, when)."""
import enum
from dataclasses import dataclass

import sqlalchemy as sa

from app.extensions import db
from app.models.base import utcnow
from app.models.mail import MailStatus, OutboxEmail

SHOWN = 200  # unknown rows listed on /dev/mail (oldest first)


class Decision(enum.StrEnum):
    RESEND = "resend"
    MARK_SENT = "mark-sent"


RECORDED = {Decision.RESEND: "resent", Decision.MARK_SENT: "marked sent"}


@dataclass(frozen=True)
class UnknownBatch:
    batch: str
    count: int


def unknown_rows(limit: int = SHOWN) -> list[OutboxEmail]:
    return list(db.session.scalars(sa.select(OutboxEmail).where(OutboxEmail.status == MailStatus.UNKNOWN)
                                   .order_by(OutboxEmail.id).limit(limit)))


def unknown_batches() -> list[UnknownBatch]:
    """Bulk batches with unknown rows, largest first."""
    rows = db.session.execute(
        sa.select(OutboxEmail.batch, sa.func.count(OutboxEmail.id))
        .where(OutboxEmail.status == MailStatus.UNKNOWN, OutboxEmail.batch.is_not(None))
        .group_by(OutboxEmail.batch).order_by(sa.func.count(OutboxEmail.id).desc(), OutboxEmail.batch))
    return [UnknownBatch(batch, count) for batch, count in rows]


def recent_decisions(limit: int = 20) -> list[OutboxEmail]:
    return list(db.session.scalars(sa.select(OutboxEmail).where(OutboxEmail.resolved_at.is_not(None))
                                   .order_by(OutboxEmail.resolved_at.desc(), OutboxEmail.id.desc()).limit(limit)))


def decide(decision: Decision, by: str, ids: list[int] = (), batch: str | None = None) -> int:
    """Apply `decision` to the unknown rows among `ids`, or to every unknown row of `batch`; returns how many
    changed (rows no longer unknown are left alone, so a double submit does nothing twice). Commits."""
    where = [OutboxEmail.status == MailStatus.UNKNOWN]
    if batch is not None:
        where.append(OutboxEmail.batch == batch)
    else:
        where.append(OutboxEmail.id.in_(list(ids)))
    now = utcnow()
    values = {"resolution": RECORDED[decision], "resolved_by": by[:254], "resolved_at": now,
              "lease_owner": None, "lease_until": None}
    if decision == Decision.RESEND:  # charged again when claimed; counted as a new attempt by the worker
        values.update(status=MailStatus.QUEUED, send_after=now)
    else:  # sent_at: the last attempt, the closest known time
        values.update(status=MailStatus.SENT, sent_at=sa.func.coalesce(OutboxEmail.last_attempt_at, now))
    changed = db.session.execute(sa.update(OutboxEmail).where(*where).values(**values)).rowcount
    db.session.commit()
    return changed
