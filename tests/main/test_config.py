"""Settings come from the environment, and from a .env file in the working directory when present."""
import pytest

from app import create_app
from app.config import load_config
from tests.conftest import PASSWORD, settings_for

DOTENV_KEYS = ("SECRET_KEY", "ALLOWED_EMAIL_DOMAINS", "MAIL_DAILY_LIMIT", "SESSION_COOKIE_SECURE", "DATABASE_URL")


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """No setting in the environment; whatever a test or .env sets is removed afterwards."""
    for key in DOTENV_KEYS:
        monkeypatch.setenv(key, "")  # remembered, so the variable is restored (or removed) after the test
        monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


def test_dotenv_file_is_read(clean_env, tmp_path):
    (tmp_path / ".env").write_text("SECRET_KEY=from-dotenv\nALLOWED_EMAIL_DOMAINS=Uni.ac.za, other.ac.za\n"
                                   "MAIL_DAILY_LIMIT=1500\n")
    config = load_config(str(tmp_path / "instance"))
    assert config["SECRET_KEY"] == "from-dotenv"
    assert config["ALLOWED_EMAIL_DOMAINS"] == ["uni.ac.za", "other.ac.za"]
    assert config["MAIL_DAILY_LIMIT"] == 1500
    assert config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///" + str(tmp_path / "instance" / "rinaibra.db")


def test_environment_wins_over_dotenv(clean_env, tmp_path):
    (tmp_path / ".env").write_text("SECRET_KEY=from-dotenv\n")
    clean_env.setenv("SECRET_KEY", "from-environment")
    assert load_config(str(tmp_path))["SECRET_KEY"] == "from-environment"


def test_session_cookie_is_secure_when_configured(clean_env, database_url, _schema, tmp_path, make_user, house):
    clean_env.setenv("SESSION_COOKIE_SECURE", "1")
    app = create_app(settings_for(database_url, tmp_path))
    assert app.config["SESSION_COOKIE_SECURE"] is True
    client = app.test_client()
    cookie = client.post("/login", data={"email": make_user(house=house).email, "password": PASSWORD}) \
        .headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
