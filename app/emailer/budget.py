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


def queued_ahead(kind: MailKind) -> int:
    """Queued emails that go before a new email of `kind` (same or higher priority)."""
    return db.session.scalar(
        sa.select(sa.func.count(OutboxEmail.id)).where(
            OutboxEmail.status == MailStatus.QUEUED, OutboxEmail.priority <= PRIORITY[MailKind(kind)])) or 0


def slot_times(count: int, cap: int, charges: list[datetime], start: datetime) -> datetime:
    """When the `count`-th send from `start` on can happen, if at most `cap` may leave per rolling window.

    Send number i (counting the window's `charges` first) may leave once send i - cap is a window old.
    """
    if count <= 0:
        return start
    if cap <= 0:
        return datetime.max
    times = list(charges)
    for _ in range(count):
        i = len(times)
        earliest = times[i - cap] + WINDOW if i >= cap else start
        times.append(max(start, earliest))
    return times[-1]


def estimate_delivery(count: int, kind: MailKind = MailKind.BULK) -> datetime:
    """When the last of `count` emails of `kind` queued now would leave, given the budget, the reserve,
    the pause and the queue ahead of them (naive UTC; the worker's own speed is not counted)."""
    now = utcnow()
    start = paused_until(read_state(), now) or now
    return slot_times(queued_ahead(kind) + count, cap_for(kind), window_charges(now), start)
