"""Where uploaded files live: one small interface so an object store can replace the local folder.

    storage = get_storage()
    key = storage.save(data, ".jpg")   # an opaque key, safe to keep in the database
    data = storage.open(key)           # bytes; raises FileNotFoundError for an unknown key
    storage.delete(key)                # quiet when the key is already gone

The default is `LocalFolderStorage` under `current_app.config["UPLOAD_FOLDER"]` (outside static/, so
nothing is ever served without a view checking who asks). Set `app.config["STORAGE"]` to any object with the
same three methods (an S3 client wrapper, say) to replace it.
"""
import os
import re
import secrets
from pathlib import Path
from typing import Protocol

from flask import current_app

KEY_RE = re.compile(r"^[0-9a-f]{32}\.[a-z0-9]{1,5}$")


class Storage(Protocol):
    def save(self, data: bytes, suffix: str) -> str: ...

    def open(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None: ...


class LocalFolderStorage:
    """Files under one folder, spread over sub-folders by the first two characters of the key."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not KEY_RE.match(key):
            raise FileNotFoundError(f"not a storage key: {key!r}")
        return self.root / key[:2] / key

    def save(self, data: bytes, suffix: str) -> str:
        suffix = suffix.lower().lstrip(".")
        key = f"{secrets.token_hex(16)}.{suffix}"
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".part")
        temporary.write_bytes(data)
        os.replace(temporary, path)  # readers never see half a file
        return key

    def open(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def delete(self, key: str) -> None:
        try:
            self._path(key).unlink()
        except FileNotFoundError:
            pass


def get_storage() -> Storage:
    """The configured storage (`STORAGE`), or the local upload folder."""
    configured = current_app.config["STORAGE"]
    if configured is not None:
        return configured
    return LocalFolderStorage(current_app.config["UPLOAD_FOLDER"])
