"""Claiming due outbox rows for one worker, within the budget, under a lease that expires."""
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

import app.emailer.budget as budget
from app import languages
from app.extensions import db
from app.models.base import utcnow
from app.models.mail import PRIORITY, JournalState, MailJournal, MailState, MailStatus, OutboxEmail, Purpose

REQUEUE_EVERY = 10.0  # seconds between looks for expired leases while batches follow each other
JOURNAL_KEEP = timedelta(hours=1)  # journal entries of dead workers are swept this long after their last write


@dataclass(frozen=True)
class Claimed:
    """A claimed row, detached from the session (nothing is held open while SMTP talks)."""

    id: int
    purpose: Purpose
    template: str
    to_address: str
    context: dict[str, Any]
    logo: bool
    attempts: int
    first_failed_at: datetime | None
    created_at: datetime
    language: str | None = None  # the recipient's (app/languages.py); None: DEFAULT_LANGUAGE


def claim_batch(owner: str, size: int) -> list[Claimed]:
    """Claim up to `size` due rows for `owner` in a transaction of its own."""
    state = budget.begin_locked()
    rows = claim_locked(state, owner, size, requeue=True)
    db.session.commit()
    return rows


_next_requeue = 0.0  # monotonic time of this process's next look for expired leases between batches


def claim_locked(state: MailState, owner: str, size: int, requeue: bool = False) -> list[Claimed]:
    """Inside a transaction holding the state lock: claim up to `size` due rows, highest priority first,
    charging each a budget slot within its purpose's room (app/emailer/budget.py). [] while paused."""
    global _next_requeue
    now = utcnow()
    if size <= 0 or budget.paused_until(state, now):
        return []
    if requeue or time.monotonic() >= _next_requeue:
        _requeue_expired(now)
        _sweep_journal(now)
        _next_requeue = time.monotonic() + REQUEUE_EVERY
    used_by = budget.used_by_purpose(now)
    reserved = budget.reserved(state, now, keep=True)  # the forecast, kept on the locked state row a few minutes
    rooms = {purpose: budget.room(purpose, used_by, reserved) for purpose in Purpose}
    open_purposes = [purpose for purpose, left in rooms.items() if left > 0]
    picked = []
    for row in _pick(min(size, sum(rooms.values())), now, open_purposes):  # highest priority first
        purpose = Purpose(row.purpose)
        if budget.room(purpose, used_by, reserved) > 0:
            used_by[purpose] += 1
            picked.append(row)
    return _mark_claimed(picked, owner, now) if picked else []


def _requeue_expired(now: datetime) -> None:
    """Rows whose worker died (lease expired) are settled from the mail journal: sent when the server had
    accepted them, `unknown` when one was in flight (it may have arrived: never sent again blindly), due again
    otherwise. A re-queued row keeps its budget slot until reclaimed; a sent or unknown one keeps it."""
    connection = db.session.connection()
    expired = (OutboxEmail.status == MailStatus.SENDING, OutboxEmail.lease_until < now)
    ids = list(connection.scalars(sa.select(OutboxEmail.id).where(*expired)))
    if not ids:
        return
    journal = {row.outbox_id: (row.state, row.at) for row in connection.execute(
        sa.select(MailJournal.outbox_id, MailJournal.state, MailJournal.at).where(MailJournal.outbox_id.in_(ids)))}
    by_state: dict[JournalState | None, list[int]] = {}
    for outbox_id in ids:
        by_state.setdefault(journal.get(outbox_id, (None, None))[0], []).append(outbox_id)
    for outbox_id in by_state.get(JournalState.SENT, []):
        connection.execute(sa.update(OutboxEmail).where(OutboxEmail.id == outbox_id, *expired).values(
            status=MailStatus.SENT, sent_at=journal[outbox_id][1], lease_owner=None, lease_until=None,
            last_error=None))
    if in_flight := by_state.get(JournalState.FLIGHT):  # lease_owner stays: that worker may yet know better
        connection.execute(sa.update(OutboxEmail).where(OutboxEmail.id.in_(in_flight), *expired).values(
            status=MailStatus.UNKNOWN, lease_until=None,
            last_error="the worker stopped while the message was with the SMTP server: delivery unknown"))
    if unsent := by_state.get(None, []) + by_state.get(JournalState.DONE, []):
        connection.execute(sa.update(OutboxEmail).where(OutboxEmail.id.in_(unsent), *expired).values(
            status=MailStatus.QUEUED, lease_owner=None, lease_until=None))


