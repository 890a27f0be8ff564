"""Developers manage houses in the browser: the listing with its counts, a house's rooms and common areas with
what refers to them, and the house's admins (an existing admin account linked, or a new one invited by email).
The rules for houses, rooms and common areas themselves are app/house_setup.py's, shared with the CLI."""
from dataclasses import dataclass

import sqlalchemy as sa

from app.auth.rules import email_mailable, email_valid, name_problem
from app.auth.services import invite_link
from app.emailer import enqueue
from app.extensions import db
from app.house_setup import HouseError
from app.models.accounts import Role, User, house_admins
from app.models.houses import House, Room
from app.models.issues import OPEN_STATUSES, Issue
from app.models.mail import Purpose


@dataclass
class HouseRow:
    house: House
    rooms: int
    students: int
    admins: int
    open_issues: int


def _counts(column, *where) -> dict[int, int]:
    """house id -> count of rows, grouped by `column` (a house id column)."""
    return dict(db.session.execute(sa.select(column, sa.func.count()).where(*where).group_by(column)).all())


def house_rows() -> list[HouseRow]:
    """Every house by name, with its rooms, active students, admins and open issues."""
    rooms = _counts(Room.house_id)
    students = _counts(User.house_id, User.role == Role.STUDENT, User.deactivated_at.is_(None))
    admins = _counts(house_admins.c.house_id)
    issues = _counts(Issue.house_id, Issue.status.in_(OPEN_STATUSES))
    houses = db.session.scalars(sa.select(House).order_by(House.name, House.id))
    return [HouseRow(h, rooms.get(h.id, 0), students.get(h.id, 0), admins.get(h.id, 0), issues.get(h.id, 0))
            for h in houses]


def rooms_in_order(house: House) -> list[Room]:
    """The rooms as people count them: 2 before 10, numbers before names (G1)."""
    def key(room: Room):
        numeric = room.number.isdecimal()
        return not numeric, int(room.number) if numeric else 0, room.number.lower()
    return sorted(house.rooms, key=key)


def room_usage(house: House) -> dict[int, tuple[int, int]]:
    """room id -> (accounts living in it, issues referring to it), for the rooms that have either."""
    people = _counts(User.room_id, User.room_id.in_(sa.select(Room.id).where(Room.house_id == house.id)))
    issues = _counts(Issue.room_id, Issue.house_id == house.id, Issue.room_id.is_not(None))
    return {room_id: (people.get(room_id, 0), issues.get(room_id, 0)) for room_id in people.keys() | issues.keys()}


def area_issues(house: House) -> dict[int, int]:
    """common area id -> issues referring to it."""
    return _counts(Issue.common_area_id, Issue.house_id == house.id, Issue.common_area_id.is_not(None))


def admins_of(house: House) -> list[User]:
    return list(db.session.scalars(sa.select(User).join(house_admins, house_admins.c.user_id == User.id)
                                   .where(house_admins.c.house_id == house.id).order_by(User.name, User.id)))


def add_admin(house: House, email: str, name: str) -> tuple[User, bool]:
    """Make the admin account with `email` an admin of `house`, or create one (named `name`) and queue its
    set-password email. Returns (user, created). The caller commits, or rolls back on a HouseError."""
    email = email.strip().lower()
    if not email_valid(email) or not email_mailable(email):
        raise HouseError("give a plain email address, like name@example.com", "email")
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is not None:
        if not user.is_admin:
            raise HouseError(f"{email} already has a {user.role.value} account, not an admin account: use another "
                             "address for their admin account", "email")
        if user.is_deactivated:
            raise HouseError(f"the account {email} is deactivated: reactivate it on Accounts first", "email")
        if house in user.admin_houses:
            raise HouseError(f"{user.name} is already an admin of {house.name}", "email")
        user.admin_houses.append(house)
        return user, False
    name = name.strip()
    if problem := name_problem(name):
        raise HouseError(f"a new admin account needs a name: {problem}", "name")
    user = User.unverified(approved=True, email=email, name=name, role=Role.ADMIN)
    user.admin_houses = [house]
    db.session.add(user)
    db.session.flush()  # the id for the link
    queued = enqueue("admin_invite", email, {"name": name, "house": house.name, "link": invite_link(user)},
                     purpose=Purpose.SECURITY, coalesce_key=f"admin-invite:{user.id}")
    if queued is None:
        raise HouseError("the invitation could not be queued: your account has sent its share of today's mail; "
                         "nothing was stored, try again tomorrow")
    return user, True


def remove_admin(house: House, user: User) -> None:
    """`user` stops being an admin of `house` (their account stays)."""
    if house not in user.admin_houses:
        raise HouseError(f"{user.name} is not an admin of {house.name}")
    user.admin_houses.remove(house)


def sentence(error: HouseError) -> str:
    """The refusal as shown on a page: a capital first letter and a full stop."""
    text = str(error)
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
