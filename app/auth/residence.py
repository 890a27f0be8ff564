"""Placing a student in a room, recorded in their room history (app/models/residents.py)."""
import sqlalchemy as sa

from app.extensions import db
from app.models.accounts import User
from app.models.houses import Room
from app.models.residents import RoomMove


def place(user: User, room: Room, by: User | None = None, reason: str = "") -> bool:
    """Put `user` in `room` (and its house), recording the move unless it is their room already. The caller
    commits. Returns whether anything changed."""
    if user.room_id is not None and user.room_id == room.id:
        return False
    db.session.add(RoomMove(user=user, from_room_id=user.room_id, to_room=room, moved_by_id=by.id if by else None,
                            reason=reason))
    user.house, user.room = room.house, room
    return True


def history(user: User) -> list[RoomMove]:
    """The user's room changes, newest first."""
    return list(db.session.scalars(sa.select(RoomMove).where(RoomMove.user_id == user.id)
                                   .order_by(RoomMove.moved_at.desc(), RoomMove.id.desc())))
