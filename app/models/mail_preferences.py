"""What kinds of bulk mail a person has turned off (one-click unsubscribe, RFC 8058)."""
import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, str_enum, utcnow

__all__ = ["MailKind", "MailPreference"]


class MailKind(enum.StrEnum):
    """A kind of bulk mail one can turn off (app/emailer/unsubscribe.py maps templates to kinds)."""

    MOVE_IN_REMINDERS = "move_in_reminders"
    DIGEST = "digest"
    INVITATIONS = "invitations"


class MailPreference(Base):
    """A row means: `user` does not want `kind` of mail. `skipped` counts the emails not sent because of it."""

    __tablename__ = "mail_preferences"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[MailKind] = mapped_column(str_enum(MailKind, length=40), primary_key=True)
    unsubscribed_at: Mapped[datetime] = mapped_column(default=utcnow)
    skipped: Mapped[int] = mapped_column(default=0)
    last_skipped_at: Mapped[datetime | None]
