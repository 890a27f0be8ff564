"""University sign-in settings checked when the app starts."""
import pytest

from app import create_app
from app.config import ConfigError
from tests.conftest import settings_for
from tests.oidc.fake_provider import FakeProvider


def test_passwords_off_needs_an_issuer(database_url, tmp_path):
    with pytest.raises(ConfigError, match="AUTH_PASSWORDS is off but OIDC_ISSUER is not set"):
        create_app({**settings_for(database_url, tmp_path), "AUTH_PASSWORDS": False})


def test_an_unreachable_issuer_stops_a_production_start(database_url, tmp_path):
    settings = {**settings_for(database_url, tmp_path), **FakeProvider().settings, "TESTING": False,
                "APP_ENV": "production"}
    with pytest.raises(ConfigError, match="discovery document .* could not be read"):
        create_app(settings)


def test_an_issuer_needs_a_client(database_url, tmp_path):
    with pytest.raises(ConfigError, match="without OIDC_CLIENT_ID"):
        create_app({**settings_for(database_url, tmp_path), "OIDC_ISSUER": "https://login.example.ac.za"})


def test_without_an_issuer_there_is_no_university_sign_in(database_url, tmp_path):
    client = create_app(settings_for(database_url, tmp_path)).test_client()
    assert "university account" not in client.get("/login").get_data(as_text=True)
    for path in ("/login/university", "/login/university/callback", "/login/university/details"):
        assert client.get(path).status_code == 404
