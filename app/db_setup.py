"""Per-connection database settings."""
import sqlalchemy as sa


def configure_engine(engine: sa.Engine) -> None:
    """SQLite: enforce foreign keys, use WAL so readers never block the writer."""
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()
