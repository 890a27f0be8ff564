"""Helpers for the account tests: the registration form, the outbox as plain records, links, standing."""
from types import SimpleNamespace

import sqlalchemy as sa

from app.extensions import db
from app.models import OutboxEmail, User
from tests.conftest import PASSWORD

BASE = "http://localhost"


def register_form(**overrides) -> dict:
    data = {"email": "thandi@example.ac.za", "name": "Thandi M", "house": "acacia", "room": "102",
            "password": PASSWORD, "confirm": PASSWORD}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def mails(app, template: str | None = None) -> list[SimpleNamespace]:
    """Every outbox row (oldest first) as a plain record."""
    with app.app_context():
        query = sa.select(OutboxEmail).order_by(OutboxEmail.id)
        if template:
            query = query.where(OutboxEmail.template == template)
        return [SimpleNamespace(to=e.to_address, template=e.template, purpose=e.purpose.value, cause=e.cause,
                                context=e.context, status=e.status.value, last_error=e.last_error,
                                coalesce_key=e.coalesce_key) for e in db.session.scalars(query)]


def path_of(link: str) -> str:
    assert link.startswith(BASE), link
    return link[len(BASE):]


def last_link(app, template: str = "verify_email", to: str | None = None) -> str:
    rows = [m for m in mails(app, template) if to is None or m.to == to]
    return path_of(rows[-1].context["link"])


def account(app, email: str) -> SimpleNamespace | None:
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is None:
            return None
        return SimpleNamespace(id=user.id, email=user.email, name=user.name, house_id=user.house_id,
                               room=user.room.number if user.room else None, verified=user.is_verified,
                               approved=user.is_approved, deactivated=user.is_deactivated,
                               has_password=user.password_hash is not None, password_ok=user.check_password(PASSWORD))


def accounts_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(User.id)))


def set_standing(app, user_id: int, **values) -> None:
    """Change columns of a user straight in the database, e.g. set_standing(app, 3, approved_at=None)."""
    with app.app_context():
        db.session.execute(sa.update(User).where(User.id == user_id).values(**values))
        db.session.commit()


def register_and_verify(client, app, **overrides) -> SimpleNamespace:
    """Register through the form and confirm the address with the emailed link; the client ends logged in."""
    data = register_form(**overrides)
    assert client.post("/register", data=data).status_code == 302
    response = client.post(last_link(app, to=data["email"]), data={"password": data["password"]})
    assert response.status_code == 302, response.get_data(as_text=True)
    return account(app, data["email"])
