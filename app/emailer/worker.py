"""The mail worker: claim a batch, send it over one SMTP connection, record each outcome.

`drain()` delivers what is due now and returns; `run()` loops until `stop` is set (SIGTERM),
finishing the message in hand and giving the rest of the batch back.
"""
import os
import socket
import threading
import uuid

from flask import current_app

from app import errorlog
from app.emailer.claims import Claimed, claim_batch
from app.emailer.outcomes import Recorder
from app.emailer.render import RenderError, build_message
from app.emailer.transport import (
    Action,
    ConnectFailure,
    Connection,
    LostAfterData,
    classify,
)
from app.extensions import db

PAUSES = (Action.PAUSE_QUOTA, Action.PAUSE_THROTTLE, Action.PAUSE_AUTH)


def worker_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Worker:
    def __init__(self, stop: threading.Event | None = None):
        self.owner = worker_id()
        self.stop = stop or threading.Event()
        self.totals = {"sent": 0, "failed": 0, "retry": 0, "unknown": 0, "released": 0}

    def batch_size(self) -> int:
        return int(current_app.config["MAIL_BATCH_SIZE"])

    def deliver(self, rows: list[Claimed]) -> list[Claimed]:
        """Send `rows` over one connection; record the outcomes and claim the next batch in one transaction."""
        recorder = Recorder(self.owner)
        try:
            self._send(rows, recorder)
        except BaseException:
            recorder.flush()
            raise
        finally:
            for key, value in recorder.totals.items():
                self.totals[key] += value
        return recorder.flush(claim_next=0 if self.stop.is_set() else self.batch_size())

    def _send(self, rows: list[Claimed], recorder: Recorder) -> None:
        try:
            connection = Connection(current_app.config).open()
        except ConnectFailure as exc:
            self._connect_failed(rows, recorder, exc)
            return
        with connection:
            for index, row in enumerate(rows):
                if self.stop.is_set():
                    recorder.release(rows[index:])
                    return
                if not self._send_one(connection, row, rows[index + 1:], recorder):
                    return
                if index + 1 < len(rows):  # the last outcomes go with the next claim
                    recorder.maybe_flush()

    def _send_one(self, connection: Connection, row: Claimed, rest: list[Claimed], recorder: Recorder) -> bool:
        """Send `row`; False when the batch must stop (the rest is then given back)."""
        try:
            message = build_message(row)
        except RenderError as exc:
            recorder.mark_failed(row, str(exc), refund=True)
            recorder.note(str(exc), {"outbox_id": row.id})
            return True
        try:
            reply = connection.send(row.to_address, message)
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
        recorder.reply(reply)
        action = classify(reply)
        if action == Action.SENT:
            recorder.mark_sent(row)
        elif action == Action.FAIL:
            recorder.mark_failed(row, str(reply))
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
            for row in rows:
                recorder.mark_retry(row, str(exc), refund=True)
        recorder.note(str(exc), {"batch_size": len(rows)})

    def drain(self) -> dict:
        """Deliver what is due now within the budget, then return the totals."""
        rows = claim_batch(self.owner, self.batch_size())
        while rows:
            rows = self.deliver(rows)
        db.session.remove()
        return self.totals

    def run(self) -> None:
        """Deliver until `stop` is set; survives database and SMTP trouble by waiting and trying again."""
        poll = float(current_app.config["MAIL_POLL_SECONDS"])
        while not self.stop.is_set():
            try:
                rows = claim_batch(self.owner, self.batch_size())
                while rows:
                    rows = self.deliver(rows)
            except Exception as exc:  # noqa: BLE001 - the worker must outlive a bad moment
                db.session.rollback()
                errorlog.record("mail.worker", exc, {"worker": self.owner}, alert=False)
            finally:
                db.session.remove()
            self.stop.wait(poll)
