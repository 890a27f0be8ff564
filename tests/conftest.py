"""Shared fixtures: app, client, runner, users and log-in helpers.

The suite runs on SQLite by default and on MariaDB/MySQL when TEST_DATABASE_URL is set. The schema is
created once per run; every test starts with empty tables.
"""
import os
import time
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from app import create_app
from app.extensions import db
from app.house_setup import create_house, parse_rooms
from app.models import Base, Role, User

pytest_plugins = ["tests.fixtures.servers", "tests.fixtures.smtp", "tests.fixtures.s3", "tests.fixtures.oidc"]

PASSWORD = "correct-horse-battery"
HEALTHZ_TOKEN = "monitor-token"
MONITOR = {"X-Healthz-Token": HEALTHZ_TOKEN}  # /healthz shows the mail figures to a monitor with the token
DOMAIN = "example.ac.za"


def wait_for(condition, timeout: float = 20.0) -> None:
    """Poll `condition` until it holds; fail after a generous `timeout` (never a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)


def pytest_collection_modifyitems(config, items):
    """Tests marked mysql_only are skipped unless TEST_DATABASE_URL points at MariaDB/MySQL."""
    if os.environ.get("TEST_DATABASE_URL", "").startswith("mysql"):
        return
    skip = pytest.mark.skip(reason="needs MariaDB/MySQL: set TEST_DATABASE_URL")
    for item in items:
        if "mysql_only" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return os.environ.get("TEST_DATABASE_URL") or "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")


@pytest.fixture(scope="session")
def _schema(database_url):
    engine = sa.create_engine(database_url)
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    engine.dispose()
    yield


@pytest.fixture(scope="session")
def pseudo_translations(tmp_path_factory) -> str:
    """A translation directory with the pseudo-language's catalog (tests/pseudo.py), built once per process."""
    from tests.pseudo import build_catalog

    return str(build_catalog(tmp_path_factory.mktemp("pseudo")))


def with_pseudo_language(settings: dict, pseudo_translations: str) -> dict:
    """`settings` with the pseudo-language offered beside the product's languages."""
    from app.config import LANGUAGES
    from tests.pseudo import PSEUDO

    return {**settings, "LANGUAGES": (*LANGUAGES, PSEUDO), "EXTRA_TRANSLATIONS": (pseudo_translations,)}


def settings_for(database_url: str, tmp_path) -> dict:
    """Configuration every test app gets; tests override single keys."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "ALLOWED_EMAIL_DOMAINS": [DOMAIN],
        "DEVELOPER_EMAILS": ["dev-alerts@" + DOMAIN],
        "BASE_URL": "http://localhost",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": 9,  # nothing listens: the web never talks SMTP anyway
        "MAIL_TIMEOUT": 2,
        "HEALTHZ_TOKEN": HEALTHZ_TOKEN,
    }


def empty_tables(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def app(database_url, _schema, tmp_path, request):
    overrides = getattr(request, "param", None) or {}
    app = create_app({**settings_for(database_url, tmp_path), **overrides})
    yield app
    with app.app_context():
        db.session.remove()
        empty_tables(db.engine)
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_house(app):
    """Create a house: make_house('acacia', rooms='101-110', common_areas=['Kitchen'])."""

    def make(slug: str = "acacia", rooms: str = "101-110", common_areas=("Kitchen", "Laundry"),
             name: str | None = None) -> SimpleNamespace:
        with app.app_context():
            house = create_house(name or slug.title() + " House", slug, parse_rooms(rooms), list(common_areas))
            db.session.commit()
            return SimpleNamespace(id=house.id, slug=house.slug, name=house.name,
                                   common_area_ids=[a.id for a in house.common_areas])

    return make


@pytest.fixture
def make_user(app):
    """Create a user and return a plain record (id, email, password, role, house_id); `admin_of` and `staff_of`
    link an admin or a staff member to houses."""

    def make(role: Role | str = Role.STUDENT, email: str | None = None, house=None, room: str = "101",
             admin_of=(), name: str = "Test User", password: str | None = PASSWORD,
             staff_of=()) -> SimpleNamespace:
        role = Role(role)
        with app.app_context():
            count = db.session.scalar(sa.select(sa.func.count(User.id)))
            email = (email or f"{role.value}{count + 1}@{DOMAIN}").lower()
            user = User(email=email, name=name, role=role)
            if role == Role.STUDENT and house is not None:
                from app.models.houses import Room
                user.house_id = house.id
                user.room = db.session.scalar(sa.select(Room).where(Room.house_id == house.id, Room.number == room))
            if admin_of:
                from app.models.houses import House
                user.admin_houses = [db.session.get(House, h.id) for h in admin_of]
            if staff_of:
                from app.models.houses import House
                user.staff_houses = [db.session.get(House, h.id) for h in staff_of]
            if password:
                user.set_password(password)
            db.session.add(user)
            db.session.commit()
            return SimpleNamespace(id=user.id, email=email, password=password, role=role,
                                   house_id=user.house_id, name=name)

    return make


@pytest.fixture
def house(make_house):
    return make_house()


@pytest.fixture
def student(make_user, house):
    return make_user(Role.STUDENT, house=house)


@pytest.fixture
def admin(make_user, house):
    return make_user(Role.ADMIN, admin_of=[house])


@pytest.fixture
def developer(make_user):
    return make_user(Role.DEVELOPER)


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, user_or_email, password: str = PASSWORD):
        email = getattr(user_or_email, "email", user_or_email)
        password = getattr(user_or_email, "password", None) or password
        return self._client.post("/login", data={"email": email, "password": password})

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def login(client, auth):
    """Log the test client in as `user`: login(student)."""

    def do(user):
        response = auth.login(user)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return do
