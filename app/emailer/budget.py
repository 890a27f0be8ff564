"""The rolling 24-hour send budget, split by purpose, and the shared pause, both kept in the database.

Each purpose has a floor (MAIL_SHARE_<PURPOSE> of MAIL_DAILY_LIMIT) that no other purpose may take; the
slots above all floors are shared by security, alert, urgent and notice mail in that order, never by bulk mail.

Every claim and every outcome write starts by locking the single mail_state row, so budget
checks and pauses are serialised across processes and hosts (lock order: state, then outbox).
"""
import math
from collections import deque
from collections.abc import Iterator
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models.base import utcnow
from app.models.mail import PRIORITY, MailState, MailStatus, OutboxEmail, Purpose

WINDOW = timedelta(hours=24)
STATE_ID = 1


def begin_locked() -> MailState:
    """Start a fresh transaction holding the mail_state row lock; returns the current state."""
    db.session.rollback()  # the app runs at READ COMMITTED on MySQL: reads after the lock see the latest
    for _ in range(3):
        bump = sa.update(MailState).where(MailState.id == STATE_ID).values(claims=MailState.claims + 1,
                                                                           worker_seen_at=utcnow())
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


def floors() -> dict[Purpose, int]:
    """Each purpose's floor: slots of the rolling window that no other purpose may take."""
    config, limit = current_app.config, daily_limit()
    return {purpose: math.floor(limit * float(config[f"MAIL_SHARE_{purpose.name}"])) for purpose in Purpose}


def shared() -> int:
    """Slots above every floor; security, alerts and notices take them in that order, bulk never does."""
    return max(0, daily_limit() - sum(floors().values()))


def cap_for(purpose: Purpose) -> int:
    """The most mail of `purpose` the rolling window can hold: its floor, plus the shared slots (not bulk)."""
    purpose = Purpose(purpose)
    return floors()[purpose] + (0 if purpose == Purpose.BULK else shared())


def room(purpose: Purpose, used_by: dict[Purpose, int]) -> int:
    """How many more emails of `purpose` may leave now, given what each purpose used in the window: never a
    slot of another purpose's unmet floor, and bulk never beyond its own floor."""
    purpose = Purpose(purpose)
    floor = floors()
    others_unmet = sum(max(0, floor[q] - used_by.get(q, 0)) for q in Purpose if q != purpose)
    left = daily_limit() - sum(used_by.values()) - others_unmet
    if purpose == Purpose.BULK:
        left = min(left, floor[purpose] - used_by.get(purpose, 0))
    return max(0, left)


def used_by_purpose(now: datetime | None = None) -> dict[Purpose, int]:
    now = now or utcnow()
    counts = {purpose: 0 for purpose in Purpose}
    rows = db.session.execute(sa.select(OutboxEmail.purpose, sa.func.count(OutboxEmail.id))
                              .where(OutboxEmail.charged_at > now - WINDOW).group_by(OutboxEmail.purpose))
    counts.update({Purpose(purpose): count for purpose, count in rows})
    return counts


def window_charges(now: datetime) -> list[datetime]:
    """When each slot in the current window was taken, oldest first."""
    return list(db.session.scalars(
        sa.select(OutboxEmail.charged_at).where(OutboxEmail.charged_at > now - WINDOW)
        .order_by(OutboxEmail.charged_at)))


def paused_until(state: MailState | None, now: datetime) -> datetime | None:
    if state is not None and state.paused_until is not None and state.paused_until > now:
        return state.paused_until
    return None


def queued_ahead(purpose: Purpose) -> int:
    """Queued emails of purposes that go before `purpose`."""
    return db.session.scalar(sa.select(sa.func.count(OutboxEmail.id)).where(
        OutboxEmail.status == MailStatus.QUEUED, OutboxEmail.priority < PRIORITY[Purpose(purpose)])) or 0


def queue_segments(purpose: Purpose, same_ahead: int, count: int) -> list[tuple[int, int]]:
    """(emails, cap) runs in sending order for `count` new emails of `purpose` behind the queue."""
    return [(queued_ahead(purpose), daily_limit()), (same_ahead + count, cap_for(purpose))]


def departures(segments: list[tuple[int, int]], charges: list[datetime], start: datetime) -> Iterator[datetime]:
    """When each email of `segments` ((emails, cap) runs in sending order) can leave, from `start` on, if each
    may only leave while fewer than its cap left in the past 24 hours: send number i (counting the window's
    `charges` first) waits until send i - cap is a window old. Behind a run with no cap: `datetime.max`."""
    times, stuck = list(charges), False
    for count, cap in segments:
        stuck = stuck or (count > 0 and cap <= 0)
        for _ in range(count):
            if not stuck:
                i = len(times)
                times.append(max(start, times[i - cap] + WINDOW if i >= cap else start))
            yield datetime.max if stuck else times[-1]


def slot_time(segments: list[tuple[int, int]], charges: list[datetime], start: datetime) -> datetime:
    """When the last email of `segments` can leave (`start` when there is none): see `departures`."""
    last = deque(departures(segments, charges, start), maxlen=1)
    return last[0] if last else start


def _delivery_plan(count: int, purpose: Purpose) -> tuple[list[tuple[int, int]], list[datetime], datetime]:
    """The queue runs, window charges and start time that `count` new emails of `purpose` would leave by."""
    now = utcnow()
    start = paused_until(read_state(), now) or now
    same_ahead = db.session.scalar(sa.select(sa.func.count(OutboxEmail.id)).where(
        OutboxEmail.status == MailStatus.QUEUED, OutboxEmail.priority == PRIORITY[Purpose(purpose)])) or 0
    return queue_segments(purpose, same_ahead, count), window_charges(now), start


def estimate_delivery(count: int, purpose: Purpose = Purpose.BULK) -> datetime:
    """When the last of `count` emails of `purpose` queued now would leave, given the budget and its shares,
    the pause and the queue ahead of them (naive UTC; the worker's own speed is not counted)."""
    return slot_time(*_delivery_plan(count, purpose))


def delivery_forecast(count: int, purpose: Purpose, moment: datetime) -> tuple[int, datetime]:
    """Of `count` emails of `purpose` queued now: how many would leave by `moment`, and when the last would leave
    (naive UTC; the last is what `estimate_delivery` says, by the same arithmetic)."""
    segments, charges, start = _delivery_plan(count, purpose)
    times = deque(departures(segments, charges, start), maxlen=max(count, 1))
    return (sum(1 for departure in times if departure <= moment) if count else 0), (times[-1] if times else start)
