"""The mail journal: as each message's DATA command goes out, one write records it as in flight together with
the replies to the messages before it (app/models/mail.py, MailJournal); its final dot waits for that write.

Whenever a worker dies, the database thus knows every reply but at most the one to the message in flight,
which becomes `unknown` when its lease runs out (claims.py settles expired rows from here); a message the
worker was still building, or whose MAIL and RCPT were under way, has no entry and goes back to the queue. The
outbox rows themselves are written every MAIL_FLUSH_SECONDS (outcomes.py) and the journal entries are then
dropped. The writes go over a connection of the journal's own, in autocommit mode. With PyMySQL a statement is
sent at once and its answer read when the worker next needs it (before the final dot), so the database works
while DATA and the body go out, without a thread (one cost 0.6 ms of CPU a message in GIL hand-overs); other
drivers write at once. On SQLite that connection does not wait for a disk flush (synchronous=NORMAL: a killed
process loses nothing).
"""
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from app.models.base import utcnow
from app.models.mail import JournalState, MailJournal

DB_TROUBLE = (sa.exc.OperationalError, sa.exc.InterfaceError)

Entry = tuple[int, JournalState]  # (outbox id, what the journal says about it)
UPSERT_MYSQL = "ON DUPLICATE KEY UPDATE owner = VALUES(owner), state = VALUES(state), at = VALUES(at)"
UPSERT_SQLITE = "ON CONFLICT (outbox_id) DO UPDATE SET owner = excluded.owner, state = excluded.state, at = excluded.at"


class Ticket:
    """A journal write under way: `ok()` waits for it (True: written; False: the database did not answer)."""

    def __init__(self, journal: "Journal | None" = None, error: BaseException | None = None):
        self.journal, self.error = journal, error
        self._ok: bool | None = None if journal is not None else error is None

    def ok(self) -> bool:
        if self._ok is None:
            try:
                self.journal.answer()
                self._ok = True
            except DB_TROUBLE as exc:
                self._ok, self.error = False, exc
        return self._ok


class Journal:
    """Journal writes for worker `owner`: one statement each, visible to every process once answered; one
    under way at a time."""

    def __init__(self, owner: str, engine: sa.Engine):
        self.owner, self.engine = owner, engine
        self.sqlite = engine.dialect.name == "sqlite"
        self._connection: sa.Connection | None = None
        self._pending: Ticket | None = None  # sent, its answer not read yet
        self._statement = ""  # the last one sent (for error reports)

    def submit(self, entries: list[Entry]) -> Ticket:
        """Start writing `entries` (an upsert per outbox id), once the write before is answered."""
        if self._pending is not None:
            self._pending.ok()
        try:
            pipelined = self._send(entries)
        except DB_TROUBLE as exc:
            return Ticket(error=exc)
        self._pending = Ticket(self) if pipelined else None
        return self._pending or Ticket()

    def _send(self, entries: list[Entry]) -> bool:
        """Send the statement; True when its answer is still to be read (`answer`)."""
        now = utcnow()
        mark = "?" if self.sqlite else "%s"
        rows = ", ".join([f"({mark}, {mark}, {mark}, {mark})"] * len(entries))
        update = UPSERT_SQLITE if self.sqlite else UPSERT_MYSQL
        parameters = tuple(value for outbox_id, state in entries for value in (outbox_id, self.owner, state.value, now))
        statement = f"INSERT INTO mail_journal (outbox_id, owner, state, at) VALUES {rows} {update}"
        with self._answering():
            raw = self._connect().connection.dbapi_connection
            cursor = raw.cursor()
            if not type(raw).__module__.startswith("pymysql."):
                cursor.execute(statement, parameters)
                return False
            from pymysql.constants.COMMAND import COM_QUERY

            self._statement = cursor.mogrify(statement, parameters)
            raw._execute_command(COM_QUERY, self._statement.encode(raw.encoding))  # noqa: SLF001 - see the docstring
            return True

    def answer(self) -> None:
        """Read the answer to the statement under way; raises DB_TROUBLE when the database does not answer."""
        self._pending = None
        with self._answering():
            self._connection.connection.dbapi_connection._read_query_result()  # noqa: SLF001 - query()'s second half

    @contextmanager
    def _answering(self) -> Iterator[None]:
        """Driver errors raised as SQLAlchemy raises them; the connection dropped when the database did not answer."""
        try:
            yield
        except DB_TROUBLE:
            self._drop()
            raise
        except self.engine.dialect.loaded_dbapi.Error as exc:
            error = sa.exc.DBAPIError.instance(self._statement, None, exc, self.engine.dialect.loaded_dbapi.Error,
                                               dialect=self.engine.dialect)
            if isinstance(error, DB_TROUBLE):
                self._drop()
            raise error from exc

    def _connect(self) -> sa.Connection:
        if self._connection is None:
            connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            if self.sqlite:
                connection.exec_driver_sql("PRAGMA synchronous=NORMAL")
            self._connection = connection
        return self._connection

    def _drop(self) -> None:
        """Forget a connection that failed (the next write opens a new one)."""
        self._pending = None
        if self._connection is not None:
            try:
                self._connection.invalidate()
                self._connection.close()
            except Exception:  # noqa: BLE001 - it is gone either way
                pass
            self._connection = None

    def close(self) -> None:
        if self._pending is not None:
            self._pending.ok()
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
