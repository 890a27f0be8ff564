"""Recording what happened to each claimed row: into the mail journal as the next message starts
(app/emailer/journal.py), into the outbox at the end of a batch and every MAIL_FLUSH_SECONDS within one (or
sooner, when a lease might run out), with the pause and the next claim (state lock first). Nothing is
forgotten until it is written. Which changes are allowed, and who makes them: app/emailer/states.py."""
import random
import time
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

import app.emailer.budget as budget
from app import errorlog
from app.emailer import bounces
from app.emailer.causes import SYSTEM
from app.emailer.claims import Claimed, claim_locked, lease_seconds
from app.emailer.journal import Entry, forget
from app.emailer.outbox import enqueue
from app.emailer.transport import Action, Reply
from app.extensions import db
from app.models.base import utcnow
from app.models.mail import JournalState, MailState, MailStatus, OutboxEmail, Purpose

PAUSE_BASE = {Action.PAUSE_QUOTA: "MAIL_PAUSE_QUOTA_SECONDS", Action.PAUSE_THROTTLE: "MAIL_PAUSE_THROTTLE_SECONDS",
              Action.PAUSE_AUTH: "MAIL_PAUSE_AUTH_SECONDS"}
PAUSE_WHY = {Action.PAUSE_QUOTA: "daily sending limit reached", Action.PAUSE_THROTTLE: "server throttling",
             Action.PAUSE_AUTH: "authentication failed"}


def backoff_seconds(attempts: int, jitter: float | None = None) -> float:
    """Exponential backoff after `attempts` failed attempts, times `jitter` (default: drawn from 0.5 to 1.5)."""
    base = float(current_app.config["MAIL_RETRY_BASE_SECONDS"])
    delay = min(float(current_app.config["MAIL_RETRY_MAX_SECONDS"]), base * 2 ** min(60, max(0, attempts - 1)))
    return delay * (random.uniform(0.5, 1.5) if jitter is None else jitter)


def write_outcomes(connection: sa.Connection, owner: str, sent: list[int], updates: list[dict],
                   now: datetime) -> None:
    """Write outcomes of `owner`'s rows; a row is touched only while `owner` still holds it. A row known to be
    sent is also written when its lease ran out meanwhile (it was made `unknown`, and this worker knows better)."""
    if sent:
        connection.execute(
            sa.update(OutboxEmail).where(OutboxEmail.id.in_(sent), OutboxEmail.lease_owner == owner,
                                         OutboxEmail.status.in_([MailStatus.SENDING, MailStatus.UNKNOWN]))
            .values(status=MailStatus.SENT, sent_at=now, lease_owner=None, lease_until=None, last_error=None))
    mine = (OutboxEmail.lease_owner == owner, OutboxEmail.status == MailStatus.SENDING)
    alike: dict[tuple, list[int]] = {}  # rows given the same values (a batch that failed together) share a statement
    for values in updates:
        change = tuple(sorted((name, value) for name, value in values.items() if name != "id"))
        alike.setdefault(change, []).append(values["id"])
    for change, ids in alike.items():
        connection.execute(sa.update(OutboxEmail).where(OutboxEmail.id.in_(ids), *mine)
                           .values(lease_owner=None, lease_until=None, **dict(change)))