def _sweep_journal(now: datetime) -> None:
    """Drop journal entries left by dead workers once their rows are settled (an hour on: a live worker writes
    its outcomes every MAIL_FLUSH_SECONDS). The journal is not transactional: only entries that cannot speak
    for a row being sent (it is not `sending`, and the entry is old) ever go, whatever this transaction does."""
    connection = db.session.connection()
    cutoff = now - JOURNAL_KEEP
    old = set(connection.scalars(sa.select(MailJournal.outbox_id).where(MailJournal.at < cutoff).limit(500)))
    if old:
        sending = set(connection.scalars(sa.select(OutboxEmail.id).where(
            OutboxEmail.id.in_(old), OutboxEmail.status == MailStatus.SENDING)))
        if stale := old - sending:
            connection.execute(sa.delete(MailJournal).where(MailJournal.outbox_id.in_(stale),
                                                            MailJournal.at < cutoff))


COLUMNS = (OutboxEmail.id, OutboxEmail.purpose, OutboxEmail.template, OutboxEmail.to_address, OutboxEmail.context,
           OutboxEmail.logo, OutboxEmail.attempts, OutboxEmail.first_failed_at, OutboxEmail.created_at,
           OutboxEmail.priority)


def _pick(limit: int, now: datetime, purposes: list[Purpose]) -> list:
    """Due rows of `purposes` in sending order, locked (others skip them) on MySQL/MariaDB."""
    if limit <= 0 or not purposes:
        return []
    query = (
        sa.select(*COLUMNS)
        .where(OutboxEmail.status == MailStatus.QUEUED, OutboxEmail.send_after <= now,
               OutboxEmail.priority.in_([PRIORITY[purpose] for purpose in purposes]))
        .order_by(OutboxEmail.priority, OutboxEmail.send_after, OutboxEmail.id)
        .limit(limit))
    if db.engine.dialect.name in ("mysql", "mariadb"):
        query = query.with_for_update(skip_locked=True)
    return list(db.session.connection().execute(query))


def _mark_claimed(picked: list, owner: str, now: datetime) -> list[Claimed]:
    """The guarded UPDATE: only rows still queued become ours (SQLite has no SKIP LOCKED)."""
    ids = [row.id for row in picked]
    lease = now + timedelta(seconds=current_app.config["MAIL_LEASE_SECONDS"])
    marked = db.session.connection().execute(
        sa.update(OutboxEmail)
        .where(OutboxEmail.id.in_(ids), OutboxEmail.status == MailStatus.QUEUED)
        .values(status=MailStatus.SENDING, lease_owner=owner, lease_until=lease, charged_at=now,
                last_attempt_at=now))
    if marked.rowcount != len(ids):  # someone else took some: keep only what is ours
        ours = set(db.session.connection().scalars(sa.select(OutboxEmail.id).where(
            OutboxEmail.id.in_(ids), OutboxEmail.lease_owner == owner, OutboxEmail.status == MailStatus.SENDING)))
        picked = [row for row in picked if row.id in ours]
    db.session.connection().execute(  # entries left by an earlier holder must not speak for this claim
        sa.delete(MailJournal).where(MailJournal.outbox_id.in_([row.id for row in picked])))
    spoken = languages.of_recipients(row.to_address for row in picked)  # (a queued row's entries are always stale)
    return [Claimed(*row[:-1], language=spoken.get(row.to_address.strip().lower())) for row in picked]


def lease_seconds() -> float:
    return float(current_app.config["MAIL_LEASE_SECONDS"])
