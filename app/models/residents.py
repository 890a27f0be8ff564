"""Where students lived: one row per room change (by an admin in the browser or a roster import)."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.accounts import User
from app.models.base import Base, utcnow
from app.models.houses import Room


class RoomMove(Base):
    """A student moved from one room to another (from none: first placed). Rooms removed later read as None."""

    __tablename__ = "room_moves"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    from_room_id: Mapped[int | None] = mapped_column(sa.ForeignKey("rooms.id", ondelete="SET NULL"))
    to_room_id: Mapped[int | None] = mapped_column(sa.ForeignKey("rooms.id", ondelete="SET NULL"))
    moved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(sa.String(200), default="")
    moved_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    from_room: Mapped[Room | None] = relationship(foreign_keys=[from_room_id])
    to_room: Mapped[Room | None] = relationship(foreign_keys=[to_room_id])
    moved_by: Mapped[User | None] = relationship(foreign_keys=[moved_by_id])
