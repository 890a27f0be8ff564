"""The outbox (every email the system will send, kept until delivered or failed for good) and the shared mail state."""
import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, str_enum, utcnow

__all__ = ["Purpose", "MailStatus", "OutboxEmail", "MailState", "MailJournal", "JournalState", "PRIORITY"]


class Purpose(enum.StrEnum):
    """What an email is for; each purpose has its own share of the daily budget (app/emailer/budget.py)."""

    SECURITY = "security"  # set or reset a password, verify an address
    ALERT = "alert"        # developer alerts
    URGENT = "urgent"      # urgent-issue notices: before status mail, with a floor of their own
    NOTICE = "notice"      # issue status, new-issue and comment notices, form copies
    BULK = "bulk"          # reminders, digests, invitations


# Lower goes first. Stored on each row so the claim query can order by an indexed integer.
PRIORITY = {Purpose.SECURITY: 0, Purpose.ALERT: 1, Purpose.URGENT: 2, Purpose.NOTICE: 3, Purpose.BULK: 4}


class MailStatus(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    UNKNOWN = "unknown"  # connection lost after DATA, or the worker died with it in flight: may have arrived
    SKIPPED = "skipped"  # never sent: the address hard-bounced before (app/emailer/bounces.py)


class OutboxEmail(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        sa.Index("ix_outbox_status_send_after", "status", "send_after"),
        sa.Index("ix_outbox_status_priority_send_after", "status", "priority", "send_after"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[Purpose] = mapped_column(str_enum(Purpose), default=Purpose.NOTICE)
    # Who made the system send it: "student:12", "admin:3", "ip:192.0.2.7" (anonymous) or "system".
    cause: Mapped[str] = mapped_column(sa.String(64), default="system")
    priority: Mapped[int] = mapped_column(sa.SmallInteger, default=1)
    status: Mapped[MailStatus] = mapped_column(str_enum(MailStatus), default=MailStatus.QUEUED)
    template: Mapped[str] = mapped_column(sa.String(80))
    to_address: Mapped[str] = mapped_column(sa.String(254))
    context: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    logo: Mapped[bool] = mapped_column(default=True)
    coalesce_key: Mapped[str | None] = mapped_column(sa.String(190), index=True)
    batch: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    # The first transient failure: the row gives up MAIL_MAX_AGE_HOURS after it (time spent waiting for the
    # budget or a pause never counts, so nothing is dropped for being queued long).
    first_failed_at: Mapped[datetime | None]
    send_after: Mapped[datetime] = mapped_column(default=utcnow)
    # A worker's claim: who holds the row and until when (an expired lease is taken up again).
    lease_owner: Mapped[str | None] = mapped_column(sa.String(80))
    lease_until: Mapped[datetime | None]
    # When this row last took a slot of the rolling 24-hour budget (null: it holds none).
    charged_at: Mapped[datetime | None] = mapped_column(index=True)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    last_attempt_at: Mapped[datetime | None]
    # A developer's decision on an `unknown` row (/dev/mail): "resent" or "marked sent", who and when.
    resolution: Mapped[str | None] = mapped_column(sa.String(16))
    resolved_by: Mapped[str | None] = mapped_column(sa.String(254))
    resolved_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<OutboxEmail {self.id} {self.purpose.value} {self.status.value} {self.to_address}>"


class MailState(Base):
    """One row (id 1) shared by every process: the sending pause (circuit breaker) and the last SMTP reply.

    Claims lock this row first, which serialises budget checks across processes and hosts.
    """

    __tablename__ = "mail_state"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    claims: Mapped[int] = mapped_column(default=0)
    paused_until: Mapped[datetime | None]
    paused_since: Mapped[datetime | None]  # start of the current pause episode (until a send succeeds)
    paused_reason: Mapped[str | None] = mapped_column(sa.String(255))
    pause_count: Mapped[int] = mapped_column(default=0)  # consecutive pauses in this episode
    last_reply: Mapped[str | None] = mapped_column(sa.String(255))
    last_reply_at: Mapped[datetime | None]
    worker_seen_at: Mapped[datetime | None]  # the last time a mail worker took the lock (its heartbeat)
    reserves: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)  # the forecast reserves (app/emailer/budget.py)
    reserves_at: Mapped[datetime | None]  # when they were computed: kept a few minutes



class JournalState(enum.StrEnum):
    FLIGHT = "flight"  # handed to the SMTP server (DATA), no reply yet: if the worker dies, delivery is unknown
    SENT = "sent"      # the server accepted it
    DONE = "done"      # the server refused it or never saw it: safe to queue again


class MailJournal(Base):
    """What a mail worker knows between two outcome writes, one row per outbox row it handed to the server.

    Written before every message goes out (DATA) and deleted once the outcomes are in the outbox. A row whose
    lease ran out is settled from here: sent, `unknown` when in flight, queued again otherwise. On MySQL and
    MariaDB the table is MyISAM: each write is visible to every process at once and waits for no log flush
    (it survives a killed worker and a database restart; only a machine crash loses the last writes).
    """

    __tablename__ = "mail_journal"
    __table_args__ = {"mysql_engine": "MyISAM"}

    outbox_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    owner: Mapped[str] = mapped_column(sa.String(80))
    state: Mapped[JournalState] = mapped_column(str_enum(JournalState))
    at: Mapped[datetime] = mapped_column(default=utcnow)
