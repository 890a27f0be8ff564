"""Visits to a student's room: the times the reporter offers, and the one visit booked by staff or an admin."""
import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.accounts import User
from app.models.base import Base, str_enum, utcnow

__all__ = ["DayPart", "VisitSlot", "Visit"]


class DayPart(enum.StrEnum):
    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"
    TIMES = "times"  # a start and end time the student chose

    @property
    def label(self) -> str:
        return {"morning": "Morning", "afternoon": "Afternoon", "evening": "Evening", "times": "Between"}[self.value]


class VisitSlot(Base):
    """A time when staff may come, offered by the reporter (residence wall-clock time, as typed)."""

    __tablename__ = "visit_slots"

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(sa.ForeignKey("issues.id", ondelete="CASCADE"), index=True)
    part: Mapped[DayPart] = mapped_column(str_enum(DayPart))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Visit(Base):
    """The booked visit of an issue (one per issue; rebooking changes it). `notice_key` names the time the
    student was emailed about: booking the same time again sends nothing."""

    __tablename__ = "visits"

    issue_id: Mapped[int] = mapped_column(sa.ForeignKey("issues.id", ondelete="CASCADE"), primary_key=True)
    part: Mapped[DayPart] = mapped_column(str_enum(DayPart))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    booked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    booked_at: Mapped[datetime] = mapped_column(default=utcnow)
    notice_key: Mapped[str] = mapped_column(sa.String(64))

    booked_by: Mapped[User | None] = relationship()
