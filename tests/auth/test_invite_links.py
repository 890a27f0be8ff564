"""Set-password links: an invitation (admin or roster added student, staff, house admin) lives INVITE_LINK_DAYS
(default 7), a reset link 24 hours; checked with an injected clock."""
from datetime import datetime, timedelta, timezone

import pytest

from app import create_app
from app.auth.services import user_from_token
from app.config import ConfigError
from app.emailer.render import render_parts
from tests.auth.accounts import mails
from tests.conftest import settings_for

ROSTER = "email,name,room\nana@example.ac.za,Ana A,101\n"


def alive(app, link: str, after: timedelta) -> bool:
    """Whether `link` still sets a password `after` it was made (made just now)."""
    token = link.split("/password/reset/", 1)[1].split("?")[0]
    with app.app_context():
        return user_from_token(token, now=datetime.now(timezone.utc) + after) is not None


def invitations(app, client, login, admin, developer, runner, tmp_path) -> dict[str, str]:
    """One invitation of each kind: template -> its link."""
    login(admin)
    assert client.post("/admin/residents/new", data={"name": "Lindiwe Dube", "email": "lindiwe@example.ac.za",
                                                      "house": "acacia", "room": "105"}).status_code == 302
    assert client.post("/admin/staff", data={"name": "Lindiwe Plumber", "email": "plumber@contractor.example.com",
                                             "house": "acacia"}).status_code == 302
    client.post("/logout")
    login(developer)
    assert client.post("/dev/houses/acacia/admins", data={"admin-email": "warden@example.com",
                                                           "admin-name": "Wanda Warden"}).status_code == 302
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER)
    assert runner.invoke(args=["users", "import-roster", str(roster), "--house", "acacia"]).exit_code == 0
    return {(m.template, m.to): m.context["link"] for m in mails(app) if m.template.endswith("_invite")}


def test_invitations_live_a_week_and_reset_links_a_day(app, client, login, admin, developer, runner, tmp_path,
                                                        student):
    links = invitations(app, client, login, admin, developer, runner, tmp_path)
    assert sorted(links) == [("account_invite", "ana@example.ac.za"), ("account_invite", "lindiwe@example.ac.za"),
                             ("admin_invite", "warden@example.com"), ("staff_invite", "plumber@contractor.example.com")]
    for link in links.values():
        assert alive(app, link, timedelta(days=6, hours=23))
        assert not alive(app, link, timedelta(days=7, minutes=1))
    client.post("/logout")
    client.post("/password/forgot", data={"email": student.email})
    (reset,) = [m.context["link"] for m in mails(app, "password_reset")]
    assert alive(app, reset, timedelta(hours=23, minutes=59))
    assert not alive(app, reset, timedelta(hours=24, minutes=1))
    with app.app_context():
        invite = next(m for m in mails(app, "staff_invite"))
        text = render_parts("staff_invite", invite.context, logo=False)[1]
    assert "the link works once, for 7 days" in text


@pytest.mark.parametrize("app", [{"INVITE_LINK_DAYS": 2}], indirect=True)
def test_the_invitation_lifetime_is_a_setting(app, client, login, admin):
    login(admin)
    client.post("/admin/residents/new", data={"name": "Lindiwe Dube", "email": "lindiwe@example.ac.za",
                                              "house": "acacia", "room": "105"})
    (invite,) = mails(app, "account_invite")
    assert alive(app, invite.context["link"], timedelta(days=1, hours=23))
    assert not alive(app, invite.context["link"], timedelta(days=2, minutes=1))


def test_a_zero_day_invitation_is_a_start_up_error(monkeypatch, tmp_path, database_url):
    monkeypatch.setenv("INVITE_LINK_DAYS", "0")
    with pytest.raises(ConfigError, match="INVITE_LINK_DAYS must be at least 1"):
        create_app(settings_for(database_url, tmp_path))
