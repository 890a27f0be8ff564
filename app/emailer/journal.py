"""The mail journal: before each message goes out, one write records it as in flight together with the
replies to the messages before it (app/models/mail.py, MailJournal).

Whenever a worker dies, the database thus knows every reply but at most the one to the message in flight,
which becomes `unknown` when its lease runs out (claims.py settles expired rows from here). The outbox rows
themselves are written every MAIL_FLUSH_SECONDS (outcomes.py) and the journal entries are then dropped.
The writes go over a connection of the journal's own, in autocommit mode; on SQLite that connection does
not wait for a disk flush either (synchronous=NORMAL: a killed process loses nothing, a power cut might).
"""
import sqlalchemy as sa
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.models.base import utcnow
from app.models.mail import JournalState, MailJournal

DB_TROUBLE = (sa.exc.OperationalError, sa.exc.InterfaceError)

Entry = tuple[int, JournalState]  # (outbox id, what the journal says about it)


class Journal:
    """Journal writes for worker `owner`: one statement each, visible to every process at once."""

    def __init__(self, owner: str, engine: sa.Engine):
        self.owner, self.engine = owner, engine
        self.sqlite = engine.dialect.name == "sqlite"
        self._connection: sa.Connection | None = None

    def write(self, entries: list[Entry]) -> None:
        """Record `entries` (an upsert per outbox id); raises DB_TROUBLE when the database does not answer."""
        now = utcnow()
        values = [{"outbox_id": outbox_id, "owner": self.owner, "state": state, "at": now}
                  for outbox_id, state in entries]
        try:
            connection = self._connect()
            if self.sqlite:
                insert = sqlite_insert(MailJournal).values(values)
                statement = insert.on_conflict_do_update(index_elements=["outbox_id"], set_={
                    "owner": insert.excluded.owner, "state": insert.excluded.state, "at": insert.excluded.at})
            else:
                insert = mysql_insert(MailJournal).values(values)
                statement = insert.on_duplicate_key_update(owner=insert.inserted.owner, state=insert.inserted.state,
                                                           at=insert.inserted.at)
            connection.execute(statement)
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
