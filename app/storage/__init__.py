"""Where uploaded photos live: one small interface, three stores chosen by PHOTO_STORE.

    storage = get_storage()
    key = storage.save(data, ".jpg")   # an opaque key, safe to keep in the database; StorageError if not written
    data = storage.open(key)           # bytes; raises FileNotFoundError for an unknown key
    stream = storage.stream(key)       # .size and .chunks (an iterator of bytes): serve without loading it whole
    storage.delete(key)                # quiet when the key is already gone

Every store also has `keys()`, `has(key)` and `put(key, stream)` (the same photo under the same key), which
`flask photos move --from A --to B` (app/storage/move.py) uses to copy photos between any two of them.

- `folder` (the default): `LocalFolderStorage` under UPLOAD_FOLDER (outside static/, so nothing is ever served
  without a view checking who asks). One host only: another host cannot see these files.
- `database`: `DatabaseStorage`, the photos in their own tables (app/models/photos.py) in chunks of 256 KB, so
  every host sharing the database sees every photo and the photos are backed up with it. A photo is written in
  the caller's transaction: it exists once the report (or move-in form) that holds it is committed. Keys not
  found there are looked for in the local folder, so a host keeps serving photos not yet moved
  (`flask photos move --from folder --to database`).
- `s3`: `S3Storage` (app/storage/s3.py), objects in the S3_BUCKET of an S3-compatible store; made and checked at
  start-up (app/storage/setup.py) and kept in `app.extensions["s3_photo_store"]`; falls back to the folder too.

Set `app.config["STORAGE"]` to any object with the same methods (an S3 client wrapper, say) to replace both.
app/storage/setup.py checks the configured store at start-up.
"""
import math
import os
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models.photos import CHUNK_BYTES, StoredFile, StoredFileChunk

KEY_RE = re.compile(r"^[0-9a-f]{32}\.[a-z0-9]{1,5}$")
STORES = ("folder", "database", "s3")


class StorageError(OSError):
    """A photo could not be written (disk full, read-only folder...); nothing of it is left behind."""


@dataclass
class PhotoStream:
    """A stored photo to send: its size in bytes and its content, one chunk at a time."""

    size: int
    chunks: Iterator[bytes]

    @classmethod
    def of(cls, data: bytes) -> "PhotoStream":
        return cls(len(data), (data[i:i + CHUNK_BYTES] for i in range(0, len(data), CHUNK_BYTES)))


class Storage(Protocol):
    def save(self, data: bytes, suffix: str) -> str: ...

    def open(self, key: str) -> bytes: ...

    def stream(self, key: str) -> PhotoStream: ...

    def delete(self, key: str) -> None: ...


class MovableStorage(Storage, Protocol):
    """A store photos can be moved into and out of, keys kept."""

    def keys(self) -> Iterator[str]: ...

    def has(self, key: str) -> bool: ...

    def put(self, key: str, photo: PhotoStream) -> None: ...


def new_key(suffix: str) -> str:
    return f"{secrets.token_hex(16)}.{suffix.lower().lstrip('.')}"


def check_key(key: str) -> str:
    if not KEY_RE.match(key):
        raise FileNotFoundError(f"not a storage key: {key!r}")
    return key


