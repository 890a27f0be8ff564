"""Settings come from the environment, and from a .env file in the working directory when present."""
import pytest

from app import create_app
from app.config import SETTINGS, ConfigError, load_config
from tests.conftest import PASSWORD, settings_for

DOTENV_KEYS = tuple(setting.name for setting in SETTINGS)


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
    (tmp_path / ".env").write_text("SECRET_KEY=from-dotenv\nALLOWED_EMAIL_DOMAINS=uni.ac.za\n")
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


@pytest.mark.parametrize(("variable", "value"), [
    ("MAIL_DAILY_LIMIT", "five hundred"), ("MAIL_DAILY_LIMIT", "-1"), ("MAIL_USE_TLS", "maybe"),
    ("MAIL_TIMEOUT", "0"), ("MAIL_TIMEOUT", "nan"), ("MAIL_SHARE_SECURITY", "1.5"), ("MAIL_SHARE_NOTICE", "0.9"),
    ("MAIL_RESERVE_MARGIN", "-0.5"), ("MAIL_RESERVE_MINIMUM_SHARE", "0.07"), ("MAIL_CAUSE_SHARE_STAFF", "2"),
    ("APP_ENV", "staging"), ("TARGET_URGENT_RESPONSE_HOURS", "0"), ("TARGET_NORMAL_FIX_HOURS", "-3"),
    ("TARGET_URGENT_FIX_HOURS", "2"), ("URGENT_FALLBACK_BY_HOUSE", "acacia desk@uni.ac.za"),
])
def test_a_bad_value_is_a_start_up_error_naming_the_variable(clean_env, tmp_path, variable, value):
    clean_env.setenv("APP_ENV", "development")
    clean_env.setenv(variable, value)
    with pytest.raises(ConfigError, match=variable):
        load_config(str(tmp_path))


def test_a_lease_shorter_than_a_write_interval_and_an_smtp_timeout_is_a_start_up_error(clean_env, tmp_path):
    """The issue's case (a 3 s lease, outcomes written every 5 s) sent mail twice: refused at start."""
    clean_env.setenv("APP_ENV", "development")
    clean_env.setenv("MAIL_LEASE_SECONDS", "3")
    with pytest.raises(ConfigError, match=r"MAIL_LEASE_SECONDS=3 is shorter than MAIL_FLUSH_SECONDS \+ MAIL_TIMEOUT"):
        load_config(str(tmp_path))
    clean_env.setenv("MAIL_FLUSH_SECONDS", "1")
    clean_env.setenv("MAIL_TIMEOUT", "2")
    assert load_config(str(tmp_path))["MAIL_LEASE_SECONDS"] == 3.0  # at the edge: allowed


def test_production_refuses_to_start_without_a_secret_key(clean_env, tmp_path):
    clean_env.setenv("ALLOWED_EMAIL_DOMAINS", "uni.ac.za")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config(str(tmp_path))
    clean_env.setenv("APP_ENV", "development")
    assert load_config(str(tmp_path))["SECRET_KEY"]  # a development key, for local runs only


def test_production_refuses_any_email_domain_unless_told_so(clean_env, tmp_path):
    clean_env.setenv("SECRET_KEY", "s3cret")
    with pytest.raises(ConfigError, match="ALLOWED_EMAIL_DOMAINS"):
        load_config(str(tmp_path))
    clean_env.setenv("ALLOW_ANY_EMAIL_DOMAIN", "1")
    assert load_config(str(tmp_path))["ALLOWED_EMAIL_DOMAINS"] == []


def test_every_default_is_written_once(clean_env, tmp_path):
    """Code reads settings as config[KEY]: every setting the app reads has its one default here."""
    clean_env.setenv("APP_ENV", "development")
    config = load_config(str(tmp_path))
    assert config["ERRORLOG_PAGE_SIZE"] == 25 and config["MAIL_POLL_SECONDS"] == 2.0
    assert config["MAIL_LEASE_SECONDS"] == 300.0  # derived: 10 x MAIL_TIMEOUT (30 s)
    assert config["MAIL_CATCHER_DIR"] == str(tmp_path / "mail")


def test_no_default_restated_in_the_code():
    """No `config.get("KEY", default)` and no second settings table anywhere in app/."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "app"
    offenders = [f"{path.relative_to(root)}: {match.group(0)}"
                 for path in root.rglob("*.py") if path.name != "config.py"
                 for match in re.finditer(r"config\.get\(\"[A-Z_]+\"[^)]*\)|os\.environ", path.read_text())]
    assert offenders == []


def test_local_time_tag_shows_residence_time_with_utc_in_the_tooltip(app):
    from datetime import datetime

    from app.localtime import time_tag

    with app.app_context():
        winter = datetime(2026, 12, 7, 7, 0, 5)
        expected = ('<time datetime="2026-12-07T07:00:05Z" title="2026-12-07 07:00 UTC">07 Dec 2026, 09:00 SAST'
                    '</time>')
        assert time_tag(winter) == expected and time_tag("2026-12-07T07:00:05") == expected
        assert time_tag("2026-12-07T07:00:05Z", seconds=True).endswith(">07 Dec 2026, 09:00:05 SAST</time>")
        assert time_tag(None) == "" and time_tag("") == ""
