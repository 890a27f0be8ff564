"""Importing a house's student roster from CSV (columns email,name,room)."""
import csv
import io
from dataclasses import dataclass, field

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email

from app.auth.rules import email_domain_allowed, email_mailable, name_problem
from app.auth.services import password_link
from app.emailer import enqueue_many
from app.extensions import db
from app.models.accounts import Role, User
from app.models.base import utcnow
from app.models.houses import House, Room

REQUIRED_COLUMNS = ("email", "name", "room")


@dataclass
class RosterResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


def _read(text: str, result: RosterResult) -> list[tuple[int, dict]] | None:
    """The rows with their line numbers, or None (with the error in `result`) for a bad file or header."""
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
        reader.fieldnames = header
        parsed = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:  # e.g. a quote that is never closed
        result.errors.append(f"line {reader.line_num + 1}: not a valid CSV file ({exc})")  # the line being read
        return None
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        result.errors.append(f"line 1: missing column(s) {', '.join(missing)}; expected email,name,room")
        return None
    return parsed


def _email_problem(email: str) -> str | None:
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return f"invalid email {email!r}"
    if not email_mailable(email):
        return f"{email!r} has characters our mail cannot be sent to (use a plain address)"
    if not email_domain_allowed(email):
        return f"{email} is not a university address"
    return None


def _row_problems(email: str, name: str, room: str, house: House, rooms: dict, seen: dict[str, int]) -> list[str]:
    problems = [p for p in (_email_problem(email), name_problem(name)) if p]
    if room not in rooms:
        problems.append(f"room {room!r} is not in {house.name}")
    if email in seen:
        problems.append(f"{email} is also on line {seen[email]}")
    return problems


def _store(rows: list[tuple[str, str, Room]], existing: dict[str, User], house: House, result: RosterResult) -> list:
    """Create or update the students; returns the new ones."""
    created = []
    for email, name, room in rows:
        user = existing.get(email)
        if user is None:
            created.append(User.unverified(approved=True, email=email, name=name, role=Role.STUDENT, house=house,
                                           room=room))
            db.session.add(created[-1])
            result.created += 1
        elif (user.name, user.room_id, user.is_approved) == (name, room.id, True):
            result.unchanged += 1
        else:
            user.name, user.house, user.room = name, house, room
            user.approved_at = user.approved_at or utcnow()
            result.updated += 1
    return created


def import_roster(text: str, house: House, invite: bool = True) -> RosterResult:
    """Validate every row, then store all of them or, if any row is bad, none.

    With `invite`, each new student is emailed a link to set their first password (bulk mail, so a large
    roster never eats the budget kept for status emails). New students are approved (the roster says where they
    live) but unverified until they set their password from an emailed link; a student waiting for approval
    gets the roster's house and room and is approved.
    """
    result = RosterResult()
    parsed = _read(text, result)
    if parsed is None:
        return result
    rooms = {r.number: r for r in db.session.scalars(sa.select(Room).where(Room.house_id == house.id))}
    rows, seen = [], {}
    for line, row in parsed:
        email = (row.get("email") or "").strip().lower()
        name = (row.get("name") or "").strip()
        room = (row.get("room") or "").strip()
        problems = _row_problems(email, name, room, house, rooms, seen)
        seen.setdefault(email, line)
        if problems:
            result.errors.append(f"line {line}: " + "; ".join(problems))
        else:
            rows.append((email, name, rooms[room]))
    existing = {u.email: u for u in db.session.scalars(sa.select(User).where(User.email.in_([r[0] for r in rows])))}
    for email, _name, _room in rows:
        user = existing.get(email)
        if user is not None and (user.role != Role.STUDENT or (user.house_id != house.id and user.is_approved)):
            result.errors.append(f"{email}: already registered with another house or role")
    if result.errors:
        return result
    created = _store(rows, existing, house, result)
    if invite and created:
        db.session.flush()  # ids for the links
        enqueue_many("account_invite", [
            (user.email, {"name": user.name, "house": house.name, "link": password_link(user)}) for user in created
        ])
    db.session.commit()
    return result