class LocalFolderStorage:
    """Files under one folder, spread over sub-folders by the first two characters of the key."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / check_key(key)

    def save(self, data: bytes, suffix: str) -> str:
        key = new_key(suffix)
        self.put(key, PhotoStream.of(data))
        return key

    def put(self, key: str, photo: PhotoStream) -> None:
        """Write the photo under `key`, whole or not at all (also when the reading of `photo` is interrupted)."""
        path = self._path(key)
        temporary = path.with_name(path.name + ".part")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with temporary.open("wb") as handle:
                for chunk in photo.chunks:
                    handle.write(chunk)
            os.replace(temporary, path)  # readers never see half a file
        except BaseException as exc:
            try:
                temporary.unlink(missing_ok=True)
            except OSError:  # its folder could not be made either
                pass
            if isinstance(exc, OSError) and not isinstance(exc, StorageError):
                raise StorageError(exc.errno, f"the photo could not be written: {exc.strerror or exc}") from exc
            raise

    def has(self, key: str) -> bool:
        return self._path(key).is_file()

    def keys(self) -> Iterator[str]:
        """Every stored key, in order (for moving them to another store)."""
        for path in sorted(self.root.glob("*/*")):
            if KEY_RE.match(path.name) and path.parent.name == path.name[:2]:
                yield path.name

    def open(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def stream(self, key: str) -> PhotoStream:
        handle = self._path(key).open("rb")  # FileNotFoundError now, not once sending has begun
        return PhotoStream(os.fstat(handle.fileno()).st_size, _read_chunks(handle))

    def delete(self, key: str) -> None:
        try:
            self._path(key).unlink()
        except FileNotFoundError:
            pass


def _read_chunks(handle) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(CHUNK_BYTES):
            yield chunk


class DatabaseStorage:
    """Photos in the database (stored_files, stored_file_chunks), written in the caller's transaction."""

    def __init__(self, fallback: LocalFolderStorage | None = None):
        self.fallback = fallback

    def save(self, data: bytes, suffix: str) -> str:
        key = new_key(suffix)
        self.put(key, PhotoStream.of(data))
        return key

    def put(self, key: str, photo: PhotoStream) -> None:
        """Add the photo's rows to the caller's transaction."""
        write_chunks(check_key(key), photo.size, photo.chunks)

    def keys(self) -> Iterator[str]:
        """Every key in the database (not the fallback folder), in order, read a page at a time."""
        last = ""
        while page := db.session.scalars(sa.select(StoredFile.key).where(StoredFile.key > last)
                                         .order_by(StoredFile.key).limit(500)).all():
            yield from page
            last = page[-1]

    def _header(self, key: str):
        return db.session.execute(sa.select(StoredFile.size, StoredFile.chunks)
                                  .where(StoredFile.key == check_key(key))).first()

    def open(self, key: str) -> bytes:
        """The whole photo, read in the session's transaction (so it sees a photo saved but not committed)."""
        if self._header(key) is None:
            if self.fallback is not None:
                return self.fallback.open(key)
            raise FileNotFoundError(key)
        return b"".join(db.session.scalars(sa.select(StoredFileChunk.data).where(StoredFileChunk.key == key)
                                           .order_by(StoredFileChunk.seq)))

    def stream(self, key: str) -> PhotoStream:
        """The photo's size now (FileNotFoundError if unknown) and its first chunk, read with it in the session
        (most photos are one chunk: nothing more to read); any further chunks as the response sends them, read
        over a connection of their own: the generator needs neither the request nor its session."""
        row = db.session.execute(
            sa.select(StoredFile.size, StoredFile.chunks, StoredFileChunk.data)
            .outerjoin(StoredFileChunk, sa.and_(StoredFileChunk.key == StoredFile.key, StoredFileChunk.seq == 0))
            .where(StoredFile.key == check_key(key))).first()
        if row is None:
            if self.fallback is not None:
                return self.fallback.stream(key)
            raise FileNotFoundError(key)
        return PhotoStream(row.size, _chunks_of(db.engine, key, row.chunks, row.data))

    def delete(self, key: str) -> None:
        """Remove the photo and commit (callers delete only after their own commit or rollback)."""
        if not KEY_RE.match(key):
            return
        db.session.execute(sa.delete(StoredFileChunk).where(StoredFileChunk.key == key))
        db.session.execute(sa.delete(StoredFile).where(StoredFile.key == key))
        db.session.commit()
        if self.fallback is not None:
            self.fallback.delete(key)

    def has(self, key: str) -> bool:
        return db.session.scalar(sa.select(sa.func.count()).where(StoredFile.key == key)) > 0


def write_chunks(key: str, size: int, chunks) -> None:
    """Add one photo's rows to the session's transaction, one chunk (one small statement) at a time."""
    count = math.ceil(size / CHUNK_BYTES)
    db.session.execute(sa.insert(StoredFile).values(key=key, size=size, chunks=count))
    written = 0
    for seq, chunk in enumerate(chunks):
        db.session.execute(sa.insert(StoredFileChunk).values(key=key, seq=seq, data=chunk))
        written += len(chunk)
    if written != size:
        raise StorageError(f"{key}: {written} bytes read, {size} expected")


def _chunks_of(engine: sa.Engine, key: str, count: int, first: bytes | None) -> Iterator[bytes]:
    """The chunks of a photo, the `first` already read, each further one by its own query: never more than one
    chunk in memory."""
    if first is None:  # deleted since its size was read
        return
    yield first
    if count < 2:
        return
    with engine.connect() as conn:
        for seq in range(1, count):
            chunk = conn.scalar(sa.select(StoredFileChunk.data)
                                .where(StoredFileChunk.key == key, StoredFileChunk.seq == seq))
            if chunk is None:  # deleted while being sent
                return
            yield chunk


def get_storage() -> Storage:
    """The configured storage (`STORAGE`), or the store PHOTO_STORE names."""
    configured = current_app.config["STORAGE"]
    if configured is not None:
        return configured
    if current_app.config["PHOTO_STORE"] == "s3":
        return current_app.extensions["s3_photo_store"]
    folder = LocalFolderStorage(current_app.config["UPLOAD_FOLDER"])
    if current_app.config["PHOTO_STORE"] == "database":
        return DatabaseStorage(fallback=folder)
    return folder
