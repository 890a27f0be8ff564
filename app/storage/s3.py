"""PHOTO_STORE=s3: photos as objects in one bucket of an S3-compatible store (AWS S3, MinIO, SeaweedFS, Ceph
RGW), shared by every host. Same interface as app/storage/'s stores; tested against a real SeaweedFS server
(tests/storage/test_s3_store.py).

An object is written whole by one PUT, so a failed write leaves nothing behind. Keys not found in the bucket are
looked for in the local folder, so a host keeps serving photos not yet moved
(`flask photos move --from folder --to s3`).
"""
from collections.abc import Iterator, Mapping
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from app.config import ConfigError
from app.models.photos import CHUNK_BYTES
from app.storage import KEY_RE, LocalFolderStorage, PhotoStream, StorageError, check_key, new_key

MISSING = {"404", "NoSuchKey", "NotFound"}


def client_from(config: Mapping[str, Any]):
    """An S3 client for the S3_* settings (thread-safe: one per app)."""
    return boto3.session.Session().client(
        "s3", endpoint_url=config["S3_ENDPOINT_URL"] or None, region_name=config["S3_REGION"],
        aws_access_key_id=config["S3_ACCESS_KEY_ID"] or None,
        aws_secret_access_key=config["S3_SECRET_ACCESS_KEY"] or None,
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}, connect_timeout=5, read_timeout=30,
                      retries={"max_attempts": 3, "mode": "standard"}))


def error_code(exc: Exception) -> str:
    return str(exc.response.get("Error", {}).get("Code", "")) if isinstance(exc, ClientError) else ""


class S3Storage:
    """Photos as objects named by their key in `bucket`."""

    def __init__(self, client, bucket: str, fallback: LocalFolderStorage | None = None):
        self.client, self.bucket, self.fallback = client, bucket, fallback

    def save(self, data: bytes, suffix: str) -> str:
        key = new_key(suffix)
        self.put(key, PhotoStream.of(data))
        return key

    def put(self, key: str, photo: PhotoStream) -> None:
        """One PUT of the whole photo (read first: an interrupted read writes nothing)."""
        data = b"".join(photo.chunks)
        try:
            self.client.put_object(Bucket=self.bucket, Key=check_key(key), Body=data)
        except (BotoCoreError, ClientError) as exc:
            raise StorageError(f"the photo could not be written to the object store: {exc}") from exc

    def _get(self, key: str):
        """The object's GET response, or None when the bucket has no such key."""
        try:
            return self.client.get_object(Bucket=self.bucket, Key=check_key(key))
        except (BotoCoreError, ClientError) as exc:
            if error_code(exc) in MISSING:
                return None
            raise StorageError(f"the photo could not be read from the object store: {exc}") from exc

    def open(self, key: str) -> bytes:
        return b"".join(self.stream(key).chunks)

    def stream(self, key: str) -> PhotoStream:
        """The size now (FileNotFoundError if unknown) and the body as the response sends it, a chunk at a time."""
        found = self._get(key)
        if found is None:
            if self.fallback is not None:
                return self.fallback.stream(key)
            raise FileNotFoundError(key)
        return PhotoStream(found["ContentLength"], _body_chunks(found["Body"]))

    def delete(self, key: str) -> None:
        """Quiet when the key is already gone (S3 deletes are idempotent)."""
        if not KEY_RE.match(key):
            return
        try:
            self.client.delete_object(Bucket=self.bucket, Key=key)
        except (BotoCoreError, ClientError) as exc:
            raise StorageError(f"the photo could not be deleted from the object store: {exc}") from exc
        if self.fallback is not None:
            self.fallback.delete(key)

    def keys(self) -> Iterator[str]:
        """Every photo key in the bucket (other objects are left alone), in the bucket's order."""
        try:
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
                for item in page.get("Contents", []):
                    if KEY_RE.match(item["Key"]):
                        yield item["Key"]
        except (BotoCoreError, ClientError) as exc:
            raise StorageError(f"the photos could not be listed from the object store: {exc}") from exc

    def has(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=check_key(key))
        except (BotoCoreError, ClientError) as exc:
            if error_code(exc) in MISSING:
                return False
            raise StorageError(f"the object store could not be asked for the photo: {exc}") from exc
        return True


def _body_chunks(body) -> Iterator[bytes]:
    with body:
        yield from body.iter_chunks(CHUNK_BYTES)


def check_bucket(client, config) -> None:
    """A missing bucket or refused credentials are a ConfigError naming the setting; an unreachable server is an
    outage (as for the database) and passes."""
    try:
        client.head_bucket(Bucket=config["S3_BUCKET"])
    except ClientError as exc:
        if error_code(exc) in {"404", "NoSuchBucket", "NotFound"}:
            raise ConfigError(f"S3_BUCKET={config['S3_BUCKET']!r} does not exist at "
                              f"{config['S3_ENDPOINT_URL'] or 'AWS S3'}: create it first") from None
        raise ConfigError(f"S3_BUCKET={config['S3_BUCKET']!r} refused access ({error_code(exc)}): check "
                          "S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY") from None
    except BotoCoreError:
        return
