"""Invitations of existing staff accounts to one more house. A house admin may link a staff account to their
house at once only when every house it works in is theirs already (app/auth/permissions.py: manages_alone);
any other existing account is invited, and joins when its owner accepts while signed in. Otherwise an admin of
one house could adopt another house's staff account and, as its manager, take it over."""
import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import gettext as _

from app.emailer import enqueue
from app.extensions import db
from app.models.accounts import User
from app.models.houses import House
from app.models.staff_invitations import StaffInvitation


class InvitationError(ValueError):
    """An invitation refused or gone; str() is the message to show."""


def invite(admin: User, staff: User, house: House) -> StaffInvitation:
    """Invite `staff` to the staff of `house` and tell them by email (the caller commits)."""
    if db.session.scalar(sa.select(StaffInvitation.id).where(StaffInvitation.user_id == staff.id,
                                                             StaffInvitation.house_id == house.id)):
        raise InvitationError(_("%(name)s is already invited to the staff of %(house)s; they join when they "
                                "accept on their “My jobs” page.", name=staff.name, house=house.name))
    invitation = StaffInvitation(user_id=staff.id, house_id=house.id, invited_by_id=admin.id)
    db.session.add(invitation)
    db.session.flush()  # a parallel invitation of the same pair fails here (unique), not at the commit
    enqueue("staff_join", staff.email, {"name": staff.name, "house": house.name, "by": admin.name,
                                        "link": current_app.config["BASE_URL"] + url_for("staff.index")},
            coalesce_key=f"staff-join:{invitation.id}")
    return invitation


def pending_for(staff: User) -> list[StaffInvitation]:
    """The invitations waiting for `staff`'s answer, oldest first."""
    return list(db.session.scalars(sa.select(StaffInvitation).where(StaffInvitation.user_id == staff.id)
                                   .order_by(StaffInvitation.id)))


def pending_in(houses: list[House]) -> list[StaffInvitation]:
    """The invitations to `houses` not answered yet, for their admins' staff page."""
    return list(db.session.scalars(sa.select(StaffInvitation).where(
        StaffInvitation.house_id.in_([house.id for house in houses])).order_by(StaffInvitation.id)))


def _take(staff: User, invitation_id: int) -> House:
    """Delete `staff`'s invitation by one guarded DELETE (of two parallel answers, one finds it); its house."""
    house = db.session.scalar(sa.select(House).join(StaffInvitation, StaffInvitation.house_id == House.id)
                              .where(StaffInvitation.id == invitation_id, StaffInvitation.user_id == staff.id))
    gone = db.session.execute(sa.delete(StaffInvitation).where(StaffInvitation.id == invitation_id,
                                                               StaffInvitation.user_id == staff.id)).rowcount
    if house is None or not gone:
        raise InvitationError(_("That invitation is no longer open: it was answered or withdrawn."))
    return house


def accept(staff: User, invitation_id: int) -> House:
    """`staff` joins the invitation's house (the caller commits)."""
    house = _take(staff, invitation_id)
    if house not in staff.staff_houses:
        staff.staff_houses.append(house)
    return house


def decline(staff: User, invitation_id: int) -> House:
    """The invitation is dropped (the caller commits)."""
    return _take(staff, invitation_id)
