"""What the admin sees of mail about an issue: which outbox rows an issue caused, and the addresses that
hard-bounced (a permanent 5.1.x refusal at RCPT), to which nothing more is sent."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow

__all__ = ["outbox_issues", "UndeliverableAddress", "AddressChange"]

# An email about issues (an update, a coalesced listing, a digest) is linked to each issue it tells of.
outbox_issues = sa.Table(
    "outbox_issues",
    Base.metadata,
    sa.Column("outbox_id", sa.ForeignKey("outbox.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("issue_id", sa.ForeignKey("issues.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class UndeliverableAddress(Base):
    """An address the SMTP server refused for good. While `cleared_at` is null, mail to it is skipped (an outbox
    row with status `skipped`, counted here); an admin's correction clears it and says who, when and to what."""

    __tablename__ = "undeliverable_addresses"

    address: Mapped[str] = mapped_column(sa.String(254), primary_key=True)  # lower-cased, as accounts store it
    reason: Mapped[str] = mapped_column(sa.String(255))  # the server's reply
    bounced_at: Mapped[datetime] = mapped_column(default=utcnow)
    outbox_id: Mapped[int | None]  # the email that bounced
    skipped: Mapped[int] = mapped_column(default=0)
    last_skipped_at: Mapped[datetime | None]
    cleared_at: Mapped[datetime | None]
    cleared_by: Mapped[str | None] = mapped_column(sa.String(254))

    @property
    def active(self) -> bool:
        return self.cleared_at is None


class AddressChange(Base):
    """An account's address corrected by an admin or developer (after a bounce, typically): who, when, from, to."""

    __tablename__ = "address_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    old_address: Mapped[str] = mapped_column(sa.String(254))
    new_address: Mapped[str] = mapped_column(sa.String(254))
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
