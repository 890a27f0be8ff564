"""A house's student roster from CSV (columns email,name,room), shared by `flask users import-roster` and the
admin's upload page: `plan_roster` reads and checks the file and works out what would change without storing
anything; `apply_roster` stores a plan that has no bad rows.

New students are approved (the roster says where they live) but unverified until they set their password from
an emailed link; a student waiting for approval gets the roster's house and room and is approved. Room changes
are recorded in the student's room history. Students of the house missing from the file may be retired
(deactivated, never deleted).
"""
import csv
import hashlib
import io
import uuid
from dataclasses import dataclass, field

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

from app.auth.deactivation import deactivate
from app.auth.residence import place
from app.auth.rules import email_domain_allowed, email_mailable, name_problem
from app.auth.services import invite_link
from app.emailer import enqueue_many
from app.extensions import db
from app.models.accounts import Role, User
from app.models.base import utcnow
from app.models.houses import House, Room
from app.move_in.reminders import record_invitations

REQUIRED_COLUMNS = ("email", "name", "room")
REASON = "roster import"


@dataclass
class RosterResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class Row:
    """A good line of the file."""
    line: int
    email: str
    name: str
    room: Room


@dataclass
class Change:
    """A line of the file about an existing account."""
    row: Row
    user: User

    @property
    def moved(self) -> bool:
        return self.user.room_id != self.row.room.id

    @property
    def renamed(self) -> bool:
        return self.user.name != self.row.name


@dataclass
class RosterPlan:
    """What a roster file would change in its house; nothing of it is stored."""
    house: House
    new: list[Row] = field(default_factory=list)
    moved: list[Change] = field(default_factory=list)     # another room (or a waiting student placed)
    updated: list[Change] = field(default_factory=list)   # same room: a new name, or approved
    unchanged: list[Change] = field(default_factory=list)
    deactivated: list[Change] = field(default_factory=list)  # on the file but deactivated: left as they are
    missing: list[User] = field(default_factory=list)     # active students of the house not on the file
    errors: list[str] = field(default_factory=list)

    @property
    def fingerprint(self) -> str:
        """Changes whenever what applying would do changes (to notice that the data moved since a preview)."""
        parts = [f"n|{r.email}|{r.name}|{r.room.id}" for r in self.new]
        for kind, changes in (("m", self.moved), ("u", self.updated), ("d", self.deactivated)):
            parts += [f"{kind}|{c.user.id}|{c.user.room_id}|{c.user.name}|{c.row.name}|{c.row.room.id}"
                      for c in changes]
        parts += [f"x|{user.id}" for user in self.missing] + [f"e|{error}" for error in self.errors]
        return hashlib.sha256("\n".join(sorted(parts)).encode()).hexdigest()[:32]


def _read(text: str, errors: list[str]) -> list[tuple[int, dict]] | None:
    """The rows with their line numbers, or None (with the error in `errors`) for a bad file or header."""
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
        reader.fieldnames = header
        parsed = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:  # e.g. a quote that is never closed
        errors.append(_("line %(line)d: not a valid CSV file (%(error)s)",  # the line being read
                        line=reader.line_num + 1, error=exc))
        return None
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        errors.append(_("line 1: missing column(s) %(columns)s; expected email,name,room", columns=", ".join(missing)))
        return None
    return parsed


def email_problem(email: str) -> str | None:
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return _("invalid email %(email)s", email=repr(email))
    if not email_mailable(email):
        return _("%(email)s has characters our mail cannot be sent to (use a plain address)", email=repr(email))
    if not email_domain_allowed(email):
        return _("%(email)s is not a university address", email=email)
    return None


def _row_problems(email: str, name: str, room: str, house: House, rooms: dict, seen: dict[str, int]) -> list[str]:
    problems = [p for p in (email_problem(email), name_problem(name)) if p]
    if room not in rooms:
        problems.append(_("room %(room)s is not in %(house)s", room=repr(room), house=house.name))
    if email in seen:
        problems.append(_("%(email)s is also on line %(line)d", email=email, line=seen[email]))
    return problems


def _cell(row: dict, name: str) -> str:
    value = row.get(name)
    return value.strip() if isinstance(value, str) else ""  # a short line gives None, a long one a list


