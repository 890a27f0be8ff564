"""Students waiting for a house admin's approval (verified, registered themselves, not on a roster).

Approving confirms or changes their house and room; a room already held by an active student is refused
unless the admin says it is shared. Approving and rejecting each email the student (notice mail).
"""
import sqlalchemy as sa
from flask import current_app, url_for
from sqlalchemy.orm import joinedload

from app.admin.forms import ApproveForm
from app.emailer import enqueue
from app.extensions import db
from app.models.accounts import Role, User
from app.models.base import utcnow
from app.models.houses import House, Room
from app.models.mail import Purpose

LISTED = 50  # on /admin/, oldest first


class RoomTaken(Exception):
    def __init__(self, holders: list[User]):
        super().__init__("room taken")
        self.holders = holders


class AlreadyDecided(Exception):
    """Another admin approved or rejected the student first (or the account was deactivated)."""


def waiting():
    """Condition on User: a verified student whom nobody has approved yet."""
    return sa.and_(User.role == Role.STUDENT, User.approved_at.is_(None), User.email_verified_at.is_not(None),
                   User.deactivated_at.is_(None))


def pending_students(house_ids: list[int], limit: int = LISTED) -> tuple[list[User], int]:
    """The oldest `limit` students waiting for one of the houses, and how many wait in all."""
    where = sa.and_(waiting(), User.house_id.in_(house_ids))
    total = db.session.scalar(sa.select(sa.func.count(User.id)).where(where))
    if not total:
        return [], 0
    students = db.session.scalars(sa.select(User).options(joinedload(User.house), joinedload(User.room))
                                  .where(where).order_by(User.created_at, User.id).limit(limit)).all()
    return list(students), total


def room_holders(room_ids: list[int], except_id: int | None = None) -> dict[int, list[User]]:
    """The active students holding each room (in good standing)."""
    query = sa.select(User).where(User.room_id.in_(room_ids), User.role == Role.STUDENT, User.in_good_standing)
    if except_id is not None:
        query = query.where(User.id != except_id)
    holders: dict[int, list[User]] = {}
    for user in db.session.scalars(query.order_by(User.name)):
        holders.setdefault(user.room_id, []).append(user)
    return holders


def listing(houses: list[House]) -> dict:
    """What /admin/ shows: the waiting students of `houses`, an approve form each, and who holds their rooms."""
    students, total = pending_students([house.id for house in houses])
    holders = room_holders([s.room_id for s in students if s.room_id]) if students else {}
    return {"students": [(s, ApproveForm.for_student(s, houses)) for s in students], "total": total,
            "holders": holders}


def lock_room(room_id: int) -> None:
    """Serialise approvals into one room: a write lock on its row until this transaction ends (a no-op UPDATE,
    the first statement of a fresh transaction, so what is read after it includes every earlier approval)."""
    db.session.execute(sa.update(Room).where(Room.id == room_id).values(number=Room.number)
                       .execution_options(synchronize_session=False))


def _home_link() -> str:
    return current_app.config["BASE_URL"] + url_for("main.index")


def approve(student_id: int, room_id: int, shared: bool) -> User:
    """Approve the student into the room (and its house). Raises RoomTaken, AlreadyDecided. Commits."""
    db.session.commit()  # end the request's read transaction: the lock below starts a new one
    lock_room(room_id)
    room = db.session.get(Room, room_id)
    holders = room_holders([room_id], except_id=student_id).get(room_id, [])
    if holders and not shared:
        db.session.rollback()
        raise RoomTaken(holders)
    decided = db.session.execute(
        sa.update(User).where(User.id == student_id, waiting())
        .values(house_id=room.house_id, room_id=room_id, approved_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount
    if not decided:
        db.session.rollback()
        raise AlreadyDecided()
    student = db.session.get(User, student_id)
    enqueue("registration_approved", student.email,
            {"name": student.name, "house": room.house.name, "room": room.number, "shared": bool(holders),
             "link": _home_link(), **room.house.reply_context()}, purpose=Purpose.NOTICE)
    db.session.commit()
    return student


def reject(student_id: int) -> str:
    """Email the student and remove the account (they may register again); returns their name. Raises
    AlreadyDecided. Commits."""
    db.session.commit()
    student = db.session.get(User, student_id)
    name, email, house = student.name, student.email, student.house.name if student.house else "RINAIBRA"
    removed = db.session.execute(sa.delete(User).where(User.id == student_id, waiting())
                                 .execution_options(synchronize_session=False)).rowcount
    if not removed:
        db.session.rollback()
        raise AlreadyDecided()
    db.session.expunge(student)
    enqueue("registration_rejected", email, {"name": name, "house": house}, purpose=Purpose.NOTICE)
    db.session.commit()
    return name
