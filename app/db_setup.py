"""Per-connection database settings, and Flask-Migrate set up when needed."""
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask


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


def init_migrations(app: Flask) -> None:
    """Flask-Migrate for `flask db ...` and `flask_migrate.upgrade()`. Under a `flask` command it is set up at
    once; otherwise on the first read of app.extensions["migrate"], so web workers never import alembic (about
    10 MB a process)."""
    if click.get_current_context(silent=True) is not None:
        _set_up_migrate(app)
    else:
        app.extensions["migrate"] = _MigrateOnFirstUse(app)


def _set_up_migrate(app: Flask):
    from flask_migrate import Migrate

    from app.extensions import db

    Migrate(app, db, directory=str(Path(app.root_path).parent / "migrations"), compare_type=True,
            render_as_batch=True)
    return app.extensions["migrate"]


class _MigrateOnFirstUse:
    """Stands in app.extensions["migrate"] until read; then Flask-Migrate replaces it with its own."""

    def __init__(self, app: Flask):
        self.app = app

    def __getattr__(self, name: str):
        return getattr(_set_up_migrate(self.app), name)