class Recorder:
    """Collects outcomes for `owner`'s rows: journal entries for the next journal write, outbox changes for the
    next flush."""

    def __init__(self, owner: str, leased_at: float):
        """`leased_at`: time.monotonic() taken before the rows in hand were claimed (their lease runs from then)."""
        self.owner = owner
        self.renewed_at = leased_at  # the lease of the rows in hand runs out MAIL_LEASE_SECONDS after this
        self.sent: list[int] = []
        self.updates: list[dict] = []  # per-row changes: {"id": ..., column: value}
        self.bounces: list[bounces.Bounce] = []  # hard bounces: the addresses to mark undeliverable
        self.entries: list[Entry] = []  # for the next journal write
        self.in_journal: set[int] = set()  # rows the journal has seen in flight
        self.lost: set[int] = set()  # rows in hand whose lease another worker took (never sent by us)
        self.pause: tuple[Action, Reply | None, str] | None = None
        self.last_reply: Reply | None = None
        self.totals = {"sent": 0, "failed": 0, "retry": 0, "unknown": 0, "released": 0, "withdrawn": 0}
        self.notes: list[tuple[str, dict]] = []  # for the error logger, once the outcomes are committed
        self.sent_since_flush = 0  # deliveries not yet in the outbox (a pause ends with the first)
        self.jitter = random.uniform(0.5, 1.5)  # of retry delays: one per batch, so rows failing together write as one
        self._last_flush = time.monotonic()

    def reply(self, reply: Reply | None) -> None:
        if reply is not None:
            self.last_reply = reply

    def note(self, message: str, details: dict) -> None:
        """Something for the error logger (never alerting by mail), reported after the next commit."""
        self.notes.append((message, details))

    def known(self) -> list[Entry]:
        """The next journal write: the replies so far."""
        entries, self.entries = self.entries, []
        return entries

    def in_flight(self, row: Claimed) -> list[Entry]:
        """The journal write as `row`'s DATA goes out."""
        self.in_journal.add(row.id)
        return [(row.id, JournalState.FLIGHT)]

    def give_back(self, entries: list[Entry]) -> None:
        """A journal write failed: the replies it carried wait for the outbox write."""
        self.entries[:0] = [entry for entry in entries if entry[1] != JournalState.FLIGHT]

    def mark_sent(self, row: Claimed) -> None:
        self.sent.append(row.id)
        self.entries.append((row.id, JournalState.SENT))
        self.sent_since_flush += 1
        self.totals["sent"] += 1

    def mark_failed(self, row: Claimed, error: str, refund: bool = False) -> None:
        """A permanent failure; `refund` when the server never saw the message."""
        changes = {"charged_at": None} if refund else {}
        self._update(row, "failed", status=MailStatus.FAILED, last_error=error[:2000], **changes)

    def mark_withdrawn(self, row: Claimed, why: str) -> None:
        """Not sent: re-read at send time, it had nothing new to say (app/emailer/fresh.py). Failed with a
        "withdrawn:" reason, as an email cancelled while queued is, and its budget slot refunded."""
        self._update(row, "withdrawn", status=MailStatus.FAILED, last_error=f"withdrawn: {why}"[:2000],
                     charged_at=None)

    def mark_bounced(self, row: Claimed, error: str) -> None:
        """Failed for good because the address does not exist: it is marked undeliverable with the outcomes."""
        self.mark_failed(row, error)
        self.bounces.append((row.id, row.to_address, error))

    def mark_unknown(self, row: Claimed, error: str) -> None:
        """(The journal keeps it in flight: should the worker die now, it is unknown all the same.)"""
        self.updates.append({"id": row.id, "status": MailStatus.UNKNOWN,
                             "last_error": f"connection lost after DATA, delivery unknown: {error}"[:2000]})
        self.totals["unknown"] += 1

    def mark_retry(self, row: Claimed, error: str, refund: bool = False, now: datetime | None = None) -> None:
        """A transient failure: retry later with backoff, or fail once MAIL_MAX_AGE_HOURS have passed since
        the row's first failure."""
        attempts = row.attempts + 1
        now = now or utcnow()
        first_failed_at = row.first_failed_at or now
        max_age = timedelta(hours=float(current_app.config["MAIL_MAX_AGE_HOURS"]))
        if now - first_failed_at >= max_age:
            self._update(row, "failed", status=MailStatus.FAILED, attempts=attempts,
                         last_error=f"gave up after {attempts} attempts: {error}"[:2000])
            return
        changes = {"charged_at": None} if refund else {}
        send_after = now + timedelta(seconds=backoff_seconds(attempts, self.jitter))
        self._update(row, "retry", status=MailStatus.QUEUED, attempts=attempts, last_error=error[:2000],
                     first_failed_at=first_failed_at, send_after=send_after, **changes)

    def release(self, rows: list[Claimed]) -> None:
        """Give rows back untouched: no attempt counted, budget slot refunded."""
        for row in rows:
            if row.id not in self.lost:
                self._update(row, "released", status=MailStatus.QUEUED, charged_at=None)

    def pause_all(self, action: Action, reply: Reply | None, detail: str) -> None:
        self.pause = (action, reply, detail)

    def _update(self, row: Claimed, total: str, **values) -> None:
        """An outcome other than sent or unknown: the server did not take the message (safe to queue again)."""
        self.updates.append({"id": row.id, **values})
        if row.id in self.in_journal:
            self.entries.append((row.id, JournalState.DONE))
        self.totals[total] += 1

    def lease_left(self) -> float:
        """Seconds before the lease of the rows in hand may run out (counted from before the write that set it)."""
        return lease_seconds() - (time.monotonic() - self.renewed_at)

    def maybe_flush(self, in_hand: list[Claimed]) -> None:
        """Before the next message: write to the outbox every MAIL_FLUSH_SECONDS, and whenever the lease might
        run out before that message is out (its MAIL and RCPT may take a MAIL_TIMEOUT each), renewing the lease
        of the rows in hand, and only theirs. Each write holds the mail state lock: every message written at
        once is one lock fewer."""
        due = time.monotonic() - self._last_flush >= float(current_app.config["MAIL_FLUSH_SECONDS"])
        if due or self.lease_left() < 2 * float(current_app.config["MAIL_TIMEOUT"]):
            self.flush(in_hand=in_hand)

    def flush(self, claim_next: int = 0, in_hand: list[Claimed] = ()) -> list[Claimed]:
        """Write the outcomes to the outbox, renew the lease of the rows `in_hand`, pause or resume sending;
        with `claim_next`, claim the next batch in the same transaction (one commit per batch). Raises on
        database trouble, keeping every outcome; the journal entries go in the same commit as the outcomes."""
        started = time.monotonic()  # the new leases run from (a little after) here
        state = budget.begin_locked()
        now = utcnow()
        if self.last_reply is not None:
            state.last_reply, state.last_reply_at = str(self.last_reply), now
        write_outcomes(db.session.connection(), self.owner, self.sent, self.updates, now)
        bounces.record(db.session.connection(), self.bounces, now)
        if in_hand:
            self._renew([row.id for row in in_hand if row.id not in self.lost], now)
        if self.pause is not None:
            self._start_pause(state, now)
        elif self.sent_since_flush and state.paused_since is not None:
            self._resumed(state, now)
            db.session.flush()  # the summary alert goes out with the next batch
        rows = claim_locked(state, self.owner, claim_next)
        if written := [*self.sent, *(values["id"] for values in self.updates)]:
            forget(db.session.connection(), self.owner, written)  # in the same commit as the outcomes
        db.session.commit()
        self.sent, self.updates, self.entries, self.pause, self.sent_since_flush = [], [], [], None, 0
        self.bounces = []
        self._last_flush, self.renewed_at = time.monotonic(), started
        self._report()
        return rows

    def _renew(self, ids: list[int], now: datetime) -> None:
        lease = now + timedelta(seconds=lease_seconds())
        mine = (OutboxEmail.id.in_(ids), OutboxEmail.lease_owner == self.owner,
                OutboxEmail.status == MailStatus.SENDING)
        renewed = db.session.execute(sa.update(OutboxEmail).where(*mine).values(lease_until=lease))
        if renewed.rowcount != len(ids):  # a lease ran out and another worker took the row: not ours to send
            self.lost |= set(ids) - set(db.session.scalars(sa.select(OutboxEmail.id).where(*mine)))

    def _report(self) -> None:
        """Tell the error logger after the commit: it writes in a transaction of its own."""
        for message, details in self.notes:
            errorlog.record("mail.worker", message, details, alert=False)
        self.notes = []

    def _start_pause(self, state: MailState, now: datetime) -> None:
        action, reply, detail = self.pause
        seconds = float(current_app.config[PAUSE_BASE[action]]) * 2 ** state.pause_count
        seconds = min(seconds, float(current_app.config["MAIL_PAUSE_MAX_SECONDS"]))
        state.paused_until = now + timedelta(seconds=seconds)
        state.paused_since = state.paused_since or now
        state.pause_count += 1
        state.paused_reason = f"{PAUSE_WHY[action]}: {reply or detail}"[:255]
        self.note(f"mail sending paused until {state.paused_until:%Y-%m-%d %H:%M} UTC",
                  {"reason": state.paused_reason, "pauses_in_a_row": state.pause_count})

    def _resumed(self, state: MailState, now: datetime) -> None:
        """The first delivery after a pause: queue one summary alert to the developers."""
        still_waiting = db.session.scalar(sa.select(sa.func.count(OutboxEmail.id)).where(
            OutboxEmail.status.in_([MailStatus.QUEUED, MailStatus.SENDING])))
        waited = still_waiting + self.sent_since_flush
        context = {"paused_from": f"{state.paused_since:%Y-%m-%d %H:%M} UTC",
                   "paused_to": f"{(state.paused_until or now):%Y-%m-%d %H:%M} UTC",
                   "resumed_at": f"{now:%Y-%m-%d %H:%M} UTC", "reason": state.paused_reason or "unknown",
                   "pauses": state.pause_count, "waited": waited}
        for address in current_app.config["DEVELOPER_EMAILS"]:
            enqueue("mail_resumed", address, context, purpose=Purpose.ALERT, cause=SYSTEM, logo=False)
        state.paused_since, state.pause_count = None, 0
