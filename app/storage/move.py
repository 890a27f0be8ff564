"""`flask photos move --from A --to B`: copy every photo from one store to another, keys kept. Photos already in
the target are skipped, each photo is written whole or not at all (one commit per photo for the database), so a
stopped run is finished by the next and a second run copies nothing. The source is never changed."""
from collections.abc import Iterator, Mapping
from typing import Any

from app.config import ConfigError
from app.extensions import db
from app.storage import DatabaseStorage, LocalFolderStorage, MovableStorage
from app.storage.setup import missing_tables


def open_store(name: str, config: Mapping[str, Any], folder: str | None = None) -> MovableStorage:
    """The store `name` (folder, database or s3) itself, without the folder fallback the app's stores have;
    a ConfigError naming what to fix when it cannot work."""
    if name == "folder":
        return LocalFolderStorage(folder or config["UPLOAD_FOLDER"])
    if name == "database":
        missing = missing_tables()
        if missing:
            raise ConfigError(f"the table {missing[0]} is missing: run `flask db upgrade` first")
        return DatabaseStorage()
    if not config["S3_BUCKET"]:
        raise ConfigError("the s3 store needs S3_BUCKET (and S3_ENDPOINT_URL, S3_ACCESS_KEY_ID, "
                          "S3_SECRET_ACCESS_KEY as needed): set them first")
    from app.storage.s3 import S3Storage, check_bucket, client_from  # boto3 only when asked for

    client = client_from(config)
    check_bucket(client, config)
    return S3Storage(client, config["S3_BUCKET"])


def describe(store: MovableStorage) -> str:
    if isinstance(store, LocalFolderStorage):
        return f"the folder {store.root}"
    if isinstance(store, DatabaseStorage):
        return "the database"
    return f"S3 bucket {store.bucket}"


def move_photos(source: MovableStorage, target: MovableStorage) -> Iterator[tuple[str, bool]]:
    """Copy each photo of `source` missing from `target`; yields (key, copied) per photo of the source."""
    for key in source.keys():
        if target.has(key):
            yield key, False
            continue
        try:
            photo = source.stream(key)
        except FileNotFoundError:  # deleted since it was listed
            continue
        try:
            target.put(key, photo)
            db.session.commit()  # the database store writes in the session's transaction
        except BaseException:
            db.session.rollback()  # nothing of a half-read photo is kept
            raise
        yield key, True
