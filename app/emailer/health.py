"""Mail figures for /healthz, /dev/mail and the dashboard banner, and a bulk batch's progress."""
from datetime import datetime

import sqlalchemy as sa

import app.emailer.budget as budget
from app.emailer import bounces
from app.extensions import db
from app.models.base import utcnow
from app.models.mail import MailStatus, OutboxEmail, Purpose


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value and value != datetime.max else None


def _counts(column, *where) -> dict[str, int]:
    rows = db.session.execute(sa.select(column, sa.func.count(OutboxEmail.id)).where(*where).group_by(column))
    return {str(key): count for key, count in rows}


def next_send_at(now: datetime, paused: datetime | None, used_by: dict[Purpose, int],
                 reserved: dict[Purpose, int]) -> datetime | None:
    """When the next queued email can leave: its due time, the pause end and its purpose's room allowing."""
    first = db.session.execute(
        sa.select(OutboxEmail.purpose, OutboxEmail.send_after).where(OutboxEmail.status == MailStatus.QUEUED)
        .order_by(OutboxEmail.priority, OutboxEmail.send_after).limit(1)).first()
    if first is None:
        return None
    purpose, due = first
    when = max(now, due, paused or now)
    if budget.room(purpose, used_by, reserved) <= 0:
        cap = budget.cap_in(budget.daily_limit(), purpose, used_by, reserved)
        when = max(when, budget.slot_time([(1, cap)], budget.window_charges(now, purpose), now))
    return when


def budget_by_purpose(used_by: dict[Purpose, int], reserves: dict[Purpose, budget.forecast.Reserve]) -> dict:
    """Per purpose: its reserve and how it was learned, what it used in the last 24 hours, how many more may
    leave now."""
    reserved = {purpose: reserve.slots for purpose, reserve in reserves.items()}
    return {purpose.value: {"reserved": reserves[purpose].slots, "learned": reserves[purpose].learned,
                            "used": used_by[purpose], "left": budget.room(purpose, used_by, reserved)}
            for purpose in Purpose}


def mail_health() -> dict:
    """Queue by purpose and status, budget used and left (in all and per purpose, with each reserve and how it
    was learned), next send time, when the queue clears, pause, the last SMTP reply, and the addresses marked
    undeliverable with the emails skipped for them."""
    now = utcnow()
    state = budget.read_state()
    paused = budget.paused_until(state, now)
    used_by = budget.used_by_purpose(now)
    reserves = budget.reserves(state, now)
    reserved = {purpose: reserve.slots for purpose, reserve in reserves.items()}
    used, limit = sum(used_by.values()), budget.daily_limit()
    queued_by_purpose = {purpose.value: 0 for purpose in Purpose}
    queued_by_purpose.update(_counts(OutboxEmail.purpose, OutboxEmail.status == MailStatus.QUEUED))
    by_status = {status.value: 0 for status in MailStatus}
    by_status.update(_counts(OutboxEmail.status))
    # bulk goes last: when it is through, so is the whole queue (one walk of the window for both figures)
    clears = _clears(Purpose.BULK, now, paused, used_by, reserved) if by_status[MailStatus.QUEUED] else None
    return {
        "queue_depth": by_status[MailStatus.QUEUED],
        "queued_by_purpose": queued_by_purpose,
        "by_status": by_status,
        "budget_limit": limit,
        "budget_used": used,
        "budget_left": max(0, limit - used),
        "budget_reserved": sum(reserved.values()),
        "budget_by_purpose": budget_by_purpose(used_by, reserves),
        "bulk_room": budget.room(Purpose.BULK, used_by, reserved),
        "bulk_clears_at": _iso(clears) if queued_by_purpose["bulk"] else None,
        "next_send_at": _iso(next_send_at(now, paused, used_by, reserved)),
        "queue_clears_at": _iso(clears),
        "paused": paused is not None,
        "paused_until": _iso(paused),
        "paused_reason": state.paused_reason if paused and state else None,
        "last_reply": state.last_reply if state else None,
        "last_reply_at": _iso(state.last_reply_at) if state else None,
        "undeliverable": bounces.figures(),
    }


def _clears(purpose: Purpose, now: datetime, paused: datetime | None, used_by: dict[Purpose, int],
            reserved: dict[Purpose, int]) -> datetime:
    """When the queue of `purpose` and what goes before it is through, at today's rate."""
    same = db.session.scalar(sa.select(sa.func.count(OutboxEmail.id)).where(
        OutboxEmail.status == MailStatus.QUEUED, OutboxEmail.priority == budget.PRIORITY[purpose])) or 0
    segments = budget.queue_segments(purpose, same, 0, used_by, reserved)
    return budget.slot_time(segments, budget.window_charges(now, purpose), paused or now)


def batch_progress(batch: str) -> dict:
    """Where a bulk batch stands: total, queued, sending, sent, failed, unknown, how many wait for the
    budget (or a pause, or a retry time) and when the last is expected to leave (ISO, naive UTC)."""
    counts = {status.value: 0 for status in MailStatus}
    counts.update(_counts(OutboxEmail.status, OutboxEmail.batch == batch))
    now = utcnow()
    paused = budget.paused_until(budget.read_state(), now)
    queued = counts[MailStatus.QUEUED]
    due = db.session.scalar(sa.select(sa.func.count(OutboxEmail.id)).where(
        OutboxEmail.batch == batch, OutboxEmail.status == MailStatus.QUEUED, OutboxEmail.send_after <= now)) or 0
    room = budget.room(Purpose.BULK, budget.used_by_purpose(now), budget.reserved(now=now))
    sendable_now = 0 if paused else min(due, room)
    pending = queued + counts[MailStatus.SENDING]
    last = _last_of_batch(batch, now, paused) if pending else None
    return {"batch": batch, "total": sum(counts.values()), **counts,
            "waiting_for_budget": queued - sendable_now, "estimated_done": _iso(last)}


def _last_of_batch(batch: str, now: datetime, paused: datetime | None) -> datetime:
    """Estimated departure of the batch's last pending email: its place in the queue, run through the budget."""
    last_id = db.session.scalar(sa.select(sa.func.max(OutboxEmail.id)).where(
        OutboxEmail.batch == batch, OutboxEmail.status.in_([MailStatus.QUEUED, MailStatus.SENDING])))
    purpose = db.session.scalar(sa.select(OutboxEmail.purpose).where(OutboxEmail.id == last_id))
    same_ahead = db.session.scalar(sa.select(sa.func.count(OutboxEmail.id)).where(
        OutboxEmail.status == MailStatus.QUEUED, OutboxEmail.priority == budget.PRIORITY[purpose],
        OutboxEmail.id <= last_id))
    segments = budget.queue_segments(purpose, same_ahead, 0)
    return budget.slot_time(segments, budget.window_charges(now, purpose), paused or now)
