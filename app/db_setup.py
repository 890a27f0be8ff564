"""Per-connection database settings, PyMySQL loaded without cryptography, and Flask-Migrate set up when needed."""
import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask


def load_pymysql_lazily() -> None:
    """Import PyMySQL without the `cryptography` package it imports at once (about 9 MB a process), which it uses
    only to RSA-encrypt a password for MySQL's sha256_password / caching_sha2_password full authentication over a
    connection without TLS; that case imports cryptography when it happens. A no-op once either is imported."""
    if "pymysql" in sys.modules or "cryptography" in sys.modules:
        return
    sys.modules["cryptography"] = None  # makes pymysql._auth's `from cryptography... import` fail: no RSA yet
    try:
        from pymysql import _auth
    except ImportError:  # PyMySQL not installed (SQLite only)
        return
    finally:
        del sys.modules["cryptography"]
    encrypt = _auth.sha2_rsa_encrypt

    def sha2_rsa_encrypt(password: bytes, salt: bytes, public_key: bytes) -> bytes:
        from cryptography.hazmat.backends import default_backend
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import padding

        _auth.default_backend, _auth.hashes, _auth.serialization, _auth.padding = (
            default_backend, hashes, serialization, padding)
        _auth._have_cryptography = True
        return encrypt(password, salt, public_key)

    _auth.sha2_rsa_encrypt = sha2_rsa_encrypt


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
