"""Photos kept in the database (PHOTO_STORE=database): one row per photo, its bytes in chunks of their own.

Chunks stay well under MySQL's max_allowed_packet, and a photo is read back one chunk at a time.
"""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow

__all__ = ["CHUNK_BYTES", "ChunkBytes", "StoredFile", "StoredFileChunk"]

CHUNK_BYTES = 256 * 1024
# MySQL's BLOB holds 64 KB; MEDIUMBLOB 16 MB (one chunk is 256 KB).
ChunkBytes = sa.LargeBinary().with_variant(mysql.MEDIUMBLOB(), "mysql", "mariadb")


class StoredFile(Base):
    """One stored photo: its key (the same key the folder store uses), size and number of chunks."""

    __tablename__ = "stored_files"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    size: Mapped[int]
    chunks: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StoredFileChunk(Base):
    __tablename__ = "stored_file_chunks"

    key: Mapped[str] = mapped_column(sa.ForeignKey("stored_files.key", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(ChunkBytes)
