"""University sign-in tests: every app here signs in at the real test provider (tests/fixtures/oidc.py)."""
import pytest

from app import create_app
from app.extensions import db
from tests.conftest import empty_tables, settings_for


@pytest.fixture
def app(database_url, _schema, tmp_path, request, oidc_provider):
    overrides = getattr(request, "param", None) or {}
    app = create_app({**settings_for(database_url, tmp_path), **oidc_provider.settings, **overrides})
    yield app
    with app.app_context():
        db.session.remove()
        empty_tables(db.engine)
        db.engine.dispose()
