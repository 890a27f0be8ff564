"""Registrations per client address (REGISTER_PER_HOUR, REGISTER_PER_DAY), raced in parallel as an attacker would."""
from functools import partial

import pytest

from tests.auth.accounts import accounts_count, mails, register_form
from tests.conftest import PASSWORD
from tests.races import race


def register_at_once(app, forms: list[tuple[dict, str]]) -> list[int]:
    """POST every (form, client address) at once from its own client; the status codes, sorted."""
    return sorted(r.status_code for r in race(
        partial(app.test_client().post, "/register", data=data, environ_base={"REMOTE_ADDR": ip})
        for data, ip in forms))


def test_mass_registration_from_one_address_stops_at_the_hourly_limit(app, house):
    forms = [(register_form(email=f"bot{n}@example.ac.za"), "203.0.113.5") for n in range(10)]
    assert register_at_once(app, forms) == [302] * 5 + [429] * 5
    assert accounts_count(app) == 5 and len(mails(app, "verify_email")) == 5


def test_each_client_address_has_its_own_limit(app, house):
    forms = [(register_form(email=f"bot{ip}x{n}@example.ac.za"), f"203.0.113.{ip}") for ip in (1, 2, 3)
             for n in range(6)]
    assert register_at_once(app, forms) == [302] * 15 + [429] * 3
    assert accounts_count(app) == 15


@pytest.mark.parametrize("app", [{"MAIL_DAILY_LIMIT": 2000}], indirect=True)  # mail caps above 20 a day
def test_the_daily_limit(app, client, house):
    app.config["REGISTER_PER_HOUR"] = 100
    codes = [client.post("/register", data=register_form(email=f"s{n}@example.ac.za")).status_code for n in range(21)]
    assert codes == [302] * 20 + [429]


def test_the_429_page_keeps_the_input_but_never_the_password(app, client, house):
    app.config["REGISTER_PER_HOUR"] = 0
    response = client.post("/register", data=register_form(name="Kept Name", room="107"))
    page = response.get_data(as_text=True)
    assert response.status_code == 429 and "Too many accounts were registered from your network" in page
    assert 'value="Kept Name"' in page and 'value="107"' in page and 'value="thandi@example.ac.za"' in page
    assert '<option selected value="acacia">' in page and PASSWORD not in page
    assert accounts_count(app) == 0 and mails(app) == []


def test_one_address_registered_many_times_at_once_is_one_account_and_one_email(app, house):
    forms = [(register_form(), f"198.51.100.{n}") for n in range(6)]
    codes = register_at_once(app, forms)
    assert codes.count(302) == 1 and set(codes) <= {302, 400, 429}
    assert accounts_count(app) == 1 and len(mails(app, "verify_email")) == 1
