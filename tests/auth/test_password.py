import re

import sqlalchemy as sa

from app.extensions import db
from app.models import OutboxEmail


def queued_links(app):
    with app.app_context():
        return [e.context["link"] for e in db.session.scalars(sa.select(OutboxEmail).order_by(OutboxEmail.id))]


def test_forgot_password_queues_link_without_revealing_accounts(client, app, student):
    known = client.post("/password/forgot", data={"email": student.email}, follow_redirects=True)
    unknown = client.post("/password/forgot", data={"email": "nobody@example.ac.za"}, follow_redirects=True)
    strip = lambda r: re.sub(r"\s+", " ", r.get_data(as_text=True))  # noqa: E731
    assert strip(known) == strip(unknown)
    links = queued_links(app)
    assert len(links) == 1 and "/password/reset/" in links[0]


def test_reset_link_sets_password_once(client, app, auth, make_user, house):
    user = make_user(house=house, password=None)  # e.g. from a roster import
    client.post("/password/forgot", data={"email": user.email})
    path = queued_links(app)[0].removeprefix("http://localhost")
    response = client.post(path, data={"password": "a-brand-new-pass", "confirm": "a-brand-new-pass"})
    assert response.status_code == 302
    auth.logout()
    assert auth.login(user.email, "a-brand-new-pass").status_code == 302
    auth.logout()
    again = client.get(path, follow_redirects=True)
    assert "expired or was already used" in again.get_data(as_text=True)


def test_reset_with_mismatch_keeps_link_valid(client, app, student):
    client.post("/password/forgot", data={"email": student.email})
    path = queued_links(app)[0].removeprefix("http://localhost")
    response = client.post(path, data={"password": "a-brand-new-pass", "confirm": "different-pass-1"})
    assert response.status_code == 400
    assert "The two passwords do not match." in response.get_data(as_text=True)
    assert client.get(path).status_code == 200


def test_tampered_token_is_refused(client):
    response = client.get("/password/reset/not-a-real-token", follow_redirects=True)
    assert "expired or was already used" in response.get_data(as_text=True)


def test_link_expires_after_24_hours(client, app, student, monkeypatch):
    import time

    from app.auth.services import make_password_token
    from app.models import User

    real = time.time
    with app.app_context(), monkeypatch.context() as patch:
        patch.setattr(time, "time", lambda: real() - 24 * 3600 - 5)  # issued just over a day ago
        old = make_password_token(db.session.get(User, student.id))
        patch.setattr(time, "time", lambda: real() - 24 * 3600 + 60)  # issued just under a day ago
        recent = make_password_token(db.session.get(User, student.id))
    expired = client.get(f"/password/reset/{old}", follow_redirects=True)
    assert "expired or was already used" in expired.get_data(as_text=True)
    assert client.get(f"/password/reset/{recent}").status_code == 200


def test_link_carries_no_part_of_the_password_hash(app, student):
    import base64

    from app.auth.services import make_password_token
    from app.models import User

    with app.app_context():
        user = db.session.get(User, student.id)
        payload = make_password_token(user).split(".")[0]
        decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
        assert user.password_hash.split("$")[-1][-8:] not in decoded


def test_setting_a_new_password_ends_every_other_session(app, student):
    other_device, this_device = app.test_client(), app.test_client()
    other_device.post("/login", data={"email": student.email, "password": student.password})
    assert other_device.get("/issues/").status_code == 200
    this_device.post("/password/forgot", data={"email": student.email})
    path = queued_links(app)[0].removeprefix("http://localhost")
    this_device.post(path, data={"password": "a-brand-new-pass", "confirm": "a-brand-new-pass"})
    assert this_device.get("/issues/").status_code == 200  # the device that set it stays logged in
    response = other_device.get("/issues/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_password_hashes_run_one_at_a_time(monkeypatch, app):
    """werkzeug's scrypt takes 32 MB while it runs: 8 threads signing in at once took a worker past 280 MB."""
    import threading
    import time

    from app.models import accounts

    running, most, lock = [0], [0], threading.Lock()

    def counted(*args):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.02)
        with lock:
            running[0] -= 1
        return True

    monkeypatch.setattr(accounts, "check_password_hash", counted)
    monkeypatch.setattr(accounts, "generate_password_hash", lambda password: counted() and "hashed")
    user = accounts.User(email="a@example.ac.za", name="A", password_hash="x")
    threads = [threading.Thread(target=user.check_password, args=("pw",)) for _ in range(4)]
    threads += [threading.Thread(target=user.set_password, args=("pw",)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most[0] == 1
