"""The outbox: every email the system will send, kept until it is delivered or fails for good."""
import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, str_enum, utcnow

__all__ = ["MailKind", "MailStatus", "OutboxEmail"]


class MailKind(enum.StrEnum):
    ALERT = "alert"
    TRANSACTIONAL = "transactional"
    BULK = "bulk"


class MailStatus(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    UNKNOWN = "unknown"  # connection lost after DATA: may or may not have arrived


class OutboxEmail(Base):
    __tablename__ = "outbox"
    __table_args__ = (sa.Index("ix_outbox_status_send_after", "status", "send_after"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[MailKind] = mapped_column(str_enum(MailKind), default=MailKind.TRANSACTIONAL)
    status: Mapped[MailStatus] = mapped_column(str_enum(MailStatus), default=MailStatus.QUEUED)
    template: Mapped[str] = mapped_column(sa.String(80))
    to_address: Mapped[str] = mapped_column(sa.String(254))
    context: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    logo: Mapped[bool] = mapped_column(default=True)
    coalesce_key: Mapped[str | None] = mapped_column(sa.String(190), index=True)
    batch: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    send_after: Mapped[datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
