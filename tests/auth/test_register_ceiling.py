"""Registrations from many client addresses cannot starve password resets: verification mail of every anonymous
client together has a ceiling below the security reserve (MAIL_ANONYMOUS_SECURITY_SHARE); over it the page says
"try again later", keeps the input and stores nothing. IPv6 clients are limited by their /64."""
import pytest

from app.emailer import budget, causes
from app.models.mail import Purpose
from tests.auth.accounts import accounts_count, mails, register_form
from tests.conftest import PASSWORD

# security share 50 a day; all anonymous verification mail 25 a day; one client address 10
DAY = {"MAIL_DAILY_LIMIT": 500}


@pytest.mark.parametrize("app", [DAY], indirect=True)
def test_forty_addresses_registering_leave_room_for_a_reset(app, house, make_user, smtp_server, runner):
    known = make_user(email="known@example.ac.za", house=house)
    codes = []
    for ip in range(40):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"198.51.100.{ip + 1}"
        for n in range(5):
            codes.append(client.post("/register", data=register_form(email=f"bot{ip}x{n}@example.ac.za")))
    refused = [r for r in codes if r.status_code == 429]
    assert sum(r.status_code == 302 for r in codes) == 25 and len(refused) == 175
    page = refused[-1].get_data(as_text=True)
    assert "try again later" in page and 'value="bot39x4@example.ac.za"' in page and PASSWORD not in page
    assert accounts_count(app) == 1 + 25 and len(mails(app, "verify_email")) == 25  # nothing half-stored
    with app.app_context():
        assert {"cause": "anonymous-security", "queued": 25, "held_back": 175, "cap": 25} in causes.top_causes()
    reset = app.test_client()
    reset.environ_base["REMOTE_ADDR"] = "203.0.113.200"
    assert reset.post("/password/forgot", data={"email": known.email}).status_code == 302
    assert runner.invoke(args=["mail", "drain"]).exit_code == 0
    assert [m["To"] for m in smtp_server.messages].count(known.email) == 1
    with app.app_context():
        assert budget.room(Purpose.SECURITY, budget.used_by_purpose()) > 0


def test_ipv6_clients_share_the_limit_of_their_64(app, house):
    app.config["REGISTER_PER_HOUR"] = 3
    codes = []
    for n in range(4):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"2001:db8:7:7::{n + 1:x}"
        codes.append(client.post("/register", data=register_form(email=f"v6x{n}@example.ac.za")).status_code)
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "2001:db8:7:8::1"
    codes.append(other.post("/register", data=register_form(email="v6other@example.ac.za")).status_code)
    assert codes == [302, 302, 302, 429, 302]
