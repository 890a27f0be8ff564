"""Maintenance issues, their photos, timeline, subscribers and the admins' notification choice."""
import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.accounts import User
from app.models.base import Base, str_enum, utcnow
from app.models.houses import CommonArea, House, Room

__all__ = [
    "Category", "Urgency", "IssueStatus", "HoldReason", "OPEN_STATUSES", "EventKind", "NewIssueMail",
    "Issue", "IssuePhoto", "IssueEvent", "IssueSubscription", "AdminMailPreference", "ResponseTarget",
    "IssueWeek",
]


class Category(enum.StrEnum):
    PLUMBING = "plumbing"
    ELECTRICAL = "electrical"
    DOORS_LOCKS = "doors_locks"
    FURNITURE = "furniture"
    INTERNET = "internet"
    APPLIANCES = "appliances"
    PEST_CONTROL = "pest_control"
    CLEANING = "cleaning"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"doors_locks": "Doors & locks", "pest_control": "Pest control"}.get(
            self.value, self.value.replace("_", " ").capitalize())


class Urgency(enum.StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"


class IssueStatus(enum.StrEnum):
    REPORTED = "reported"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    WONT_FIX = "wont_fix"
    ON_HOLD = "on_hold"  # paused: waiting for parts, a contractor or access (Issue.hold_reason says which)

    @property
    def label(self) -> str:
        return {"reported": "Reported", "in_progress": "In progress", "resolved": "Resolved",
                "wont_fix": "Won't fix", "on_hold": "On hold"}[self.value]

    @property
    def is_open(self) -> bool:
        return self in OPEN_STATUSES


OPEN_STATUSES = (IssueStatus.REPORTED, IssueStatus.IN_PROGRESS, IssueStatus.ON_HOLD)


class HoldReason(enum.StrEnum):
    PARTS = "parts"
    CONTRACTOR = "contractor"
    ACCESS = "access"

    @property
    def label(self) -> str:
        return {"parts": "Waiting for parts", "contractor": "Waiting for a contractor",
                "access": "Waiting for access to the room"}[self.value]

    @classmethod
    def parts(cls, text: str | None) -> tuple["HoldReason | None", str]:
        """The reason and details a stored hold text ("Waiting for parts: the pump") was made of (None and ""
        when the issue is not on hold)."""
        for reason in cls:
            if text == reason.label or (text or "").startswith(f"{reason.label}: "):
                return reason, text[len(reason.label) + 2:]
        return None, ""


class EventKind(enum.StrEnum):
    REPORTED = "reported"
    STATUS = "status"          # status change, optional public comment in body
    COMMENT = "comment"        # public comment (student or admin)
    NOTE = "note"              # admin-only internal note
    CONFIRMED = "confirmed"    # the reporter confirmed the fix
    REOPENED = "reopened"      # the reporter reopened it, with a reason
    RATED = "rated"
    ASSIGNED = "assigned"      # given to maintenance (the student never sees to whom); body empty
    UNASSIGNED = "unassigned"  # taken back from maintenance
    TRIAGED = "triaged"        # category or urgency changed by an admin; body says what and why (internal)
    AVAILABILITY = "availability"  # the reporter gave times when staff may come; body lists them
    VISIT = "visit"            # a visit was booked; body says when (app/issues/visits.py)
    VISIT_CANCELLED = "visit_cancelled"  # the booked visit was cancelled; body says when, and why if given
    TIME_WITHDRAWN = "time_withdrawn"    # the reporter withdrew one offered time; body says which


class NewIssueMail(enum.StrEnum):
    EACH = "each"      # one email per new issue
    DAILY = "daily"    # one digest a day (urgent issues still come at once)
    OFF = "off"


class Issue(Base):
    __tablename__ = "issues"
    __table_args__ = (
        sa.Index("ix_issues_house_created", "house_id", "created_at"),
        sa.Index("ix_issues_house_status_created", "house_id", "status", "created_at"),
        sa.Index("ix_issues_house_status_due", "house_id", "status", "next_due_at"),  # the queue's counts
        sa.Index("ix_issues_house_due", "house_id", "next_due_at"),  # the queue by deadline, read in order
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # RESTRICT: an issue outlives neither by accident; accounts are anonymised, not deleted (app/auth/privacy.py).
    house_id: Mapped[int] = mapped_column(sa.ForeignKey("houses.id", ondelete="RESTRICT"), active_history=True)
    reporter_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    room_id: Mapped[int | None] = mapped_column(sa.ForeignKey("rooms.id", ondelete="SET NULL"))
    common_area_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("common_areas.id", ondelete="SET NULL"), index=True)
    category: Mapped[Category] = mapped_column(str_enum(Category), active_history=True)
    title: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str] = mapped_column(sa.Text)
    urgency: Mapped[Urgency] = mapped_column(str_enum(Urgency), default=Urgency.NORMAL)
    enter_permission: Mapped[bool] = mapped_column(default=False)
    status: Mapped[IssueStatus] = mapped_column(str_enum(IssueStatus), default=IssueStatus.REPORTED,
                                                 active_history=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, active_history=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(active_history=True)
    confirmed_at: Mapped[datetime | None]
    rating: Mapped[int | None] = mapped_column(active_history=True)
    # active_history: a change loads the old value first, for the weekly figures (app/issues/weekly.py).
    # Response targets (app/issues/targets.py): the first admin response, both deadlines, the nearest one still
    # to meet (null once closed), and which crossed deadline the admins were last told about.
    first_response_at: Mapped[datetime | None] = mapped_column(active_history=True)
    respond_by: Mapped[datetime | None] = mapped_column(active_history=True)
    fix_by: Mapped[datetime | None] = mapped_column(active_history=True)
    next_due_at: Mapped[datetime | None]
    overdue_noticed_due: Mapped[datetime | None]
    # The staff member doing the job; their account going away leaves the issue unassigned.
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # Why it is on hold ("Waiting for parts: the pump is ordered"); empty unless status is on_hold.
    hold_reason: Mapped[str | None] = mapped_column(sa.String(300))

    house: Mapped[House] = relationship()
    reporter: Mapped[User] = relationship(foreign_keys=[reporter_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    room: Mapped[Room | None] = relationship()
    common_area: Mapped[CommonArea | None] = relationship()
    photos: Mapped[list["IssuePhoto"]] = relationship(
        back_populates="issue", order_by="IssuePhoto.id", cascade="all, delete-orphan")
    events: Mapped[list["IssueEvent"]] = relationship(
        back_populates="issue", order_by="IssueEvent.id", cascade="all, delete-orphan")

    @property
    def report_photos(self) -> list["IssuePhoto"]:
        """The photos the reporter sent."""
        return [photo for photo in self.photos if not photo.completion]

    @property
    def completion_photos(self) -> list["IssuePhoto"]:
        """The photos the staff member took when they marked the job resolved."""
        return [photo for photo in self.photos if photo.completion]

    @property
    def location_label(self) -> str:
        return self.place(self.common_area.name if self.common_area else None,
                          self.room.number if self.room else None)

    @staticmethod
    def place(common_area: str | None, room: str | None) -> str:
        """Where an issue is, from its common area's name or its room's number (the queue reads only those)."""
        if common_area is not None:
            return common_area
        return f"Room {room}" if room is not None else "Room"

    def __repr__(self) -> str:
        return f"<Issue {self.id} {self.status.value}>"


class IssuePhoto(Base):
    __tablename__ = "issue_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(sa.ForeignKey("issues.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    mime: Mapped[str] = mapped_column(sa.String(40))
    width: Mapped[int]
    height: Mapped[int]
    size: Mapped[int]
    # Taken by the staff member who fixed it (shown to the student with the fix), not with the report.
    completion: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    issue: Mapped[Issue] = relationship(back_populates="photos")


class IssueEvent(Base):
    """One line of an issue's timeline: a status change, a comment, an internal note, a confirmation..."""

    __tablename__ = "issue_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(sa.ForeignKey("issues.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[EventKind] = mapped_column(str_enum(EventKind))
    from_status: Mapped[IssueStatus | None] = mapped_column(str_enum(IssueStatus))
    to_status: Mapped[IssueStatus | None] = mapped_column(str_enum(IssueStatus))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    public: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    issue: Mapped[Issue] = relationship(back_populates="events")
    author: Mapped[User | None] = relationship(lazy="selectin")  # a timeline's authors in one query, not one each


class IssueSubscription(Base):
    """Who hears about an issue's progress: its reporter and every "me too"."""

    __tablename__ = "issue_subscriptions"

    issue_id: Mapped[int] = mapped_column(sa.ForeignKey("issues.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True,
                                         index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()


class AdminMailPreference(Base):
    """How a house admin hears about new issues; no row means one email per new issue."""

    __tablename__ = "admin_mail_preferences"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    new_issues: Mapped[NewIssueMail] = mapped_column(str_enum(NewIssueMail), default=NewIssueMail.EACH)
    digest_sent_until: Mapped[datetime | None]


class ResponseTarget(Base):
    """A category's own targets for one urgency, overriding the RESPONSE_* settings; hours, always positive."""

    __tablename__ = "response_targets"
    __table_args__ = (sa.UniqueConstraint("category", "urgency"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[Category] = mapped_column(str_enum(Category))
    urgency: Mapped[Urgency] = mapped_column(str_enum(Urgency))
    response_hours: Mapped[float]
    fix_hours: Mapped[float]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


# Packed signed 64-bit integers (app/issues/weekly.py); MEDIUMBLOB on MariaDB, whose BLOB stops at 64 KiB.
Times = sa.LargeBinary().with_variant(mysql.MEDIUMBLOB(), "mysql", "mariadb")


class IssueWeek(Base):
    """The /admin/metrics figures of one house, category and week (from Monday 00:00 UTC), kept by
    app/issues/weekly.py as issues change: how many issues were opened, fixed and first answered that week, with
    their deadlines met, their ratings, and each one's time to the fix or the first response in microseconds
    (packed, in no order) for the medians."""

    __tablename__ = "issue_weeks"

    house_id: Mapped[int] = mapped_column(sa.ForeignKey("houses.id", ondelete="CASCADE"), primary_key=True)
    week: Mapped[date] = mapped_column(primary_key=True)
    category: Mapped[Category] = mapped_column(str_enum(Category), primary_key=True)
    opened: Mapped[int] = mapped_column(default=0)
    fixed: Mapped[int] = mapped_column(default=0)
    fixed_with_target: Mapped[int] = mapped_column(default=0)
    fixed_on_time: Mapped[int] = mapped_column(default=0)
    responded: Mapped[int] = mapped_column(default=0)
    responded_with_target: Mapped[int] = mapped_column(default=0)
    responded_on_time: Mapped[int] = mapped_column(default=0)
    rating_sum: Mapped[int] = mapped_column(default=0)
    ratings: Mapped[int] = mapped_column(default=0)
    fix_times: Mapped[bytes] = mapped_column(Times, default=b"")
    response_times: Mapped[bytes] = mapped_column(Times, default=b"")
