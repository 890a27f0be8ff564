"""Error groups: one row per fingerprint, a capped list of occurrences and hourly counts.

Storage grows with the number of distinct errors, not with the number of events.
"""
import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, str_enum, utcnow

__all__ = ["ErrorAlertDay", "ErrorAlertHold", "ErrorGroup", "ErrorHourlyCount", "ErrorOccurrence", "ErrorStatus"]


class ErrorStatus(enum.StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    MUTED = "muted"


class ErrorGroup(Base):
    __tablename__ = "error_groups"
    __table_args__ = (sa.Index("ix_error_groups_source_status", "source", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fingerprint: Mapped[str] = mapped_column(sa.String(64), unique=True)
    source: Mapped[str] = mapped_column(sa.String(120))
    error_type: Mapped[str | None] = mapped_column(sa.String(120))
    title: Mapped[str] = mapped_column(sa.String(255))
    status: Mapped[ErrorStatus] = mapped_column(str_enum(ErrorStatus), default=ErrorStatus.OPEN)
    count: Mapped[int] = mapped_column(default=0)
    first_seen: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # The first occurrence, kept whatever the cap trims.
    sample_message: Mapped[str] = mapped_column(sa.Text, default="")
    sample_traceback: Mapped[str | None] = mapped_column(sa.Text)
    sample_details: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    # Set by every upsert: true when that occurrence reopened a resolved group.
    regressed: Mapped[bool] = mapped_column(default=False)
    last_alert_at: Mapped[datetime | None]
    status_changed_at: Mapped[datetime | None]


class ErrorOccurrence(Base):
    """One event; only the latest few per group are kept."""

    __tablename__ = "error_occurrences"
    __table_args__ = (sa.Index("ix_error_occurrences_group_id_id", "group_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("error_groups.id", ondelete="CASCADE"))
    reference: Mapped[str] = mapped_column(sa.String(12), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    message: Mapped[str] = mapped_column(sa.Text, default="")
    traceback: Mapped[str | None] = mapped_column(sa.Text)
    details: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)


class ErrorHourlyCount(Base):
    """How many times a group happened in one hour (UTC), for the charts and the spike threshold."""

    __tablename__ = "error_hourly_counts"

    group_id: Mapped[int] = mapped_column(sa.ForeignKey("error_groups.id", ondelete="CASCADE"), primary_key=True)
    hour: Mapped[datetime] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


class ErrorAlertDay(Base):
    """Alerts queued per UTC day, consumed atomically against the daily cap."""

    __tablename__ = "error_alert_days"

    day: Mapped[date] = mapped_column(primary_key=True)
    sent: Mapped[int] = mapped_column(default=0)


class ErrorAlertHold(Base):
    """An alert that was due but held back by a throttle; the next alert summarises these."""

    __tablename__ = "error_alert_holds"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("error_groups.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(sa.String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
