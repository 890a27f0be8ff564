"""The accounts a house admin (their houses' students, and the staff who work only in their houses) or a
developer (everyone) may deactivate or reactivate, a page at a time: the rule of app/auth/permissions.py
(may_manage_account) as a query."""
import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models.accounts import Role, User, house_staff

PER_PAGE = 50


def _scope(actor: User):
    if actor.is_developer:
        return sa.true()
    houses = list(actor.admin_house_ids)
    staff_here = sa.select(house_staff.c.user_id).where(house_staff.c.house_id.in_(houses))
    staff_elsewhere = sa.select(house_staff.c.user_id).where(house_staff.c.house_id.not_in(houses))
    return sa.or_(sa.and_(User.role == Role.STUDENT, User.house_id.in_(houses)),
                  sa.and_(User.role == Role.STAFF, User.id.in_(staff_here), User.id.not_in(staff_elsewhere)))


def matching(search: str):
    """Condition on User: the name or the address contains `search`."""
    return sa.or_(User.name.icontains(search, autoescape=True), User.email.icontains(search, autoescape=True))


def page_of_users(where: list, page: int) -> tuple[list[User], int, int]:
    """One page of the users meeting `where` (by name), how many match and the page shown."""
    total = db.session.scalar(sa.select(sa.func.count(User.id)).where(*where))
    page = min(max(page, 1), max((total + PER_PAGE - 1) // PER_PAGE, 1))
    users = db.session.scalars(
        sa.select(User).options(joinedload(User.house), joinedload(User.room)).where(*where)
        .order_by(User.name, User.id).limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    return list(users), total, page


def page_of_accounts(actor: User, search: str, page: int) -> tuple[list[User], int, int]:
    """One page of the accounts `actor` manages (by name), how many match and the page shown."""
    return page_of_users([_scope(actor)] + ([matching(search)] if search else []), page)
