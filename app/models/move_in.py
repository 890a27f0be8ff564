"""Move-in forms: each house's checklist and terms, students' forms, photos and reminders."""
import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, str_enum, utcnow

__all__ = [
    "ChecklistItem", "Condition", "FormStatus", "HouseTerm", "MoveInAnswer", "MoveInForm", "MoveInPhoto",
    "MoveInReminder", "ReminderBatch",
]


class Condition(enum.StrEnum):
    GOOD = "good"
    DAMAGED = "damaged"
    MISSING = "missing"


class FormStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class ChecklistItem(Base):
    """One thing in a room a student records the condition of (per house, ordered)."""

    __tablename__ = "move_in_checklist_items"
    __table_args__ = (sa.UniqueConstraint("house_id", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    house_id: Mapped[int] = mapped_column(sa.ForeignKey("houses.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(sa.String(80))
    position: Mapped[int] = mapped_column(default=0)


class HouseTerm(Base):
    """One of a house's terms and conditions; each gets a checkbox the student must tick."""

    __tablename__ = "move_in_terms"

    id: Mapped[int] = mapped_column(primary_key=True)
    house_id: Mapped[int] = mapped_column(sa.ForeignKey("houses.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(sa.String(500))
    position: Mapped[int] = mapped_column(default=0)


class MoveInForm(Base):
    """A student's form for one academic year: a draft until submitted, then read-only."""

    __tablename__ = "move_in_forms"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "academic_year"),
        sa.Index("ix_move_in_forms_house_year", "house_id", "academic_year", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    house_id: Mapped[int] = mapped_column(sa.ForeignKey("houses.id", ondelete="CASCADE"))
    academic_year: Mapped[int]
    room_number: Mapped[str | None] = mapped_column(sa.String(20))
    status: Mapped[FormStatus] = mapped_column(str_enum(FormStatus), default=FormStatus.DRAFT)
    # The term texts the student ticked (a snapshot: admins may reword terms later).
    accepted_terms: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None]

    answers: Mapped[list["MoveInAnswer"]] = relationship(
        back_populates="form", order_by="MoveInAnswer.position", cascade="all, delete-orphan")

    @property
    def is_submitted(self) -> bool:
        return self.status == FormStatus.SUBMITTED


class MoveInAnswer(Base):
    """The condition of one checklist item (its label is copied so later list edits do not change it)."""

    __tablename__ = "move_in_answers"
    __table_args__ = (sa.UniqueConstraint("form_id", "item_label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(sa.ForeignKey("move_in_forms.id", ondelete="CASCADE"))
    item_label: Mapped[str] = mapped_column(sa.String(80))
    position: Mapped[int] = mapped_column(default=0)
    condition: Mapped[Condition | None] = mapped_column(str_enum(Condition))
    comment: Mapped[str] = mapped_column(sa.Text, default="")

    form: Mapped[MoveInForm] = relationship(back_populates="answers")
    photos: Mapped[list["MoveInPhoto"]] = relationship(
        back_populates="answer", order_by="MoveInPhoto.id", cascade="all, delete-orphan")


class MoveInPhoto(Base):
    """A photo attached to an answer; the file lives in app.storage under `key`."""

    __tablename__ = "move_in_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(sa.ForeignKey("move_in_answers.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(sa.String(255))
    mime: Mapped[str] = mapped_column(sa.String(40))
    width: Mapped[int] = mapped_column(default=0)
    height: Mapped[int] = mapped_column(default=0)
    size: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    answer: Mapped[MoveInAnswer] = relationship(back_populates="photos")


class ReminderBatch(Base):
    """One press of the reminder button: the outbox rows it queued share `id` as their batch."""

    __tablename__ = "move_in_reminder_batches"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    house_id: Mapped[int] = mapped_column(sa.ForeignKey("houses.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    academic_year: Mapped[int]
    count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MoveInReminder(Base):
    """One reminder queued for one student (the history, the cooldown and the yearly cap read these)."""

    __tablename__ = "move_in_reminders"
    __table_args__ = (sa.Index("ix_move_in_reminders_user_created", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    batch_id: Mapped[str] = mapped_column(
        sa.ForeignKey("move_in_reminder_batches.id", ondelete="CASCADE"), index=True)
    academic_year: Mapped[int]
    to_address: Mapped[str] = mapped_column(sa.String(254))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
