"""The rolling 24-hour send budget, split by purpose, and the shared pause, both kept in the database.

Each purpose above bulk reserves what it is forecast to need in the coming 24 hours (app/emailer/forecast.py:
learned from its own history, never more than its configured share MAIL_SHARE_<PURPOSE>); no other purpose may
take the unused part of a reserve. Everything else is shared: purposes above bulk take it first (in priority
order, at claim time), and bulk mail may use all of it, so a quiet day's budget goes to reminders and
invitations. The window never holds more than MAIL_DAILY_LIMIT.

Every claim and every outcome write starts by locking the single mail_state row, so budget
checks and pauses are serialised across processes and hosts (lock order: state, then outbox).
"""
from collections import deque
from collections.abc import Iterator
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.emailer import forecast
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


def reserves(state: MailState | None = None, now: datetime | None = None,
             keep: bool = False) -> dict[Purpose, forecast.Reserve]:
    """Each purpose's reserve and how it was learned (bulk: none). `keep` stores a fresh forecast on `state`,
    whose lock the caller holds."""
    return forecast.reserves(state if state is not None else read_state(), now or utcnow(), keep)


def reserved(state: MailState | None = None, now: datetime | None = None, keep: bool = False) -> dict[Purpose, int]:
    """Each purpose's reserve in slots of the window (bulk: 0)."""
    return {purpose: reserve.slots for purpose, reserve in reserves(state, now, keep).items()}


def room_in(limit: int, purpose: Purpose, used_by: dict[Purpose, int], reserved_by: dict[Purpose, int]) -> int:
    """How many more emails of `purpose` may leave now: the window's free slots less the unused part of every
    other purpose's reserve. Bulk reserves nothing, so a purpose above bulk may take any slot bulk has not used."""
    purpose = Purpose(purpose)
    others_unmet = sum(max(0, reserved_by.get(q, 0) - used_by.get(q, 0)) for q in Purpose if q != purpose)
    return max(0, limit - sum(used_by.values()) - others_unmet)


def room(purpose: Purpose, used_by: dict[Purpose, int], reserved_by: dict[Purpose, int] | None = None) -> int:
    """`room_in` on the configured limit and the current reserves (pass `reserved_by` when asking repeatedly)."""
    return room_in(daily_limit(), purpose, used_by, reserved_by if reserved_by is not None else reserved())


def cap_in(limit: int, purpose: Purpose, used_by: dict[Purpose, int], reserved_by: dict[Purpose, int]) -> int:
    """The most mail of `purpose` the window can hold while every other purpose keeps its reserve (or what it has
    used, when more): what estimates run the queue through."""
    purpose = Purpose(purpose)
    return max(0, limit - sum(max(reserved_by.get(q, 0), used_by.get(q, 0)) for q in Purpose if q != purpose))


def used_by_purpose(now: datetime | None = None) -> dict[Purpose, int]:
    now = now or utcnow()
    counts = {purpose: 0 for purpose in Purpose}
    rows = db.session.execute(sa.select(OutboxEmail.purpose, sa.func.count(OutboxEmail.id))
                              .where(OutboxEmail.charged_at > now - WINDOW).group_by(OutboxEmail.purpose))
    counts.update({Purpose(purpose): count for purpose, count in rows})
    return counts


def window_charges(now: datetime, purpose: Purpose) -> list[datetime]:
    """When each slot of `purpose` in the current window was taken, oldest first."""
    return list(db.session.scalars(
        sa.select(OutboxEmail.charged_at).where(OutboxEmail.charged_at > now - WINDOW,
                                                OutboxEmail.purpose == Purpose(purpose))
        .order_by(OutboxEmail.charged_at)))


def paused_until(state: MailState | None, now: datetime) -> datetime | None:
    if state is not None and state.paused_until is not None and state.paused_until > now:
        return state.paused_until
    return None


def queued_by_purpose() -> dict[Purpose, int]:
    counts = {purpose: 0 for purpose in Purpose}
    counts.update({Purpose(purpose): count for purpose, count in db.session.execute(
        sa.select(OutboxEmail.purpose, sa.func.count(OutboxEmail.id))
        .where(OutboxEmail.status == MailStatus.QUEUED).group_by(OutboxEmail.purpose))})
    return counts


def queue_segments(purpose: Purpose, same_ahead: int, count: int, used_by: dict[Purpose, int] | None = None,
                   reserved_by: dict[Purpose, int] | None = None) -> list[tuple[int, int]]:
    """(emails, cap) runs in sending order for `count` new emails of `purpose` behind `same_ahead` of its own:
    the queued mail of purposes before it that its reserve cannot hold draws on the same slots first."""
    purpose = Purpose(purpose)
    used_by = used_by if used_by is not None else used_by_purpose()
    reserved_by = reserved_by if reserved_by is not None else reserved()
    queued = queued_by_purpose()
    ahead = sum(max(0, queued[q] - max(0, reserved_by[q] - used_by[q]))
                for q in Purpose if PRIORITY[q] < PRIORITY[purpose])
    return [(ahead + same_ahead + count, cap_in(daily_limit(), purpose, used_by, reserved_by))]


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
    state = read_state()
    start = paused_until(state, now) or now
    same_ahead = db.session.scalar(sa.select(sa.func.count(OutboxEmail.id)).where(
        OutboxEmail.status == MailStatus.QUEUED, OutboxEmail.priority == PRIORITY[Purpose(purpose)])) or 0
    segments = queue_segments(purpose, same_ahead, count, reserved_by=reserved(state, now))
    return segments, window_charges(now, purpose), start


def estimate_delivery(count: int, purpose: Purpose = Purpose.BULK) -> datetime:
    """When the last of `count` emails of `purpose` queued now would leave, given the budget and its reserves,
    the pause and the queue ahead of them (naive UTC; the worker's own speed is not counted)."""
    return slot_time(*_delivery_plan(count, purpose))


def delivery_forecast(count: int, purpose: Purpose, moment: datetime) -> tuple[int, datetime]:
    """Of `count` emails of `purpose` queued now: how many would leave by `moment`, and when the last would leave
    (naive UTC; the last is what `estimate_delivery` says, by the same arithmetic)."""
    segments, charges, start = _delivery_plan(count, purpose)
    times = deque(departures(segments, charges, start), maxlen=max(count, 1))
    return (sum(1 for departure in times if departure <= moment) if count else 0), (times[-1] if times else start)
