"""House admins manage the students of their houses: list, add (emailed a link to set their password, like a
roster student), rename, move to another room (recorded in the room history). A room another active student
lives in takes a student only when the admin says it is shared."""
import uuid

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app.admin.accounts import matching, page_of_users
from app.admin.pending import lock_room
from app.auth.permissions import may_manage_student
from app.auth.residence import place
from app.auth.services import invite_link
from app.emailer import enqueue
from app.extensions import db
from app.models.accounts import Role, User
from app.models.houses import House, Room
from app.models.mail import Purpose
from app.move_in.reminders import record_invitations

ADDED = "added by a house admin"


class ResidentError(ValueError):
    """A change refused; str() is the message to show."""


class RoomOccupied(Exception):
    def __init__(self, room: Room, holders: list[User]):
        super().__init__("room occupied")
        self.room, self.holders = room, holders

    @property
    def message(self) -> str:
        names = ", ".join(holder.name for holder in self.holders)
        return _("Room %(room)s of %(house)s is already home to %(names)s. Tick \"shared room\" if they share it, or "
                 "choose another room. Nothing was changed.", room=self.room.number, house=self.room.house.name,
                 names=names)


def page_of_residents(admin: User, search: str, house: House | None, page: int) -> tuple[list[User], int, int]:
    """One page of the students of the admin's houses (or of one of them), by name."""
    houses = [house.id] if house else list(admin.admin_house_ids)
    where = [User.role == Role.STUDENT, User.house_id.in_(houses)] + ([matching(search)] if search else [])
    return page_of_users(where, page)


def managed_student(admin: User, user_id: int) -> User | None:
    """The student with `user_id` when they live in one of the admin's houses."""
    user = db.session.get(User, user_id)
    return user if user is not None and may_manage_student(admin, user) else None


def occupants(room_id: int, except_id: int | None = None) -> list[User]:
    """The students living in the room: approved and not deactivated (roster students who have not set a password
    yet count: they live there)."""
    query = sa.select(User).where(User.room_id == room_id, User.role == Role.STUDENT, User.approved_at.is_not(None),
                                  User.deactivated_at.is_(None))
    if except_id is not None:
        query = query.where(User.id != except_id)
    return list(db.session.scalars(query.order_by(User.name)))


def _claim(room_id: int, shared: bool, except_id: int | None = None) -> Room:
    """Lock the room for this transaction (so two admins cannot both fill it) and check who lives there."""
    db.session.commit()  # the lock must start a fresh transaction: what is read after it includes every move
    lock_room(room_id)
    room = db.session.get(Room, room_id)
    holders = occupants(room_id, except_id)
    if holders and not shared:
        db.session.rollback()
        raise RoomOccupied(room, holders)
    return room


def add_resident(admin: User, name: str, email: str, room_id: int, shared: bool) -> User:
    """Create the student, approved and unverified, and queue their set-password email. Raises ResidentError,
    RoomOccupied. Commits."""
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise ResidentError(_("%(email)s already has an account: search for it in the list of students.",
                                    email=email))
    room = _claim(room_id, shared)
    user = User.unverified(approved=True, email=email, name=name, role=Role.STUDENT)
    db.session.add(user)
    place(user, room, admin, ADDED)
    try:
        db.session.flush()  # the id for the link
    except IntegrityError:  # the same address added by someone else a moment ago
        db.session.rollback()
        raise ResidentError(_("%(email)s already has an account: search for it in the list of students.",
                                    email=email)) from None
    batch = uuid.uuid4().hex
    enqueue("account_invite", email, {"name": name, "house": room.house.name, "link": invite_link(user)},
            purpose=Purpose.SECURITY, coalesce_key=f"account-invite:{user.id}", batch=batch)
    record_invitations(room.house_id, [user], admin, batch)  # no move-in reminder right behind it
    db.session.commit()
    return user


def move_resident(admin: User, user_id: int, room_id: int, shared: bool, reason: str) -> User:
    """Move the student to another room, recorded in their history. Raises ResidentError, RoomOccupied. Commits."""
    room = _claim(room_id, shared, except_id=user_id)
    user = db.session.get(User, user_id)
    if user.room_id == room.id:
        db.session.rollback()
        raise ResidentError(_("%(name)s already lives in room %(room)s of %(house)s.", name=user.name,
                              room=room.number, house=room.house.name))
    place(user, room, admin, reason)
    db.session.commit()
    return user
