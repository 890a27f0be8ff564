"""Each outcome is written before the next message goes out, on a database connection of the worker's own.

Just before a message is handed to the SMTP server (before DATA), one transaction writes the outcomes known
so far and marks that row in flight. Whenever the worker dies, the database therefore knows every outcome
but at most that one row's, and that row becomes `unknown` when its lease runs out (never re-queued).
On MySQL/MariaDB the write runs on a thread of its own while the message is built and MAIL/RCPT go out;
on SQLite it runs in place.
"""
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from app.models.base import utcnow
from app.models.mail import MailStatus, OutboxEmail

DB_TROUBLE = (sa.exc.OperationalError, sa.exc.InterfaceError)


@dataclass
class Progress:
    """What one journal write carries: outcomes (sent ids, per-row changes), the row about to go out, and
    the rows still in hand whose lease is pushed back (only those: nothing else the worker ever held)."""

    sent: list[int] = field(default_factory=list)
    updates: list[dict] = field(default_factory=list)
    in_flight: int | None = None
    renew: list[int] = field(default_factory=list)
    lease_until: datetime | None = None


def write_outcomes(connection: sa.Connection, owner: str, sent: list[int], updates: list[dict],
                   now: datetime) -> None:
    """Write outcomes of `owner`'s rows; a row is touched only while `owner` still holds it. A row known to be
    sent is also written when its lease ran out meanwhile (it was made `unknown`, and this worker knows better)."""
    mine = (OutboxEmail.lease_owner == owner, OutboxEmail.status == MailStatus.SENDING)
    if sent:
        connection.execute(
            sa.update(OutboxEmail).where(OutboxEmail.id.in_(sent), OutboxEmail.lease_owner == owner,
                                         OutboxEmail.status.in_([MailStatus.SENDING, MailStatus.UNKNOWN]))
            .values(status=MailStatus.SENT, sent_at=now, lease_owner=None, lease_until=None, last_error=None,
                    in_flight_at=None))
    for values in updates:
        values = dict(values)
        row_id = values.pop("id")
        connection.execute(sa.update(OutboxEmail).where(OutboxEmail.id == row_id, *mine)
                           .values(lease_owner=None, lease_until=None, in_flight_at=None, **values))


class Ticket:
    """A journal write under way; `ok()` waits for it: True when written and the row in flight is still ours."""

    def __init__(self, future: Future | None = None, result: bool | None = None,
                 error: BaseException | None = None):
        self.future, self.result, self.error = future, result, error

    def ok(self) -> bool:
        if self.result is None:
            try:
                self.result = bool(self.future.result())
            except DB_TROUBLE as exc:
                self.result, self.error = False, exc
        return self.result


class Journal:
    """Writes `Progress` for `owner` on its own connection, one transaction each."""

    def __init__(self, owner: str, engine: sa.Engine):
        self.owner, self.engine = owner, engine
        self._connection: sa.Connection | None = None
        threaded = engine.dialect.name in ("mysql", "mariadb")
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="mail-journal") if threaded else None

    def submit(self, progress: Progress) -> Ticket:
        if self._thread is not None:
            return Ticket(self._thread.submit(self.write, progress))
        try:
            return Ticket(result=self.write(progress))
        except DB_TROUBLE as exc:
            return Ticket(result=False, error=exc)

    def write(self, progress: Progress) -> bool:
        """One transaction; False when the row to go out is no longer ours (the outcomes are written all the same)."""
        connection = self._connect()
        marked = True
        try:
            with connection.begin():
                now = utcnow()
                write_outcomes(connection, self.owner, progress.sent, progress.updates, now)
                if progress.renew:
                    connection.execute(
                        sa.update(OutboxEmail).where(OutboxEmail.id.in_(progress.renew),
                                                     OutboxEmail.lease_owner == self.owner,
                                                     OutboxEmail.status == MailStatus.SENDING)
                        .values(lease_until=progress.lease_until))
                if progress.in_flight is not None:
                    marked = connection.execute(
                        sa.update(OutboxEmail).where(OutboxEmail.id == progress.in_flight,
                                                     OutboxEmail.lease_owner == self.owner,
                                                     OutboxEmail.status == MailStatus.SENDING)
                        .values(in_flight_at=now)).rowcount == 1
            return marked
        except DB_TROUBLE:
            self._drop()
            raise

    def _connect(self) -> sa.Connection:
        if self._connection is None:
            self._connection = self.engine.connect()
        return self._connection

    def _drop(self) -> None:
        """Forget a connection that failed (the next write opens a new one)."""
        if self._connection is not None:
            try:
                self._connection.invalidate()
                self._connection.close()
            except Exception:  # noqa: BLE001 - it is gone either way
                pass
            self._connection = None

    def close(self) -> None:
        if self._thread is not None:
            self._thread.shutdown(wait=True)
        if self._connection is not None:
            try:
                self._connection.close()
            except Exception:  # noqa: BLE001 - closing a dead connection
                pass
            self._connection = None
