"""The reminder button against the outbox: one bulk email per student who has not submitted, cooldown, cap,
double click, links, history and batch progress."""
import os
import re
import threading
import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Role
from app.models.mail import MailStatus, OutboxEmail, Purpose
from app.models.move_in import MoveInReminder, ReminderBatch
from app.move_in import invite
from tests.conftest import PASSWORD
from tests.move_in.conftest import make_form


@pytest.fixture
def students(app, make_user, house):
    """Four students of the house: one submitted, one with a draft, one not started, one without a password."""
    done = make_user(Role.STUDENT, house=house, room="101", name="Ada", email="ada@example.ac.za")
    draft = make_user(Role.STUDENT, house=house, room="102", name="Ben", email="ben@example.ac.za")
    idle = make_user(Role.STUDENT, house=house, room="103", name="Cy", email="cy@example.ac.za")
    invited = make_user(Role.STUDENT, house=house, room="104", name="Dee", email="dee@example.ac.za", password=None)
    make_form(app, done, "submitted")
    make_form(app, draft, "draft")
    return done, draft, idle, invited


def outbox(app):
    with app.app_context():
        return db.session.scalars(sa.select(OutboxEmail).order_by(OutboxEmail.to_address)).all()


def press(client, house="acacia"):
    return client.post("/admin/move-in/reminders", data={"house": house}, follow_redirects=True)


def test_button_queues_one_bulk_reminder_per_student_not_submitted(app, login, admin, students):
    response = press(login(admin))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert re.search(r"3 reminders queued; at the current budget the last goes out by \d\d \w{3} 20\d\d, \d\d:\d\d "
                     "SAST",
                     page)  # the residence's time
    emails = outbox(app)
    assert [e.to_address for e in emails] == ["ben@example.ac.za", "cy@example.ac.za", "dee@example.ac.za"]
    assert {(e.template, e.purpose, e.status) for e in emails} == {
        ("move_in_reminder", Purpose.BULK, MailStatus.QUEUED)}
    assert len({e.batch for e in emails}) == 1 and emails[0].batch
    assert 'data-progress-url="/admin/move-in/batches/%s"' % emails[0].batch in page
    assert '<dd data-count="queued">3</dd>' in page


