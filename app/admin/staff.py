"""House admins manage the maintenance staff of their houses: list, add (a new account is emailed a
set-password link; an existing one that works in other admins' houses too is invited: app/staff/invitations.py),
remove from a house (their open jobs there go back to the queue)."""
import enum

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from app.auth.invites import HouseInvite, InviteError, link_or_invite
from app.auth.permissions import manages_alone
from app.auth.rules import email_mailable, email_valid, name_problem
from app.extensions import db
from app.issues.forms import no_control_chars
from app.models.accounts import Role, User, house_staff
from app.models.base import utcnow
from app.models.houses import House
from app.models.issues import OPEN_STATUSES, EventKind, Issue, IssueEvent
from app.staff import invitations


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class StaffForm(FlaskForm):
    name = StringField(_l("Name"), filters=[_strip], validators=[
        DataRequired(_l("Give their name.")), Length(max=120), no_control_chars], render_kw={"maxlength": 120})
    email = EmailField(_l("Email"), filters=[lambda v: _strip(v).lower() if isinstance(v, str) else v],
                       validators=[DataRequired(_l("Give their email address.")), Length(max=254)])
    house = SelectField(_l("House"), validators=[InputRequired(_l("Choose a house."))])

    @classmethod
    def for_admin(cls, admin, formdata=None) -> "StaffForm":
        form = cls(formdata=formdata)
        form.house.choices = [SelectChoice(h.slug, h.name) for h in admin.admin_houses]
        form.houses = {h.slug: h for h in admin.admin_houses}
        return form

    def validate_name(self, field) -> None:
        if problem := name_problem(field.data or ""):
            raise ValidationError(problem)

    def validate_email(self, field) -> None:
        if not email_valid(field.data) or not email_mailable(field.data):
            raise ValidationError(_("Give a plain email address, like name@example.com."))


class StaffError(ValueError):
    """A staff change refused; str() is the message to show."""


def staff_listing(houses: list[House]) -> list[tuple[User, list[House]]]:
    """Each staff member linked to one of `houses`, with those of `houses` they work in."""
    ids = {house.id: house for house in houses}
    rows = db.session.execute(
        sa.select(User, house_staff.c.house_id).join(house_staff, house_staff.c.user_id == User.id)
        .where(house_staff.c.house_id.in_(list(ids)), User.role == Role.STAFF).order_by(User.name, User.id)).all()
    listing: dict[int, tuple[User, list[House]]] = {}
    for user, house_id in rows:
        listing.setdefault(user.id, (user, []))[1].append(ids[house_id])
    return list(listing.values())


STAFF_INVITE = HouseInvite(
    Role.STAFF, "staff_invite",
    other_role=_l("{email} already has an account that is not a staff account: use another address for their "
                  "staff account."),
    deactivated=_l("The account {email} is deactivated: a developer must reactivate it before it can join your "
                   "staff."),
    already_linked=_l("{name} is already on the staff of {house}."),
    not_queued=_l("The invitation could not be queued: your account has sent its share of today's mail; nothing "
                  "was stored, try again tomorrow."))


class Added(enum.Enum):
    CREATED = "created"  # a new account, emailed its set-password link
    LINKED = "linked"  # an account of this admin's houses alone, linked at once
    INVITED = "invited"  # an account that works elsewhere too: linked when its owner accepts


def add_staff(admin: User, name: str, email: str, house: House) -> tuple[User, Added]:
    """Add the staff account with `email` to `house`: create it (queueing its set-password email) when there is
    none, link it when `admin` manages it alone, else invite it. The caller commits, or rolls back on a
    StaffError."""
    existing = db.session.scalar(sa.select(User).where(User.email == email))
    if existing is not None and existing.is_staff and not existing.is_deactivated \
            and house not in existing.staff_houses and not manages_alone(admin, existing):
        try:
            invitations.invite(admin, existing, house)
        except invitations.InvitationError as error:
            raise StaffError(str(error)) from None
        return existing, Added.INVITED
    try:
        user, created = link_or_invite(STAFF_INVITE, house, email, name)
    except InviteError as error:
        raise StaffError(str(error)) from None
    return user, Added.CREATED if created else Added.LINKED


def remove_staff(admin, user: User, house: House) -> int:
    """Unlink `user` from `house`; their open jobs there become unassigned. Returns how many. The caller commits."""
    if house not in user.staff_houses:
        raise StaffError(_("%(name)s is not on the staff of %(house)s.", name=user.name, house=house.name))
    user.staff_houses.remove(house)
    jobs = db.session.scalars(sa.select(Issue).where(Issue.assignee_id == user.id, Issue.house_id == house.id,
                                                     Issue.status.in_(OPEN_STATUSES))).all()
    for issue in jobs:
        issue.assignee_id = None
        issue.updated_at = utcnow()
        db.session.add(IssueEvent(issue=issue, author_id=admin.id, kind=EventKind.UNASSIGNED, public=True))
        db.session.add(IssueEvent(issue=issue, author_id=admin.id, kind=EventKind.NOTE, public=False,
                                  body=f"Taken back from {user.name} (removed from the staff of {house.name})."))
    return len(jobs)
