"""The accounts a house admin (their houses' students) or a developer (everyone) may deactivate or reactivate."""
import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models.accounts import Role, User

PER_PAGE = 50


def _scope(actor: User):
    if actor.is_developer:
        return sa.true()
    return sa.and_(User.role == Role.STUDENT, User.house_id.in_(actor.admin_house_ids))


def page_of_accounts(actor: User, search: str, page: int) -> tuple[list[User], int, int]:
    """One page of the accounts `actor` manages (by name), how many match and the page shown."""
    where = [_scope(actor)]
    if search:
        where.append(sa.or_(User.name.icontains(search, autoescape=True),
                            User.email.icontains(search, autoescape=True)))
    total = db.session.scalar(sa.select(sa.func.count(User.id)).where(*where))
    page = min(max(page, 1), max((total + PER_PAGE - 1) // PER_PAGE, 1))
    users = db.session.scalars(
        sa.select(User).options(joinedload(User.house), joinedload(User.room)).where(*where)
        .order_by(User.name, User.id).limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    return list(users), total, page
