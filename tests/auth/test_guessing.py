"""Guessing limits across addresses (app/auth/guessing.py): per account (a growing delay and a daily ceiling),
per client address across accounts, per (account, address); atomic under parallel requests; the same hash
time for unknown addresses."""
import statistics
import time
from functools import partial

import pytest
import sqlalchemy as sa

from app.auth import guessing
from app.extensions import db
from app.limits import digest
from app.models.limits import RateCount
from tests.conftest import PASSWORD
from tests.races import race

WRONG = "wrong-password-123"


def login(client, email, password, ip="198.51.100.1"):
    return client.post("/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": ip})


def counted(app, key: str) -> int:
    with app.app_context():
        return int(db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(RateCount.count), 0))
                                     .where(RateCount.key == key)))


def test_the_account_delay_grows_and_keeps_the_form_but_the_password(app, client, student, clock):
    for _ in range(5):
        assert login(client, student.email, WRONG).status_code == 400
    refused = login(client, student.email, WRONG)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429 and "wait 1 second before trying again" in page
    assert f'value="{student.email}"' in page and WRONG not in page
    clock.advance(1.5)
    assert login(client, student.email, WRONG).status_code == 400  # the sixth failure
    assert "wait 2 seconds" in login(client, student.email, PASSWORD).get_data(as_text=True)
    clock.advance(2.5)
    assert login(client, student.email, PASSWORD).status_code == 302


def test_a_clean_address_logs_in_once_the_delay_has_passed(app, client, student, clock):
    attacker = app.test_client()
    for n in range(10):  # the attacker's pair limit is used up, and the delay has grown to 2^5 seconds
        clock.advance(40)
        assert login(attacker, student.email, WRONG, ip="203.0.113.66").status_code == 400, n
    assert login(client, student.email, PASSWORD, ip="198.51.100.7").status_code == 429  # the account's delay
    clock.advance(33)
    assert login(attacker, student.email, PASSWORD, ip="203.0.113.66").status_code == 429  # its pair limit
    assert login(client, student.email, PASSWORD, ip="198.51.100.7").status_code == 302


@pytest.mark.parametrize("app", [{"LOGIN_DELAY_MAX": 60}], indirect=True)
def test_failures_from_ten_addresses_stop_at_the_account_ceiling(app, client, student, clock):
    codes = []
    for n in range(100):
        clock.advance(61)  # past the delay each time: only the daily ceiling can stop them
        codes.append(login(client, student.email, WRONG, ip=f"10.0.0.{n % 10}").status_code)
    assert codes == [400] * 50 + [429] * 50
    assert counted(app, f"login:acct:{digest(student.email)}:day") == 50
    page = login(client, student.email, PASSWORD, ip="198.51.100.9").get_data(as_text=True)
    assert "Reset your password" in page  # the owner too, until a new password is set
    with app.app_context():
        guessing.clear_account(student.email)
        db.session.commit()
    assert login(client, student.email, PASSWORD, ip="198.51.100.9").status_code == 302


def test_one_address_over_many_accounts_meets_its_hourly_limit(app, client, make_user, house, clock):
    users = [make_user(house=house, email=f"s{n}@example.ac.za") for n in range(25)]
    codes = [login(client, user.email, WRONG, ip="203.0.113.9").status_code for user in users for _ in range(2)]
    assert codes == [400] * 30 + [429] * 20
    refused = login(client, users[0].email, PASSWORD, ip="203.0.113.9")
    assert refused.status_code == 429 and "from your network" in refused.get_data(as_text=True)
    assert login(client, users[0].email, PASSWORD, ip="203.0.113.10").status_code == 302  # another address


@pytest.mark.parametrize("app", [{"LOGIN_DELAY_AFTER": 100}], indirect=True)
def test_the_pair_limit_and_a_success_clearing_it(app, client, student):
    for _ in range(9):
        assert login(client, student.email, WRONG).status_code == 400
    assert login(client, student.email, PASSWORD).status_code == 302
    account = digest(student.email)
    assert counted(app, f"login:pair:{account}:198.51.100.1") == 0  # cleared
    assert counted(app, f"login:acct:{account}:day") == 9  # the success is no failure
    client.post("/logout")
    for _ in range(10):
        assert login(client, student.email, WRONG).status_code == 400
    refused = login(client, student.email, PASSWORD)
    assert refused.status_code == 429 and "Too many failed attempts" in refused.get_data(as_text=True)
    assert login(client, student.email, PASSWORD, ip="198.51.100.2").status_code == 302


def guess_at_once(app, email: str, count: int = 40) -> list[int]:
    """`count` wrong passwords for `email` at once, each from its own client; the status codes, sorted."""
    return sorted(r.status_code for r in race(partial(login, app.test_client(), email, WRONG, ip="192.0.2.40")
                                              for _ in range(count)))


@pytest.mark.parametrize("app", [{"LOGIN_DELAY_AFTER": 100}], indirect=True)
def test_forty_parallel_guesses_let_only_the_pair_limit_through(app, student):
    assert guess_at_once(app, student.email) == [400] * 10 + [429] * 30
    assert counted(app, f"login:pair:{digest(student.email)}:192.0.2.40") == 10


def test_forty_parallel_guesses_meet_the_account_delay(app, student, clock):  # the clock stands still
    assert guess_at_once(app, student.email) == [400] * 5 + [429] * 35


@pytest.mark.parametrize("app", [{"LOGIN_DELAY_AFTER": 100}], indirect=True)
def test_an_unknown_address_costs_the_same_hash_time(app, client, student):
    def timed(email: str, ip: str) -> float:
        started = time.perf_counter()
        assert login(client, email, WRONG, ip=ip).status_code == 400
        return time.perf_counter() - started

    login(client, "warm-up@example.ac.za", WRONG, ip="198.51.100.99")
    times = {student.email: [], "nobody@example.ac.za": []}
    for n in range(10):  # interleaved, so a busy moment of the machine falls on both
        for email, seen in times.items():
            seen.append(timed(email, f"198.51.100.{100 + n}"))
    known, unknown = (statistics.median(seen) for seen in times.values())
    print(f"login medians: known {known * 1000:.1f} ms, unknown {unknown * 1000:.1f} ms")
    assert max(known, unknown) / min(known, unknown) < 1.5, (known, unknown)
