"""Self-help tips per category, and the report starts that count who gave up after reading one."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, str_enum, utcnow
from app.models.issues import Category

__all__ = ["SelfHelpTip", "ReportStart", "ReportStartCategory"]


class SelfHelpTip(Base):
    """A category's tips, shown on the report form when it is chosen (global: every house)."""

    __tablename__ = "self_help_tips"

    category: Mapped[Category] = mapped_column(str_enum(Category), primary_key=True)
    body: Mapped[str] = mapped_column(sa.Text)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReportStart(Base):
    """A report form shown to a student (one open start per student a day; a reload reuses it)."""

    __tablename__ = "report_starts"
    __table_args__ = (sa.Index("ix_report_starts_house_created", "house_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(32), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    house_id: Mapped[int] = mapped_column(sa.ForeignKey("houses.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reported_at: Mapped[datetime | None]
    issue_id: Mapped[int | None] = mapped_column(sa.ForeignKey("issues.id", ondelete="SET NULL"))


class ReportStartCategory(Base):
    """A category chosen during a start, and whether its tip was shown (at most one row per category)."""

    __tablename__ = "report_start_categories"

    start_id: Mapped[int] = mapped_column(sa.ForeignKey("report_starts.id", ondelete="CASCADE"), primary_key=True)
    category: Mapped[Category] = mapped_column(str_enum(Category), primary_key=True)
    tip_shown: Mapped[bool] = mapped_column(default=False)
