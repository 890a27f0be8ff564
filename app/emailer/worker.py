"""The mail worker: claim a batch, send it over one SMTP connection, record each outcome.

Each message is recorded in flight in the mail journal, with the replies before it, as its DATA command goes
out and before its final dot (app/emailer/journal.py). When the database stops answering, the batch stops,
what is known stays in memory and is written, with the unsent rows given back to the queue, as soon as the
database answers again (tried with backoff; no restart needed).
`drain()` delivers what is due now and returns (by `deadline`, when given); `run()` loops until `stop` is set
(SIGTERM), finishing the message in hand and giving the rest of the batch back.
"""
import os
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable

from flask import current_app

from app import errorlog
from app.emailer.claims import Claimed, claim_batch
from app.emailer.flight import Flight
from app.emailer.fresh import Withdrawn, refresh
from app.emailer.journal import DB_TROUBLE, Journal
from app.emailer.outcomes import Recorder
from app.emailer.render import RenderError, build_message
from app.emailer.transport import (
    Action,
    ConnectFailure,
    Connection,
    LostAfterData,
    Withheld,
    classify,
)
from app.extensions import db
from app.models.base import utcnow

PAUSES = (Action.PAUSE_QUOTA, Action.PAUSE_THROTTLE, Action.PAUSE_AUTH)
RETRY_FIRST, RETRY_MOST = 0.05, 2.0  # seconds between tries to write outcomes while the database is away


