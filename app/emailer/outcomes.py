"""Recording what happened to each claimed row: each outcome goes to the database with the next message's
in-flight mark (app/emailer/journal.py); the last ones, the pause and the next claim in one transaction at the
end of a batch (state lock first). Nothing is forgotten until it is written."""
import random
import time
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

import app.emailer.budget as budget
from app import errorlog
from app.emailer.causes import SYSTEM
from app.emailer.claims import Claimed, claim_locked, lease_seconds
from app.emailer.journal import Progress, write_outcomes
from app.emailer.outbox import enqueue
from app.emailer.transport import Action, Reply
from app.extensions import db
from app.models.base import utcnow
from app.models.mail import MailState, MailStatus, OutboxEmail, Purpose

PAUSE_BASE = {Action.PAUSE_QUOTA: "MAIL_PAUSE_QUOTA_SECONDS", Action.PAUSE_THROTTLE: "MAIL_PAUSE_THROTTLE_SECONDS",
              Action.PAUSE_AUTH: "MAIL_PAUSE_AUTH_SECONDS"}
PAUSE_WHY = {Action.PAUSE_QUOTA: "daily sending limit reached", Action.PAUSE_THROTTLE: "server throttling",
             Action.PAUSE_AUTH: "authentication failed"}


def backoff_seconds(attempts: int) -> float:
    """Exponential backoff with jitter (0.5x to 1.5x) after `attempts` failed attempts."""
    base = float(current_app.config["MAIL_RETRY_BASE_SECONDS"])
    delay = min(float(current_app.config["MAIL_RETRY_MAX_SECONDS"]), base * 2 ** min(60, max(0, attempts - 1)))
    return delay * random.uniform(0.5, 1.5)


class Recorder:
    """Collects outcomes for `owner`'s rows and writes them in batches."""

    def __init__(self, owner: str):
        self.owner = owner
        self.sent: list[int] = []
        self.updates: list[dict] = []  # per-row changes: {"id": ..., column: value}
        self.pause: tuple[Action, Reply | None, str] | None = None
        self.last_reply: Reply | None = None
        self.totals = {"sent": 0, "failed": 0, "retry": 0, "unknown": 0, "released": 0}
        self.notes: list[tuple[str, dict]] = []  # for the error logger, once the outcomes are committed
        self._renew_at = time.monotonic() + lease_seconds() / 3  # the batch was claimed just now
        self.sent_since_flush = 0  # deliveries since the last batch-end write (a pause ends with the first)

    def reply(self, reply: Reply | None) -> None:
        if reply is not None:
            self.last_reply = reply

    def note(self, message: str, details: dict) -> None:
        """Something for the error logger (never alerting by mail), reported after the next commit."""
        self.notes.append((message, details))

    def mark_sent(self, row: Claimed) -> None:
        self.sent.append(row.id)
        self.sent_since_flush += 1
        self.totals["sent"] += 1

    def mark_failed(self, row: Claimed, error: str, refund: bool = False) -> None:
        """A permanent failure; `refund` when the server never saw the message."""
        changes = {"charged_at": sa.null()} if refund else {}
        self._update(row, "failed", status=MailStatus.FAILED, last_error=error[:2000], **changes)

    def mark_unknown(self, row: Claimed, error: str) -> None:
        self._update(row, "unknown", status=MailStatus.UNKNOWN,
                     last_error=f"connection lost after DATA, delivery unknown: {error}"[:2000])

    def mark_retry(self, row: Claimed, error: str, refund: bool = False) -> None:
        """A transient failure: retry later with backoff, or fail once MAIL_MAX_AGE_HOURS have passed since
        the row's first failure."""
        attempts = row.attempts + 1
        now = utcnow()
        first_failed_at = row.first_failed_at or now
        max_age = timedelta(hours=float(current_app.config["MAIL_MAX_AGE_HOURS"]))
        if now - first_failed_at >= max_age:
            self._update(row, "failed", status=MailStatus.FAILED, attempts=attempts,
                         last_error=f"gave up after {attempts} attempts: {error}"[:2000])
            return
        changes = {"charged_at": sa.null()} if refund else {}
        self._update(row, "retry", status=MailStatus.QUEUED, attempts=attempts, last_error=error[:2000],
                     first_failed_at=first_failed_at, send_after=now + timedelta(seconds=backoff_seconds(attempts)),
                     **changes)

    def release(self, rows: list[Claimed]) -> None:
        """Give rows back untouched: no attempt counted, budget slot refunded."""
        for row in rows:
            self._update(row, "released", status=MailStatus.QUEUED, charged_at=sa.null())

    def pause_all(self, action: Action, reply: Reply | None, detail: str) -> None:
        self.pause = (action, reply, detail)

    def _update(self, row: Claimed, total: str, **values) -> None:
        self.updates.append({"id": row.id, **values})
        self.totals[total] += 1

    def progress(self, in_flight: Claimed, in_hand: list[Claimed]) -> Progress:
        """Hand the outcomes known so far to a journal write that also marks `in_flight`; the leases of the
        rows `in_hand` (and of those only) are pushed back once a third of the lease has passed."""
        progress = Progress(self.sent, self.updates, in_flight.id)
        self.sent, self.updates = [], []
        if time.monotonic() >= self._renew_at:
            seconds = lease_seconds()
            progress.renew = [row.id for row in in_hand]
            progress.lease_until = utcnow() + timedelta(seconds=seconds)
            self._renew_at = time.monotonic() + seconds / 3
        return progress

    def give_back(self, progress: Progress) -> None:
        """A journal write failed: its outcomes wait for the next write."""
        self.sent[:0], self.updates[:0] = progress.sent, progress.updates

    def flush(self, claim_next: int = 0) -> list[Claimed]:
        """Write the outcomes not yet written, pause or resume sending; with `claim_next`, claim the next batch
        in the same transaction (one commit per batch). Raises on database trouble, keeping every outcome."""
        state = budget.begin_locked()
        now = utcnow()
        if self.last_reply is not None:
            state.last_reply, state.last_reply_at = str(self.last_reply), now
        write_outcomes(db.session.connection(), self.owner, self.sent, self.updates, now)
        if self.pause is not None:
            self._start_pause(state, now)
        elif self.sent_since_flush and state.paused_since is not None:
            self._resumed(state, now)
            db.session.flush()  # the summary alert goes out with the next batch
        rows = claim_locked(state, self.owner, claim_next)
        db.session.commit()
        self.sent, self.updates, self.pause, self.sent_since_flush = [], [], None, 0
        self._report()
        return rows

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
