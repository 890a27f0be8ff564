"""Rolling-window counters shared by every process (app/limits.py): rate limits and per-cause mail caps."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base

__all__ = ["RateCount", "RateLock"]


class RateCount(Base):
    """How often `key` happened in one time bucket, and how often it was refused (app/limits.py)."""

    __tablename__ = "rate_counts"

    key: Mapped[str] = mapped_column(sa.String(190), primary_key=True)
    bucket: Mapped[datetime] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
    refused: Mapped[int] = mapped_column(default=0)


class RateLock(Base):
    """A fixed set of stripe rows whose locks serialise the checks of the keys hashed to them (app/limits.py)."""

    __tablename__ = "rate_locks"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    takes: Mapped[int] = mapped_column(default=0)
