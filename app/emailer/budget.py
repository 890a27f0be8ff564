"""The rolling 24-hour send budget and the shared pause, both kept in the database.

Every claim and every outcome write starts by locking the single mail_state row, so budget
checks and pauses are serialised across processes and hosts (lock order: state, then outbox).
"""
import math
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models.base import utcnow
from app.models.mail import PRIORITY, MailKind, MailState, MailStatus, OutboxEmail

WINDOW = timedelta(hours=24)
STATE_ID = 1


def begin_locked() -> MailState:
    """Start a fresh transaction holding the mail_state row lock; returns the current state."""
    db.session.rollback()
    if db.engine.dialect.name in ("mysql", "mariadb"):
        # Each statement sees what other processes committed while we waited for the lock.
        db.session.connection(execution_options={"isolation_level": "READ COMMITTED"})
    for _ in range(3):
        bump = sa.update(MailState).where(MailState.id == STATE_ID).values(claims=MailState.claims + 1)
        if db.session.execute(bump).rowcount == 1:
            return db.session.execute(
                sa.select(MailState).where(MailState.id == STATE_ID).execution_options(populate_existing=True)
            ).scalar_one()
        try:
            db.session.add(MailState(id=STATE_ID, claims=0, pause_count=0))
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
    raise RuntimeError("could not lock the mail state row")


def read_state() -> MailState | None:
    return db.session.execute(
        sa.select(MailState).where(MailState.id == STATE_ID).execution_options(populate_existing=True)
    ).scalar_one_or_none()


def daily_limit() -> int:
    return int(current_app.config["MAIL_DAILY_LIMIT"])


def reserve() -> int:
    """Slots of the budget that bulk mail never takes (kept for alerts and transactional mail)."""
    return math.ceil(daily_limit() * float(current_app.config["MAIL_RESERVE"]))


def cap_for(kind: MailKind) -> int:
    """How much of the rolling window mail of `kind` may fill."""
    return daily_limit() - reserve() if MailKind(kind) == MailKind.BULK else daily_limit()


def used(now: datetime | None = None) -> int:
    now = now or utcnow()
    return db.session.scalar(
        sa.select(sa.func.count(OutboxEmail.id)).where(OutboxEmail.charged_at > now - WINDOW)) or 0


def window_charges(now: datetime) -> list[datetime]:
    """When each slot in the current window was taken, oldest first."""
    return list(db.session.scalars(
        sa.select(OutboxEmail.charged_at).where(OutboxEmail.charged_at > now - WINDOW)
        .order_by(OutboxEmail.charged_at)))


def paused_until(state: MailState | None, now: datetime) -> datetime | None:
    if state is not None and state.paused_until is not None and state.paused_until > now:
        return state.paused_until
    return None


def queued_urgent() -> int:
    """Queued alert and transactional emails: they go before any bulk email."""
    return db.session.scalar(sa.select(sa.func.count(OutboxEmail.id)).where(
        OutboxEmail.status == MailStatus.QUEUED, OutboxEmail.priority < PRIORITY[MailKind.BULK])) or 0


def queue_segments(kind: MailKind, bulk_ahead: int, count: int) -> list[tuple[int, int]]:
    """(emails, cap) runs in sending order for `count` new emails of `kind` behind the queue."""
    if MailKind(kind) != MailKind.BULK:
        ahead = db.session.scalar(sa.select(sa.func.count(OutboxEmail.id)).where(
            OutboxEmail.status == MailStatus.QUEUED, OutboxEmail.priority <= PRIORITY[MailKind(kind)])) or 0
        return [(ahead + count, daily_limit())]
    return [(queued_urgent(), daily_limit()), (bulk_ahead + count, cap_for(MailKind.BULK))]


def slot_time(segments: list[tuple[int, int]], charges: list[datetime], start: datetime) -> datetime:
    """When the last email of `segments` can leave from `start` on, if each may only leave while fewer than
    its cap left in the past 24 hours: send number i (counting the window's `charges` first) waits until
    send i - cap is a window old."""
    times = list(charges)
    last = start
    for count, cap in segments:
        if count and cap <= 0:
            return datetime.max
        for _ in range(count):
            i = len(times)
            last = max(start, times[i - cap] + WINDOW if i >= cap else start)
            times.append(last)
    return last


def estimate_delivery(count: int, kind: MailKind = MailKind.BULK) -> datetime:
    """When the last of `count` emails of `kind` queued now would leave, given the budget, the reserve,
    the pause and the queue ahead of them (naive UTC; the worker's own speed is not counted)."""
    now = utcnow()
    start = paused_until(read_state(), now) or now
    bulk_ahead = db.session.scalar(sa.select(sa.func.count(OutboxEmail.id)).where(
        OutboxEmail.status == MailStatus.QUEUED, OutboxEmail.priority == PRIORITY[MailKind.BULK])) or 0
    return slot_time(queue_segments(kind, bulk_ahead, count), window_charges(now), start)
