"""Claiming due outbox rows for one worker, within the budget, under a lease that expires."""
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from app.emailer import budget
from app.emailer.settings import setting
from app.extensions import db
from app.models.base import utcnow
from app.models.mail import PRIORITY, MailKind, MailStatus, OutboxEmail


@dataclass(frozen=True)
class Claimed:
    """A claimed row, detached from the session (nothing is held open while SMTP talks)."""

    id: int
    kind: MailKind
    template: str
    to_address: str
    context: dict[str, Any]
    logo: bool
    attempts: int
    created_at: datetime


def claim_batch(owner: str, size: int) -> list[Claimed]:
    """Claim up to `size` due rows for `owner`, highest priority first, charging each a budget slot.

    Bulk mail only fills the budget up to the reserve. Returns [] while sending is paused.
    """
    state = budget.begin_locked()
    now = utcnow()
    if budget.paused_until(state, now):
        db.session.commit()
        return []
    _requeue_expired(now)
    room = budget.daily_limit() - budget.used(now)
    urgent = _pick(PRIORITY[MailKind.BULK] - 1, min(size, room), now, bulk=False)
    bulk_room = min(size - len(urgent), room - budget.reserve() - len(urgent))
    ids = urgent + _pick(PRIORITY[MailKind.BULK], bulk_room, now, bulk=True)
    rows = _mark_claimed(ids, owner, now) if ids else []
    db.session.commit()
    return rows


def _requeue_expired(now: datetime) -> None:
    """Rows whose worker died (lease expired) are due again; they keep their budget slot until reclaimed."""
    db.session.execute(
        sa.update(OutboxEmail)
        .where(OutboxEmail.status == MailStatus.SENDING, OutboxEmail.lease_until < now)
        .values(status=MailStatus.QUEUED, lease_owner=None, lease_until=None)
        .execution_options(synchronize_session=False))


def _pick(priority: int, limit: int, now: datetime, bulk: bool) -> list[int]:
    if limit <= 0:
        return []
    query = (
        sa.select(OutboxEmail.id)
        .where(OutboxEmail.status == MailStatus.QUEUED, OutboxEmail.send_after <= now,
               OutboxEmail.priority == priority if bulk else OutboxEmail.priority <= priority)
        .order_by(OutboxEmail.priority, OutboxEmail.send_after, OutboxEmail.id)
        .limit(limit))
    if db.engine.dialect.name in ("mysql", "mariadb"):
        query = query.with_for_update(skip_locked=True)
    return list(db.session.scalars(query))


def _mark_claimed(ids: list[int], owner: str, now: datetime) -> list[Claimed]:
    """The guarded UPDATE: only rows still queued become ours (SQLite has no SKIP LOCKED)."""
    lease = now + timedelta(seconds=setting("MAIL_LEASE_SECONDS"))
    db.session.execute(
        sa.update(OutboxEmail)
        .where(OutboxEmail.id.in_(ids), OutboxEmail.status == MailStatus.QUEUED)
        .values(status=MailStatus.SENDING, lease_owner=owner, lease_until=lease, charged_at=now,
                last_attempt_at=now)
        .execution_options(synchronize_session=False))
    rows = db.session.execute(
        sa.select(OutboxEmail.id, OutboxEmail.kind, OutboxEmail.template, OutboxEmail.to_address,
                  OutboxEmail.context, OutboxEmail.logo, OutboxEmail.attempts, OutboxEmail.created_at)
        .where(OutboxEmail.id.in_(ids), OutboxEmail.lease_owner == owner,
               OutboxEmail.status == MailStatus.SENDING)
        .order_by(OutboxEmail.priority, OutboxEmail.send_after, OutboxEmail.id))
    return [Claimed(*row) for row in rows]


def renew_lease(owner: str) -> None:
    """Push back the lease of every row `owner` still holds (called with each outcome flush)."""
    lease = utcnow() + timedelta(seconds=setting("MAIL_LEASE_SECONDS"))
    db.session.execute(
        sa.update(OutboxEmail)
        .where(OutboxEmail.lease_owner == owner, OutboxEmail.status == MailStatus.SENDING)
        .values(lease_until=lease)
        .execution_options(synchronize_session=False))