def worker_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Worker:
    def __init__(self, stop: threading.Event | None = None, deadline: float | None = None):
        """`deadline` (time.monotonic()): no message is started after it (`flask mail drain --max-seconds`)."""
        self.owner = worker_id()
        self.stop = stop or threading.Event()
        self.deadline = deadline
        self.totals = {"sent": 0, "failed": 0, "retry": 0, "unknown": 0, "released": 0, "withdrawn": 0}
        self._slowest = 0.0  # the longest one message took, to know whether another fits before the deadline
        self._leased_at = 0.0  # time.monotonic() before the rows in hand were claimed

    def claim(self) -> list[Claimed]:
        self._leased_at = time.monotonic()
        return claim_batch(self.owner, self.batch_size())

    def batch_size(self) -> int:
        return int(current_app.config["MAIL_BATCH_SIZE"])

    def _time_left(self) -> float:
        return float("inf") if self.deadline is None else self.deadline - time.monotonic()

    def _must_stop(self) -> bool:
        """Stop starting messages: SIGTERM, or the next one might not end before the deadline (even if the
        server stalled it for a whole MAIL_TIMEOUT)."""
        if self.stop.is_set():
            return True
        if self.deadline is None:
            return False
        reserve = 2 * self._slowest + float(current_app.config["MAIL_TIMEOUT"]) + 0.5
        return self._time_left() < reserve

    def deliver(self, rows: list[Claimed]) -> list[Claimed]:
        """Send `rows` over one connection; record the outcomes and claim the next batch in one transaction."""
        recorder = Recorder(self.owner, self._leased_at)
        journal = Journal(self.owner, db.engine)
        try:
            self._send(rows, recorder, journal)
        except BaseException:
            try:
                recorder.flush()
            except Exception:  # noqa: BLE001 - the first exception is the one to report
                self._rollback()
            raise
        finally:
            journal.close()
            for key, value in recorder.totals.items():
                self.totals[key] += value
        claim_next = 0 if self._must_stop() else self.batch_size()
        rows = self.settle(lambda: recorder.flush(claim_next=claim_next))
        self._leased_at = recorder.renewed_at
        return rows

    def settle(self, write: Callable[[], list[Claimed]]) -> list[Claimed]:
        """`write()` until the database takes it, waiting longer between tries (at most RETRY_MOST); gives up
        (raises) on SIGTERM or at the deadline. Rows then left `sending` go back to the queue when their lease
        runs out, or become `unknown` if they were in flight: never sent twice."""
        delay, trouble_since = RETRY_FIRST, None
        while True:
            try:
                result = write()
            except DB_TROUBLE as exc:
                self._rollback()
                if trouble_since is None:
                    trouble_since = time.monotonic()
                    print(f"mail worker {self.owner}: database unavailable ({exc.__class__.__name__}), keeping "
                          "the outcomes in memory", file=sys.stderr, flush=True)
                if self.stop.is_set() or self._time_left() <= delay:
                    raise
                self.stop.wait(delay)
                delay = min(RETRY_MOST, delay * 2)
                continue
            if trouble_since is not None:
                waited = round(time.monotonic() - trouble_since, 1)
                print(f"mail worker {self.owner}: database back after {waited} s, outcomes written",
                      file=sys.stderr, flush=True)
                errorlog.record("mail.worker", "database unavailable while recording mail outcomes",
                                {"worker": self.owner, "seconds": waited}, alert=False)
            return result

    @staticmethod
    def _rollback() -> None:
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001 - a dead connection is dropped by the pool
            pass

    def _send(self, rows: list[Claimed], recorder: Recorder, journal: Journal) -> None:
        try:
            connection = Connection(current_app.config).open()
        except ConnectFailure as exc:
            self._connect_failed(rows, recorder, exc)
            return
        with connection:
            for index, row in enumerate(rows):
                if self._must_stop():
                    recorder.release(rows[index:])
                    return
                try:
                    recorder.maybe_flush(in_hand=rows[index:])
                except DB_TROUBLE as exc:  # stop here; the outcomes stay in memory for the batch's last write
                    self._rollback()
                    self._database_gone(rows[index:], recorder, exc)
                    return
                if row.id in recorder.lost:
                    continue
                started = time.monotonic()
                if not self._send_one(connection, row, rows[index + 1:], recorder, journal):
                    return
                self._slowest = max(self._slowest, time.monotonic() - started)

    def _database_gone(self, rest: list[Claimed], recorder: Recorder, exc: Exception) -> None:
        recorder.release(rest)
        recorder.note(f"database unavailable while sending: {exc.__class__.__name__}", {"worker": self.owner})

    def _send_one(self, connection: Connection, row: Claimed, rest: list[Claimed], recorder: Recorder,
                  journal: Journal) -> bool:
        """Send `row`, recorded in flight by the journal before its final dot; False when the batch must stop
        (the rest is then given back). A delayed notice is re-read first (app/emailer/fresh.py)."""
        try:
            row = refresh(row, recorder.note)
        except Withdrawn as exc:  # nothing new to say: never sent, its budget slot refunded
            return recorder.mark_withdrawn(row, str(exc)) or True
        except DB_TROUBLE as exc:
            return self._database_gone([row, *rest], recorder, exc) or False
        flight = Flight(row, recorder, journal)
        try:
            message = build_message(row)
        except RenderError as exc:  # never went out
            recorder.mark_failed(row, str(exc), refund=True)
            recorder.note(str(exc), {"outbox_id": row.id})
            if not flight.written():
                recorder.give_back(flight.entries)
                self._database_gone(rest, recorder, flight.error)
                return False
            return True
        try:
            reply = connection.send(row.to_address, message, flight)
        except Withheld:  # not sent: without the journal entry, or past the lease, it could go out twice
            if not flight.written():
                recorder.give_back(flight.entries)
                self._database_gone([row, *rest], recorder, flight.error)
            else:  # another worker may hold it now; if not, it is due again after a backoff
                recorder.mark_retry(row, "not sent: its lease ran out before the message was complete")
                recorder.release(rest)
            return False
        except LostAfterData as exc:
            recorder.mark_unknown(row, str(exc))
            recorder.note("SMTP connection lost after DATA", {"outbox_id": row.id})
            recorder.release(rest)
            return False
        except OSError as exc:  # includes smtplib errors and timeouts before the body was complete
            recorder.mark_retry(row, f"connection lost: {exc!r}")
            recorder.note(f"SMTP connection lost: {exc!r}", {"outbox_id": row.id})
            recorder.release(rest)
            return False
        if not flight.written():  # refused before the final dot, and the database is away: stop here
            recorder.give_back(flight.entries)
            self._settle_reply(row, reply, recorder)
            self._database_gone(rest, recorder, flight.error)
            return False
        return self._settle_reply(row, reply, recorder, rest)

    def _settle_reply(self, row: Claimed, reply, recorder: Recorder, rest: list[Claimed] = ()) -> bool:
        recorder.reply(reply)
        action = classify(reply)
        if action == Action.SENT:
            recorder.mark_sent(row)
        elif action == Action.FAIL:
            recorder.mark_failed(row, str(reply))
        elif action == Action.BOUNCE:
            recorder.mark_bounced(row, str(reply))
        elif action == Action.RETRY:
            recorder.mark_retry(row, str(reply))
        else:
            recorder.pause_all(action, reply, str(reply))
            recorder.release([row, *rest])
            return False
        return True

    def _connect_failed(self, rows: list[Claimed], recorder: Recorder, exc: ConnectFailure) -> None:
        recorder.reply(exc.reply)
        action = classify(exc.reply) if exc.reply else Action.RETRY
        if action in PAUSES:
            recorder.pause_all(action, exc.reply, str(exc))
            recorder.release(rows)
        else:
            now = utcnow()  # one time for the batch, so its rows are written with one statement
            for row in rows:
                recorder.mark_retry(row, str(exc), refund=True, now=now)
        recorder.note(str(exc), {"batch_size": len(rows)})

    def drain(self) -> dict:
        """Deliver what is due now within the budget (and the deadline), then return the totals."""
        rows = [] if self._must_stop() else self.claim()
        while rows:
            rows = self.deliver(rows)
        db.session.remove()
        return self.totals

    def run(self) -> None:
        """Deliver until `stop` is set; survives database and SMTP trouble by waiting and trying again."""
        poll = float(current_app.config["MAIL_POLL_SECONDS"])
        while not self.stop.is_set():
            try:
                rows = self.claim()
                while rows:
                    rows = self.deliver(rows)
            except Exception as exc:  # noqa: BLE001 - the worker must outlive a bad moment
                self._rollback()
                errorlog.record("mail.worker", exc, {"worker": self.owner}, alert=False)
            finally:
                db.session.remove()
            self.stop.wait(poll)
