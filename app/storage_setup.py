"""The photo store's start-up check (a store that cannot work is a ConfigError naming the setting) and the move
of a folder's photos into the database store (`flask photos move-to-database`)."""
import tempfile
from collections.abc import Callable
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask

from app.config import ConfigError
from app.extensions import db
from app.models.photos import StoredFile, StoredFileChunk
from app.storage import DatabaseStorage, LocalFolderStorage, write_chunks


def move_to_database(folder: LocalFolderStorage, progress: Callable[[str, bool], None]) -> tuple[int, int]:
    """Copy every photo of `folder` missing from the database store, one commit per photo (so a run that stops
    half way is resumed by the next, and a second run copies nothing). Files are kept. (moved, skipped)."""
    store, moved, skipped = DatabaseStorage(), 0, 0
    for key in folder.keys():
        if store.has(key):
            skipped += 1
            progress(key, False)
            continue
        photo = folder.stream(key)  # read a chunk at a time
        write_chunks(key, photo.size, photo.chunks)
        db.session.commit()
        moved += 1
        progress(key, True)
    return moved, skipped


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
    if app.config["PHOTO_STORE"] == "database":
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


def missing_tables() -> list[str]:
    """The database store's tables that the database lacks."""
    tables = set(sa.inspect(db.engine).get_table_names())
    return [t for t in (StoredFile.__tablename__, StoredFileChunk.__tablename__) if t not in tables]
