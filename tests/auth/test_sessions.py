"""Server-side login sessions (app/auth/session.py): a record per browser that logout, "log out everywhere",
a new password, deactivation and age end; the page where a user sees and ends their sessions."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.auth.deactivation import deactivate
from app.auth.services import password_link
from app.auth.session import MOST_PER_USER, load_user, start_session, token_hash
from app.extensions import db
from app.maintenance import purge
from app.models.accounts import LoginSession, User
from app.models.base import utcnow
from tests.auth.accounts import set_standing
from tests.conftest import PASSWORD
from tests.races import race

PHONE = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile " \
        "Safari/537.36"


def browser(app, user, ip="198.51.100.10", agent=PHONE):
    """A new test client logged in as `user` from `ip` with `agent`."""
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD},
                           environ_base={"REMOTE_ADDR": ip}, headers={"User-Agent": agent})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def signed_in(client) -> bool:
    return client.get("/issues/").status_code == 200


def records(app, user_id: int) -> list[LoginSession]:
    with app.app_context():
        rows = db.session.scalars(sa.select(LoginSession).where(LoginSession.user_id == user_id)
                                  .order_by(LoginSession.id)).all()
        db.session.expunge_all()
        return rows


def age(app, user_id: int, **fields) -> None:
    with app.app_context():
        db.session.execute(sa.update(LoginSession).where(LoginSession.user_id == user_id).values(**fields))
        db.session.commit()


def test_a_login_records_the_browser_and_the_page_lists_it(app, student):
    phone = browser(app, student)
    browser(app, student, ip="203.0.113.9", agent="Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 "
                                                  "Firefox/128.0")
    rows = records(app, student.id)
    assert [(row.ip, row.user_agent[:11]) for row in rows] == [("198.51.100.10", "Mozilla/5.0"),
                                                                ("203.0.113.9", "Mozilla/5.0")]
    page = phone.get("/account/sessions").get_data(as_text=True)
    assert "Chrome Mobile 120 on Android 14" in page and "Firefox 128 on Ubuntu" not in page
    assert "Firefox 128 on Linux" in page and "203.0.113.9" in page
    assert page.count("This browser") == 1


def test_the_cookie_holds_a_random_token_and_the_table_only_its_hash(app, client, student):
    browser_client = browser(app, student)
    with browser_client.session_transaction() as session:
        token = session["_user_id"]
    assert len(token) >= 40 and str(student.id) != token
    [row] = records(app, student.id)
    assert row.token_hash == token_hash(token) and token not in row.token_hash


def test_a_cookie_copied_before_logout_no_longer_works(app, student):
    original = browser(app, student)
    cookie = original.get_cookie("session").value
    assert original.post("/logout").status_code == 302
    assert records(app, student.id) == []
    replay = app.test_client()
    replay.set_cookie("session", cookie)
    response = replay.get("/issues/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_ending_another_session_logs_that_browser_out_only(app, student):
    phone, laptop = browser(app, student), browser(app, student, ip="203.0.113.9")
    laptop_row = records(app, student.id)[1]
    assert phone.post(f"/account/sessions/{laptop_row.id}/end").status_code == 302
    assert not signed_in(laptop) and signed_in(phone)


def test_log_out_all_others_keeps_this_browser(app, student):
    phone, laptop, tablet = (browser(app, student, ip=f"203.0.113.{n}") for n in (1, 2, 3))
    response = phone.post("/account/sessions/end-others", follow_redirects=True)
    assert "Logged out 2 other sessions." in response.get_data(as_text=True)
    assert signed_in(phone) and not signed_in(laptop) and not signed_in(tablet)


def test_log_out_everywhere_ends_this_browser_too(app, student):
    phone, laptop = browser(app, student), browser(app, student, ip="203.0.113.9")
    response = phone.post("/account/sessions/end-all")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert not signed_in(phone) and not signed_in(laptop) and records(app, student.id) == []


def test_nobody_ends_another_users_session(app, student, make_user, house):
    other = make_user(email="other@example.ac.za", house=house, room="102")
    browser(app, other)
    [theirs] = records(app, other.id)
    mine = browser(app, student)
    assert mine.post(f"/account/sessions/{theirs.id}/end").status_code == 404
    assert mine.post("/account/sessions/999999/end").status_code == 404
    assert [row.id for row in records(app, other.id)] == [theirs.id]
    page = mine.get("/account/sessions").get_data(as_text=True)
    assert f"/account/sessions/{theirs.id}/end" not in page and page.count("/end\"") == 1


def test_a_new_password_ends_every_session_and_starts_one_here(app, student):
    phone, laptop = browser(app, student), browser(app, student, ip="203.0.113.9")
    with app.test_request_context():
        path = password_link(db.session.get(User, student.id)).removeprefix(app.config["BASE_URL"])
    new_browser, password = app.test_client(), "a-brand-new-lantern-42"
    assert new_browser.post(path, data={"password": password, "confirm": password}).status_code == 302
    assert not signed_in(phone) and not signed_in(laptop) and signed_in(new_browser)
    assert len(records(app, student.id)) == 1


def test_deactivation_ends_every_session(app, student):
    phone = browser(app, student)
    with app.app_context():
        deactivate(db.session.get(User, student.id))
        db.session.commit()
    assert not signed_in(phone) and records(app, student.id) == []


def test_a_deactivated_accounts_live_session_does_not_load(app, student):
    """Even with its session row still there (deactivated by another process, or by hand), the account is
    signed out at its next request (app/auth/session.py, load_user)."""
    phone = browser(app, student)
    with phone.session_transaction() as cookie:
        token = cookie["_user_id"]
    with app.test_request_context():
        assert load_user(token).id == student.id
    set_standing(app, student.id, deactivated_at=utcnow())
    assert len(records(app, student.id)) == 1
    with app.test_request_context():
        assert load_user(token) is None  # the loader itself refuses it, whatever the pages check besides
    assert not signed_in(phone)


def test_use_is_recorded_at_most_once_in_five_minutes(app, student):
    phone = browser(app, student)
    age(app, student.id, last_seen_at=utcnow() - timedelta(minutes=4))
    assert phone.get("/issues/", environ_base={"REMOTE_ADDR": "192.0.2.77"}).status_code == 200
    [row] = records(app, student.id)
    assert row.ip == "198.51.100.10"  # used 4 minutes ago: not written again
    age(app, student.id, last_seen_at=utcnow() - timedelta(minutes=6))
    assert phone.get("/issues/", environ_base={"REMOTE_ADDR": "192.0.2.77"}).status_code == 200
    [row] = records(app, student.id)
    assert row.ip == "192.0.2.77" and utcnow() - row.last_seen_at < timedelta(minutes=1)


@pytest.mark.parametrize("field, days", [("last_seen_at", "SESSION_IDLE_DAYS"), ("created_at", "SESSION_MAX_DAYS")])
def test_old_sessions_end_and_are_purged(app, student, field, days):
    phone = browser(app, student)
    age(app, student.id, **{field: utcnow() - timedelta(days=app.config[days], minutes=1)})
    assert not signed_in(phone)
    with app.app_context():
        assert purge()["login sessions"] == 1
    assert records(app, student.id) == []


def test_purge_keeps_live_sessions(app, student):
    browser(app, student)
    age(app, student.id, last_seen_at=utcnow() - timedelta(days=app.config["SESSION_IDLE_DAYS"] - 1))
    with app.app_context():
        assert purge()["login sessions"] == 0
    assert len(records(app, student.id)) == 1


def test_one_account_keeps_at_most_its_newest_sessions(app, student):
    first = browser(app, student)
    age(app, student.id, last_seen_at=utcnow() - timedelta(hours=1))
    for _ in range(MOST_PER_USER):
        browser(app, student)
    assert len(records(app, student.id)) == MOST_PER_USER and not signed_in(first)


def test_parallel_sign_ins_of_a_full_account_each_get_in_and_keep_the_limit(app, student):
    """Sign-ins of one account at the same moment (as university sign-in does them: no password limiter in
    between), once it holds its most sessions, each trim the oldest: they take the account's row lock first, so
    MariaDB never answers one of them with a deadlock (1213, a 503 page)."""
    with app.app_context():
        db.session.execute(sa.insert(LoginSession), [
            {"token_hash": f"{n:064x}", "user_id": student.id, "ip": "198.51.100.1", "user_agent": PHONE,
             "last_seen_at": utcnow() - timedelta(minutes=n)} for n in range(MOST_PER_USER)])
        db.session.commit()

    def sign_in(n: int) -> None:
        with app.test_request_context(environ_base={"REMOTE_ADDR": f"198.51.100.{20 + n}"}):
            start_session(db.session.get(User, student.id))
            db.session.remove()

    race([lambda n=n: sign_in(n) for n in range(8)])
    assert len(records(app, student.id)) == MOST_PER_USER
