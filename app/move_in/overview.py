"""What house admins see: completion per house and the students behind the numbers (page or CSV)."""
import csv
import io
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models.accounts import Role, User
from app.models.houses import House, Room
from app.models.move_in import FormStatus, MoveInForm, MoveInReminder
from app.move_in.invite import can_sign_in
from app.text import safe_cell

STATUSES = {"submitted": _l("Submitted"), "draft": _l("Draft"), "not_started": _l("Not started")}  # shown
PER_PAGE = 50


@dataclass
class HouseSummary:
    house: House
    students: int
    submitted: int
    draft: int

    @property
    def not_started(self) -> int:
        return self.students - self.submitted - self.draft

    @property
    def percent(self) -> int:
        return round(100 * self.submitted / self.students) if self.students else 0


def on_roster(house_ids: list[int]):
    """Condition on User: a student the house's roster (or an admin) placed in one of the houses and who is not
    deactivated (nor anonymised), whether or not they have signed in yet."""
    return sa.and_(User.house_id.in_(house_ids), User.role == Role.STUDENT, User.approved_at.is_not(None),
                   User.deactivated_at.is_(None))


def _form_join(year: int):
    return sa.and_(MoveInForm.user_id == User.id, MoveInForm.academic_year == year)


def summaries(houses: list[House], year: int) -> list[HouseSummary]:
    ids = [h.id for h in houses]
    students = dict(db.session.execute(
        sa.select(User.house_id, sa.func.count(User.id))
        .where(on_roster(ids)).group_by(User.house_id)).all())
    forms: dict[tuple[int, str], int] = {}
    for house_id, status, count in db.session.execute(
            sa.select(User.house_id, MoveInForm.status, sa.func.count(User.id))
            .join(MoveInForm, _form_join(year))
            .where(on_roster(ids)).group_by(User.house_id, MoveInForm.status)):
        forms[(house_id, FormStatus(status).value)] = count
    return [HouseSummary(h, students.get(h.id, 0), forms.get((h.id, "submitted"), 0), forms.get((h.id, "draft"), 0))
            for h in houses]


def _students_query(house_id: int, year: int, status: str | None, search: str | None):
    reminders = (sa.select(sa.func.count(MoveInReminder.id))
                 .where(MoveInReminder.user_id == User.id, MoveInReminder.academic_year == year).scalar_subquery())
    last_reminded = (sa.select(sa.func.max(MoveInReminder.created_at))
                     .where(MoveInReminder.user_id == User.id).scalar_subquery())
    query = (sa.select(User.id, User.name, User.email, Room.number.label("room"), MoveInForm.status,
                       MoveInForm.submitted_at, reminders.label("reminders"), last_reminded.label("last_reminded"),
                       can_sign_in().label("signed_in"))
             .outerjoin(Room, User.room_id == Room.id)
             .outerjoin(MoveInForm, _form_join(year))
             .where(on_roster([house_id])))
    if status == "not_started":
        query = query.where(MoveInForm.id.is_(None))
    elif status in ("submitted", "draft"):
        query = query.where(MoveInForm.status == FormStatus(status))
    if search:
        query = query.where(sa.or_(User.name.icontains(search, autoescape=True),
                                   User.email.icontains(search, autoescape=True),
                                   Room.number.icontains(search, autoescape=True)))
    return query


def status_of(row) -> str:
    return FormStatus(row.status).value if row.status else "not_started"


def student_page(house_id: int, year: int, status: str | None, search: str | None, page: int):
    """One page of students (ordered by room, then name), the number matching the filter and the page shown
    (a page number out of range shows the nearest page)."""
    query = _students_query(house_id, year, status, search)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    page = min(max(page, 1), max((total + PER_PAGE - 1) // PER_PAGE, 1))
    rows = db.session.execute(query.order_by(Room.number, User.name, User.id)
                              .limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    return rows, total, page


def students_csv(house: House, year: int, status: str | None, search: str | None) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("House"), _("Name"), _("Email"), _("Room"), _("Status"), _("Submitted (UTC)"),
                     _("Reminders this year"), _("Last reminded (UTC)")])  # in the admin's language
    query = _students_query(house.id, year, status, search).order_by(Room.number, User.name, User.id)
    for row in db.session.execute(query):
        writer.writerow([safe_cell(v) for v in (
            house.slug, row.name, row.email, row.room, str(STATUSES[status_of(row)]),
            row.submitted_at.isoformat(sep=" ", timespec="seconds") if row.submitted_at else "",
            row.reminders, row.last_reminded.isoformat(sep=" ", timespec="seconds") if row.last_reminded else "")])
    return out.getvalue()