def test_links_lead_to_the_form(app, client, login, admin, students):
    press(login(admin))
    by_address = {e.to_address: e.context for e in outbox(app)}
    assert by_address["cy@example.ac.za"]["link"] == "http://localhost/move-in/"
    assert by_address["cy@example.ac.za"]["set_password"] is False
    invite = by_address["dee@example.ac.za"]
    assert invite["set_password"] is True and invite["link"].startswith("http://localhost/move-in/welcome/")

    client.post("/logout")
    response = client.get(urlsplit(invite["link"]).path)
    assert response.status_code == 302 and "/password/reset/" in response.headers["Location"]
    reset = urlsplit(response.headers["Location"])
    path = reset.path + "?" + reset.query
    assert client.get(path).status_code == 200
    response = client.post(path, data={"password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/move-in/"
    assert "Move-in form" in client.get("/move-in/").get_data(as_text=True)
    client.post("/logout")

    response = client.get(urlsplit(invite["link"]).path)  # used up once the password is set
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")


def test_invite_outlives_the_set_password_link_but_not_forever(app, client, students):
    invited = students[3]
    with app.test_request_context():
        today = invite._today()
        fresh = f"/move-in/welcome/{invited.id}.{today - 3}.{invite._signature(invited.id, today - 3)}"
        stale = f"/move-in/welcome/{invited.id}.{today - 31}.{invite._signature(invited.id, today - 31)}"
        forged = f"/move-in/welcome/{invited.id}.{today}.{invite._signature(invited.id + 1, today)}"
        other = f"/move-in/welcome/{students[2].id}.{today}.{invite._signature(students[2].id, today)}"
    assert "/password/reset/" in client.get(fresh).headers["Location"]  # three days on, still works
    for token in (stale, forged, "/move-in/welcome/garbage"):
        assert client.get(token).headers["Location"] == "/password/forgot"
    assert client.get(other).headers["Location"].startswith("/login")  # has a password already


def test_second_press_within_cooldown_sends_nothing(app, login, admin, students):
    client = login(admin)
    press(client)
    page = press(client).get_data(as_text=True)
    assert "No reminders queued. 3 students not reminded: reminded or invited in the last 24 hours" in page
    assert len(outbox(app)) == 3


def test_after_the_cooldown_students_are_reminded_again_up_to_the_cap(app, login, admin, students):
    app.config["MOVE_IN_REMINDER_CAP"] = 2
    client = login(admin)
    for expected in (3, 6, 6):
        press(client)
        with app.app_context():  # pretend a day has gone by
            for reminder in db.session.scalars(sa.select(MoveInReminder)):
                reminder.created_at -= timedelta(hours=25)
            db.session.commit()
        assert len(outbox(app)) == expected
    assert "at the yearly cap of 2" in press(client).get_data(as_text=True)


def test_cooldown_is_configurable(app, login, admin, students):
    app.config["MOVE_IN_REMINDER_COOLDOWN_HOURS"] = 0
    client = login(admin)
    press(client)
    press(client)
    assert len(outbox(app)) == 6


class HeldPresses:
    """Holds each press right after the statement that records who is due (its transaction still open) until
    the other press has recorded its own, or waits for a lock this press holds. So both presses are in flight
    together: without the per-house lock the second decides before the first commits."""

    WRITES = ("INSERT", "UPDATE", "DELETE")

    def __init__(self, engine, probe: sa.Engine):
        self.engine, self.probe = engine, probe
        self.decided: dict[int, threading.Event] = {}
        self.last: dict[int, str] = {}
        self.writing: dict[int, bool] = {}  # SQLite: a write in progress waits for the other's write lock
        self.server_ids: dict[int, int] = {}  # MariaDB: connection ids, to find who waits for a lock
        self.errors: list[str] = []
        self.ready = threading.Barrier(2)

    def enter(self) -> None:
        """Called by each press's thread before it sends its request (returns once both have)."""
        self.decided[threading.get_ident()] = threading.Event()
        self.ready.wait(timeout=30)

    def before(self, conn, cursor, statement, *args) -> None:
        me = threading.get_ident()
        if me in self.decided:
            if self.engine.dialect.name != "sqlite":
                self.server_ids[me] = conn.connection.dbapi_connection.thread_id()
            self.writing[me] = statement.lstrip().upper().startswith(self.WRITES)
            self.last[me] = " ".join(statement.split())[:60]

    def after(self, conn, cursor, statement, *args) -> None:
        me = threading.get_ident()
        if me not in self.decided:
            return
        self.writing[me] = False
        if statement.lstrip().upper().startswith("INSERT INTO " + MoveInReminder.__tablename__.upper()):
            self.decided[me].set()
            [other] = [thread for thread in self.decided if thread != me]
            deadline = time.monotonic() + 30
            while not (self.decided[other].is_set() or self._waits_for_lock(other)):
                if time.monotonic() > deadline:
                    self.errors.append(f"the other press neither decided nor waited: {self.last.get(other)}")
                    break
                self.decided[other].wait(0.01 if self.engine.dialect.name == "sqlite" else 0.2)

    def _waits_for_lock(self, thread: int) -> bool:
        if self.engine.dialect.name == "sqlite":
            return self.writing.get(thread, False)  # one writer at a time: it waits for us
        # innodb_trx is a cache refreshed only when read more than 0.1 s after the previous read.
        with self.probe.connect() as conn:
            waiting = set(conn.scalars(sa.text(
                "SELECT trx_mysql_thread_id FROM information_schema.innodb_trx WHERE trx_state = 'LOCK WAIT'")))
        return self.server_ids.get(thread) in waiting


@pytest.fixture
def held_presses(app, database_url):
    probe = sa.create_engine(database_url)
    with app.app_context():
        engine = db.engine
    held = HeldPresses(engine, probe)
    sa.event.listen(engine, "before_cursor_execute", held.before)
    sa.event.listen(engine, "after_cursor_execute", held.after)
    yield held
    sa.event.remove(engine, "before_cursor_execute", held.before)
    sa.event.remove(engine, "after_cursor_execute", held.after)
    probe.dispose()


ON_MYSQL = os.environ.get("TEST_DATABASE_URL", "").startswith("mysql")


@pytest.mark.parametrize("app", [
    pytest.param({}, id="default-isolation"),
    pytest.param({"SQLALCHEMY_ENGINE_OPTIONS": {"isolation_level": "READ COMMITTED", "pool_pre_ping": True}},
                 id="read-committed", marks=pytest.mark.skipif(not ON_MYSQL, reason="MariaDB/MySQL only")),
], indirect=True)
def test_concurrent_double_click_sends_once(app, admin, students, held_presses):
    """Two presses at the same time from two sessions: every student gets exactly one reminder.

    The second press must wait for the first press's lock before it works out who is due. Without the per-house
    lock, READ COMMITTED lets both queue for everyone; SQLite (one writer) and REPEATABLE READ (INSERT ... SELECT
    takes shared locks) serialise the presses anyway, except for a rare deadlock.
    """
    clients = [app.test_client() for _ in range(2)]
    for c in clients:
        assert c.post("/login", data={"email": admin.email, "password": PASSWORD}).status_code == 302
    codes = []

    def click(c):
        held_presses.enter()
        codes.append(c.post("/admin/move-in/reminders", data={"house": "acacia"}).status_code)

    threads = [threading.Thread(target=click, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert held_presses.errors == []
    assert codes == [302, 302]
    assert sorted(e.to_address for e in outbox(app)) == ["ben@example.ac.za", "cy@example.ac.za",
                                                         "dee@example.ac.za"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(MoveInReminder.id))) == 3


def test_batch_progress_json(app, client, login, admin, students, make_house, make_user):
    press(login(admin))
    emails = outbox(app)
    batch = emails[0].batch
    with app.app_context():
        db.session.execute(sa.update(OutboxEmail).where(OutboxEmail.to_address == "ben@example.ac.za")
                           .values(status=MailStatus.SENT))
        db.session.execute(sa.update(OutboxEmail).where(OutboxEmail.to_address == "cy@example.ac.za")
                           .values(status=MailStatus.FAILED))
        db.session.commit()
    data = client.get(f"/admin/move-in/batches/{batch}").get_json()
    assert data["estimated_done"] and data.pop("estimated_done_local").endswith(" SAST")  # residence time
    del data["estimated_done"]
    assert data == {"batch": batch, "total": 3, "sent": 1, "queued": 1, "waiting": 0, "failed": 1, "unknown": 0,
                    "done": False}
    client.post("/logout")
    outsider = make_user(Role.ADMIN, admin_of=[make_house("baobab")], email="outsider@example.ac.za")
    assert login(outsider).get(f"/admin/move-in/batches/{batch}").status_code == 404


def test_json_answer_for_scripts(app, login, admin, students):
    response = login(admin).post("/admin/move-in/reminders", data={"house": "acacia"},
                                 headers={"Accept": "application/json"})
    data = response.get_json()
    assert data["queued"] == 3 and data["skipped"] == 0 and data["batch"] and data["last_out_by"]
    assert data["message"].startswith("3 reminders queued; at the current budget the last goes out by ")


def test_reminder_history_per_student(app, client, login, admin, students):
    _done, draft, _idle, _invited = students
    press(login(admin))
    with app.app_context():
        db.session.execute(sa.update(OutboxEmail).where(OutboxEmail.to_address == draft.email)
                           .values(status=MailStatus.SENT, sent_at=OutboxEmail.created_at))
        batch = db.session.scalar(sa.select(ReminderBatch.id))
        db.session.commit()
    page = client.get(f"/admin/move-in/students/{draft.id}").get_data(as_text=True)
    assert "1 this year (at most 5)" in page and "Delivered " in page and batch[:8] in page
    idle_page = client.get(f"/admin/move-in/students/{students[2].id}").get_data(as_text=True)
    assert "Waiting to be sent" in idle_page


def test_nothing_to_remind(app, login, admin, house):
    page = press(login(admin)).get_data(as_text=True)
    assert "No reminders queued." in page
    assert outbox(app) == []


def test_missing_house_field(login, admin):
    assert login(admin).post("/admin/move-in/reminders", data={}).status_code == 400


def test_button_counts_only_students_a_press_would_remind(app, login, admin, students):
    client = login(admin)
    page = press(client).get_data(as_text=True)
    assert "Remind 0 who have not submitted" in page
    assert page[page.index("Remind 0") - 60:page.index("Remind 0")].count("disabled") == 1
    assert "3 not submitted but reminded or invited in the last 24 hours, or at the yearly cap." in page
    with app.app_context():  # a day later they are due again
        for reminder in db.session.scalars(sa.select(MoveInReminder)):
            reminder.created_at -= timedelta(hours=25)
        db.session.commit()
    page = client.get("/admin/move-in").get_data(as_text=True)
    assert "Remind 3 who have not submitted" in page and "reminded or invited in the last" not in page


def turn_reminders_off(app, *users) -> None:
    from app.models.mail_preferences import MailKind, MailPreference

    with app.app_context():
        db.session.add_all(MailPreference(user_id=u.id, kind=MailKind.MOVE_IN_REMINDERS, skipped=0) for u in users)
        db.session.commit()


def test_the_count_leaves_out_students_who_turned_reminders_off_and_says_so(app, login, admin, students):
    from app.models.mail_preferences import MailKind, MailPreference

    _done, draft, idle, invited = students
    turn_reminders_off(app, idle)
    client = login(admin)
    assert "Remind 2 who have not submitted" in client.get("/admin/move-in").get_data(as_text=True)
    assert "1 has turned move-in reminders off." in client.get("/admin/move-in").get_data(as_text=True)
    page = press(client).get_data(as_text=True)
    assert "2 reminders queued; at the current budget the last goes out by " in page
    assert "1 student has turned move-in reminders off (not emailed)." in page
    assert "not reminded: reminded or invited in the last" not in page  # the one who turned it off is not "skipped"
    assert [e.to_address for e in outbox(app)] == [draft.email, invited.email]
    assert '<dd data-count="total">2</dd>' in page
    with app.app_context():  # nothing recorded as a reminder for them; the email left out is counted once
        assert db.session.scalar(sa.select(sa.func.count()).select_from(MoveInReminder)
                                 .where(MoveInReminder.user_id == idle.id)) == 0
        assert db.session.scalar(sa.select(ReminderBatch.count)) == 2
        assert db.session.get(MailPreference, (idle.id, MailKind.MOVE_IN_REMINDERS)).skipped == 1


def test_json_counts_those_who_turned_reminders_off(app, login, admin, students):
    turn_reminders_off(app, students[1], students[2])
    data = login(admin).post("/admin/move-in/reminders", data={"house": "acacia"},
                             headers={"Accept": "application/json"}).get_json()
    assert (data["queued"], data["skipped"], data["turned_off"]) == (1, 0, 2)
    assert data["message"].startswith("1 reminder queued; ")
    assert data["message"].endswith(" 2 students have turned move-in reminders off (not emailed).")


def test_when_everyone_left_turned_reminders_off_nothing_is_queued(app, login, admin, students):
    turn_reminders_off(app, *students[1:])
    client = login(admin)
    page = press(client).get_data(as_text=True)
    assert "No reminders queued. 3 students have turned move-in reminders off (not emailed)." in page
    assert outbox(app) == []
    assert "Remind 0 who have not submitted" in page and "reminded or invited in the last" not in page
