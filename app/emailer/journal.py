"""The mail journal: as each message's DATA command goes out, one write records it as in flight together with
the replies to the messages before it (app/models/mail.py, MailJournal); its final dot waits for that write.

Whenever a worker dies, the database thus knows every reply but at most the one to the message in flight,
which becomes `unknown` when its lease runs out (claims.py settles expired rows from here); a message the
worker was still building, or whose MAIL and RCPT were under way, has no entry and goes back to the queue. The
outbox rows themselves are written every MAIL_FLUSH_SECONDS (outcomes.py) and the journal entries are then
dropped. The writes go over a connection of the journal's own, in autocommit mode, from a thread of its own
while DATA and the body go out; on SQLite that connection does not wait for a disk flush (synchronous=NORMAL:
a killed process loses nothing).
"""
from concurrent.futures import Future, ThreadPoolExecutor

import sqlalchemy as sa

from app.models.base import utcnow
from app.models.mail import JournalState, MailJournal

DB_TROUBLE = (sa.exc.OperationalError, sa.exc.InterfaceError)

Entry = tuple[int, JournalState]  # (outbox id, what the journal says about it)
UPSERT_MYSQL = "ON DUPLICATE KEY UPDATE owner = VALUES(owner), state = VALUES(state), at = VALUES(at)"
UPSERT_SQLITE = "ON CONFLICT (outbox_id) DO UPDATE SET owner = excluded.owner, state = excluded.state, at = excluded.at"


class Ticket:
    """A journal write under way: `ok()` waits for it (True: written; False: the database did not answer)."""

    def __init__(self, future: Future | None = None, error: BaseException | None = None):
        self.future, self.error = future, error
        self._ok: bool | None = None if future is not None else error is None

    def ok(self) -> bool:
        if self._ok is None:
            try:
                self.future.result()
                self._ok = True
            except DB_TROUBLE as exc:
                self._ok, self.error = False, exc
        return self._ok


class Journal:
    """Journal writes for worker `owner`: one statement each, visible to every process at once."""

    def __init__(self, owner: str, engine: sa.Engine):
        self.owner, self.engine = owner, engine
        self.sqlite = engine.dialect.name == "sqlite"
        self._connection: sa.Connection | None = None
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="mail-journal")  # the connection lives there

    def submit(self, entries: list[Entry]) -> Ticket:
        """Start writing `entries`."""
        return Ticket(self._thread.submit(self.write, entries))

    def write(self, entries: list[Entry]) -> None:
        """Record `entries` (an upsert per outbox id); raises DB_TROUBLE when the database does not answer.
        Plain SQL: this runs once per message, beside the SMTP conversation."""
        now = utcnow()
        mark = "?" if self.sqlite else "%s"
        rows = ", ".join([f"({mark}, {mark}, {mark}, {mark})"] * len(entries))
        update = UPSERT_SQLITE if self.sqlite else UPSERT_MYSQL
        parameters = tuple(value for outbox_id, state in entries
                           for value in (outbox_id, self.owner, state.value, now))
        try:
            self._connect().exec_driver_sql(f"INSERT INTO mail_journal (outbox_id, owner, state, at) VALUES {rows} "
                                            f"{update}", parameters)
        except DB_TROUBLE:
            self._drop()
            raise

    def _connect(self) -> sa.Connection:
        if self._connection is None:
            connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            if self.sqlite:
                connection.exec_driver_sql("PRAGMA synchronous=NORMAL")
            self._connection = connection
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
        self._thread.submit(self._close)
        self._thread.shutdown(wait=True)

    def _close(self) -> None:
        if self._connection is None:
            return
        if self.sqlite:  # its relaxed pragma must not go back to the pool
            self._drop()
            return
        try:
            self._connection.close()
        except Exception:  # noqa: BLE001 - closing a dead connection
            pass
        self._connection = None


def forget(connection: sa.Connection, owner: str, ids: list[int]) -> None:
    """Drop `owner`'s entries for rows `ids` once their outcomes are in the outbox."""
    connection.execute(sa.delete(MailJournal).where(MailJournal.owner == owner, MailJournal.outbox_id.in_(ids)))
