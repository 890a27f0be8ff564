"""A house admin's invitation to an existing staff account to join one more house: it takes effect only when
the staff member accepts it while signed in (app/staff/invitations.py)."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.accounts import User
from app.models.base import Base, utcnow
from app.models.houses import House


class StaffInvitation(Base):
    """A pending invitation of staff account `user` to the staff of `house`; deleted when answered."""

    __tablename__ = "staff_invitations"
    __table_args__ = (sa.UniqueConstraint("user_id", "house_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    house_id: Mapped[int] = mapped_column(sa.ForeignKey("houses.id", ondelete="CASCADE"), index=True)
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    house: Mapped[House] = relationship()
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])
