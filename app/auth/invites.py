"""Link an existing account to a house, or invite a new one: used by developers adding a house's admins
(app/dev/houses.py) and by admins adding their houses' staff (app/admin/staff.py). Each caller brings its
own role and refusal messages in a HouseInvite."""
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from app.auth.rules import name_problem
from app.auth.services import invite_link
from app.emailer import enqueue
from app.extensions import db
from app.models.accounts import Role, User
from app.models.houses import House
from app.models.mail import Purpose


class InviteError(ValueError):
    """A link or invitation refused; str() says why, `field` names the input at fault (email, name), if one."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class HouseInvite:
    """One kind of house account: its role (admin: admin_houses, staff: staff_houses), its invitation email
    template, and the caller's refusals, str.format templates with {email}, {role}, {name}, {house}."""

    role: Role
    template: str
    other_role: str
    already_linked: str
    not_queued: str
    deactivated: str  # a deactivated account is never linked: only a developer reactivates it

    def houses(self, user: User) -> list[House]:
        return user.admin_houses if self.role is Role.ADMIN else user.staff_houses


def link_or_invite(kind: HouseInvite, house: House, email: str, name: str) -> tuple[User, bool]:
    """Link the account with `email` (of `kind`'s role) to `house`, or create it (named `name`, linked to
    `house`) and queue its set-password email. Returns (user, created). The caller commits, or rolls back on an
    InviteError."""
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is not None:
        if user.role is not kind.role:
            raise InviteError(kind.other_role.format(email=email, role=user.role.value), "email")
        if user.is_deactivated:
            raise InviteError(kind.deactivated.format(email=email), "email")
        houses = kind.houses(user)
        if house in houses:
            raise InviteError(kind.already_linked.format(name=user.name, house=house.name), "email")
        houses.append(house)
        return user, False
    if problem := name_problem(name):
        raise InviteError(_("a new admin account needs a name: %(problem)s", problem=problem) if kind.role is Role.ADMIN
                          else _("a new staff account needs a name: %(problem)s", problem=problem), "name")
    user = User.unverified(approved=True, email=email, name=name, role=kind.role)
    kind.houses(user).append(house)
    db.session.add(user)
    db.session.flush()  # the id for the link
    queued = enqueue(kind.template, email, {"name": name, "house": house.name, "link": invite_link(user)},
                     purpose=Purpose.SECURITY, coalesce_key=f"{kind.template.replace('_', '-')}:{user.id}")
    if queued is None:
        raise InviteError(kind.not_queued)
    return user, True