def _good_rows(parsed: list[tuple[int, dict]], house: House, errors: list[str]) -> list[Row]:
    rooms = {r.number: r for r in db.session.scalars(sa.select(Room).where(Room.house_id == house.id))}
    rows, seen = [], {}
    for line, row in parsed:
        email, name, room = _cell(row, "email").lower(), _cell(row, "name"), _cell(row, "room")
        problems = _row_problems(email, name, room, house, rooms, seen)
        seen.setdefault(email, line)
        if problems:
            errors.append(_("line %(line)d: %(problems)s", line=line, problems="; ".join(problems)))
        else:
            rows.append(Row(line, email, name, rooms[room]))
    return rows


def _sort(plan: RosterPlan, rows: list[Row]) -> None:
    existing = {u.email: u for u in db.session.scalars(sa.select(User).where(User.email.in_([r.email for r in rows])))}
    for row in rows:
        user = existing.get(row.email)
        if user is None:
            plan.new.append(row)
        elif user.role != Role.STUDENT or (user.house_id != plan.house.id and user.is_approved):
            plan.errors.append(_("line %(line)d: %(email)s is already registered with another house or role",
                                   line=row.line, email=row.email))
        elif user.is_deactivated:
            plan.deactivated.append(Change(row, user))
        elif user.room_id != row.room.id:
            plan.moved.append(Change(row, user))
        elif user.name != row.name or not user.is_approved:
            plan.updated.append(Change(row, user))
        else:
            plan.unchanged.append(Change(row, user))
    plan.missing = list(db.session.scalars(
        sa.select(User).where(User.role == Role.STUDENT, User.house_id == plan.house.id,
                              User.approved_at.is_not(None), User.deactivated_at.is_(None),
                              User.email.not_in([r.email for r in rows]) if rows else sa.true())
        .order_by(User.name, User.id)))


def plan_roster(text: str, house: House) -> RosterPlan:
    """Check every line of the roster and work out what storing it would do. Stores nothing."""
    plan = RosterPlan(house)
    parsed = _read(text, plan.errors)
    if parsed is not None:
        _sort(plan, _good_rows(parsed, house, plan.errors))
    return plan


def apply_roster(plan: RosterPlan, invite: bool = True, retire: bool = False, by: User | None = None) -> RosterResult:
    """Store a plan without errors (the caller commits). With `invite`, each new student is emailed a link to set
    their first password (bulk mail, so a large roster never eats the budget kept for status emails); with
    `retire`, the students missing from the file are deactivated."""
    if plan.errors:
        raise ValueError("a roster with bad rows is never stored")
    result = RosterResult(unchanged=len(plan.unchanged) + len(plan.deactivated))
    created = []
    for row in plan.new:
        user = User.unverified(approved=True, email=row.email, name=row.name, role=Role.STUDENT)
        db.session.add(user)
        place(user, row.room, by, REASON)
        created.append(user)
    for change in plan.moved + plan.updated:
        place(change.user, change.row.room, by, REASON)
        change.user.name = change.row.name
        change.user.approved_at = change.user.approved_at or utcnow()
    if retire:
        for user in plan.missing:
            deactivate(user)
    result.created, result.updated, result.retired = len(created), len(plan.moved) + len(plan.updated), \
        len(plan.missing) if retire else 0
    if invite and created:
        db.session.flush()  # ids for the links
        invite_students(created, plan.house, by)
    return result


def invite_students(users: list[User], house: House, by: User | None = None) -> int:
    """Queue the set-password invitation of each new student (bulk mail, one batch). It counts as their first
    move-in reminder, so no reminder follows it within the cooldown."""
    batch = uuid.uuid4().hex
    queued = enqueue_many("account_invite", [
        (user.email, {"name": user.name, "house": house.name, "link": invite_link(user)}) for user in users],
        batch=batch)
    record_invitations(house.id, users, by, batch)
    return queued


def import_roster(text: str, house: House, invite: bool = True, retire: bool = False) -> RosterResult:
    """Check every row, then store all of them or, if any row is bad, none (`flask users import-roster`)."""
    plan = plan_roster(text, house)
    if plan.errors:
        return RosterResult(errors=plan.errors)
    result = apply_roster(plan, invite=invite, retire=retire)
    db.session.commit()
    return result
