"""The photo store's start-up check: a store that cannot work is a ConfigError naming the setting."""
import tempfile
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask

from app.config import ConfigError
from app.extensions import db
from app.models.photos import StoredFile, StoredFileChunk
from app.storage import LocalFolderStorage


def _cli_command() -> bool:
    """True while a `flask ...` command other than `run` loads the app: none of them stores photos, and
    `flask db upgrade` is what creates the tables (click has already consumed its arguments at that point, so
    any command but `run` is let through; WSGI servers and `flask run` make the check)."""
    ctx = click.get_current_context(silent=True)
    return ctx is not None and ctx.info_name != "run"


def check_photo_store(app: Flask) -> None:
    """Fail at start-up, naming the setting, when the configured photo store cannot work."""
    if app.config["STORAGE"] is not None:
        return
    if app.config["PHOTO_STORE"] == "s3":
        _set_up_s3(app)
    elif app.config["PHOTO_STORE"] == "database":
        _check_tables(app)
    else:
        _check_folder(app.config["UPLOAD_FOLDER"])


def _check_folder(root: str) -> None:
    try:
        Path(root).mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=root, prefix=".probe-"):
            pass
    except OSError as exc:
        raise ConfigError(f"UPLOAD_FOLDER={root!r} is not a writable folder ({exc.strerror or exc}): photos "
                          "could not be saved. Fix its permissions, or set PHOTO_STORE=database") from None


def _check_tables(app: Flask) -> None:
    if _cli_command():
        return
    with app.app_context():
        try:
            missing = missing_tables()
        except sa.exc.OperationalError:  # the database is away: an outage, not a misconfiguration
            return
        finally:
            db.engine.dispose()
    if missing:
        raise ConfigError(f"PHOTO_STORE=database but the table {missing[0]} is missing: run `flask db upgrade` "
                          "(or set PHOTO_STORE=folder)")


def _set_up_s3(app: Flask) -> None:
    """Make the app's S3 store; outside CLI commands, check that its bucket answers (a missing bucket or refused
    credentials stop the start; an unreachable server is an outage, as for the database). boto3 is imported only
    here (34 MB a process)."""
    from app.storage.s3 import S3Storage, check_bucket, client_from

    if not app.config["S3_BUCKET"]:
        raise ConfigError("PHOTO_STORE=s3 but S3_BUCKET is not set: name an existing bucket (or set "
                          "PHOTO_STORE=folder or database)")
    client = client_from(app.config)
    app.extensions["s3_photo_store"] = S3Storage(client, app.config["S3_BUCKET"],
                                                 fallback=LocalFolderStorage(app.config["UPLOAD_FOLDER"]))
    if _cli_command():
        return
    check_bucket(client, app.config)


def missing_tables() -> list[str]:
    """The database store's tables that the database lacks."""
    tables = set(sa.inspect(db.engine).get_table_names())
    return [t for t in (StoredFile.__tablename__, StoredFileChunk.__tablename__) if t not in tables]
