"""Mail figures for /healthz, /dev/mail and the dashboard banner, and a bulk batch's progress."""
from datetime import datetime

import sqlalchemy as sa

import app.emailer.budget as budget
from app.extensions import db
from app.models.base import utcnow
from app.models.mail import MailKind, MailStatus, OutboxEmail


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value and value != datetime.max else None


def _counts(column, *where) -> dict[str, int]:
    rows = db.session.execute(sa.select(column, sa.func.count(OutboxEmail.id)).where(*where).group_by(column))
    return {str(key): count for key, count in rows}


def next_send_at(now: datetime, paused: datetime | None, used: int) -> datetime | None:
    """When the next queued email can leave: its due time, the pause end and the budget allowing."""
    first = db.session.execute(
        sa.select(OutboxEmail.kind, OutboxEmail.send_after).where(OutboxEmail.status == MailStatus.QUEUED)
        .order_by(OutboxEmail.priority, OutboxEmail.send_after).limit(1)).first()
    if first is None:
        return None
    kind, due = first
    when = max(now, due, paused or now)
    if used >= budget.cap_for(kind):
        when = max(when, budget.slot_time([(1, budget.cap_for(kind))], budget.window_charges(now), now))
    return when


def mail_health() -> dict:
    """Queue by kind and status, budget used and left, next send time, pause and the last SMTP reply."""
    now = utcnow()
    state = budget.read_state()
    paused = budget.paused_until(state, now)
    used, limit = budget.used(now), budget.daily_limit()
    queued_by_kind = {kind.value: 0 for kind in MailKind}
    queued_by_kind.update(_counts(OutboxEmail.kind, OutboxEmail.status == MailStatus.QUEUED))
    by_status = {status.value: 0 for status in MailStatus}
    by_status.update(_counts(OutboxEmail.status))
    return {
        "queue_depth": by_status[MailStatus.QUEUED],
        "queued_by_kind": queued_by_kind,
        "by_status": by_status,
        "budget_limit": limit,
        "budget_reserve": budget.reserve(),
        "budget_used": used,
        "budget_left": max(0, limit - used),
        "bulk_left": max(0, budget.cap_for(MailKind.BULK) - used),
        "next_send_at": _iso(next_send_at(now, paused, used)),
        "queue_clears_at": _iso(budget.estimate_delivery(0, MailKind.BULK)) if by_status[MailStatus.QUEUED] else None,
        "paused": paused is not None,
        "paused_until": _iso(paused),
        "paused_reason": state.paused_reason if paused and state else None,
        "last_reply": state.last_reply if state else None,
        "last_reply_at": _iso(state.last_reply_at) if state else None,
    }


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
    room = max(0, budget.cap_for(MailKind.BULK) - budget.used(now))
    sendable_now = 0 if paused else min(due, room)
    pending = queued + counts[MailStatus.SENDING]
    last = _last_of_batch(batch, now, paused) if pending else None
    return {"batch": batch, "total": sum(counts.values()), **counts,
            "waiting_for_budget": queued - sendable_now, "estimated_done": _iso(last)}


def _last_of_batch(batch: str, now: datetime, paused: datetime | None) -> datetime:
    """Estimated departure of the batch's last pending email: its place in the queue, run through the budget."""
    last_id = db.session.scalar(sa.select(sa.func.max(OutboxEmail.id)).where(
        OutboxEmail.batch == batch, OutboxEmail.status.in_([MailStatus.QUEUED, MailStatus.SENDING])))
    kind = db.session.scalar(sa.select(OutboxEmail.kind).where(OutboxEmail.id == last_id))
    same_kind_ahead = db.session.scalar(sa.select(sa.func.count(OutboxEmail.id)).where(
        OutboxEmail.status == MailStatus.QUEUED, OutboxEmail.priority == budget.PRIORITY[kind],
        OutboxEmail.id <= last_id))
    if kind == MailKind.BULK:
        segments = budget.queue_segments(kind, same_kind_ahead, 0)
    else:  # rarely a batch of urgent mail: count what goes before it, then itself
        segments = [(budget.queued_urgent(), budget.daily_limit())]
    return budget.slot_time(segments, budget.window_charges(now), paused or now)
