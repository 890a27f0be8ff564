"""The reminder batch against a real SMTP server and a small daily budget: reminders beyond the budget stay
queued and leave when the window frees up, status emails still go out first (the reserve), and neither a
second press nor a double click sends anything twice."""
import re
from datetime import datetime, timedelta
from functools import partial

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Role
from app.models.base import utcnow
from app.models.mail import MailStatus, OutboxEmail
from tests.conftest import PASSWORD
from tests.move_in.conftest import complete_form
from tests.races import race

# 6 recipients per rolling day, half of them reserved for notices (no history yet): at most 3 reminders a day.
SMALL_BUDGET = {"MAIL_DAILY_LIMIT": 6, "MAIL_SHARE_SECURITY": 0, "MAIL_SHARE_ALERT": 0, "MAIL_SHARE_URGENT": 0,
                "MAIL_SHARE_NOTICE": 0.5}  # 3 notice reserved, 3 left for bulk
pytestmark = pytest.mark.parametrize("app", [SMALL_BUDGET], indirect=True)


@pytest.fixture
def five_students(make_user, house):
    return [make_user(Role.STUDENT, house=house, room=str(101 + i), name=f"Student {i}",
                      email=f"s{i}@example.ac.za") for i in range(5)]


def drain(runner):
    result = runner.invoke(args=["mail", "drain"])
    assert result.exit_code == 0, result.output + repr(result.exception)


def reminders_received(smtp_server) -> list[str]:
    return sorted(m["To"] for m in smtp_server.messages if m["Subject"].startswith("Please complete"))


def window_passes(app):
    """Move every budget charge back a day, as if the rolling window had moved on."""
    with app.app_context():
        for row in db.session.scalars(sa.select(OutboxEmail).where(OutboxEmail.charged_at.is_not(None))):
            row.charged_at -= timedelta(hours=25)
        db.session.commit()


def test_reminders_beyond_the_budget_wait_for_the_window(app, client, login, admin, five_students, smtp_server,
                                                         runner):
    before, connections = utcnow(), smtp_server.connections
    login(admin)
    page = client.post("/admin/move-in/reminders", data={"house": "acacia"}, follow_redirects=True)
    text = page.get_data(as_text=True)
    match = re.search(r"5 reminders queued; at the current budget the last goes out by (\S+ \S+ \S+, \S+) SAST", text)
    assert match, text  # shown in the residence's time, UTC+2
    last_out_by = datetime.strptime(match[1], "%d %b %Y, %H:%M") - timedelta(hours=2)
    assert last_out_by >= before + timedelta(hours=23, minutes=59)  # 2 of the 5 must wait a day
    batch = re.search(r"/admin/move-in/batches/(\w+)", text)[1]
    assert smtp_server.connections == connections  # the request only wrote rows; the worker talks SMTP

    drain(runner)
    assert len(reminders_received(smtp_server)) == 3
    progress = client.get(f"/admin/move-in/batches/{batch}").get_json()
    assert (progress["sent"], progress["queued"], progress["waiting"], progress["done"]) == (3, 2, 2, False)

    drain(runner)  # nothing more today
    assert len(reminders_received(smtp_server)) == 3

    window_passes(app)
    drain(runner)
    assert reminders_received(smtp_server) == [s.email for s in five_students]
    progress = client.get(f"/admin/move-in/batches/{batch}").get_json()
    assert (progress["sent"], progress["queued"], progress["done"]) == (5, 0, True)
    message = next(m for m in smtp_server.messages if m["To"] == five_students[0].email)
    assert "http://localhost/move-in/" in message.get_body(("plain",)).get_content()


def test_status_emails_still_go_out_while_reminders_wait(app, client, login, admin, five_students, smtp_server,
                                                         runner):
    login(admin).post("/admin/move-in/reminders", data={"house": "acacia"})
    drain(runner)
    assert len(reminders_received(smtp_server)) == 3  # the bulk share of the budget is used up
    client.post("/logout")

    login(five_students[4]).post("/move-in/", data=complete_form())  # queued after the waiting reminders
    drain(runner)
    copies = [m for m in smtp_server.messages if m["Subject"].startswith("Your move-in form")]
    assert [m["To"] for m in copies] == [five_students[4].email]
    assert len(reminders_received(smtp_server)) == 3
    with app.app_context():
        waiting = db.session.scalar(sa.select(sa.func.count(OutboxEmail.id))
                                    .where(OutboxEmail.status == MailStatus.QUEUED))
    assert waiting == 2


def test_second_press_and_double_click_never_send_twice(app, admin, five_students, smtp_server, runner):
    clients = [app.test_client() for _ in range(2)]
    for c in clients:
        c.post("/login", data={"email": admin.email, "password": PASSWORD})
    race((partial(c.post, "/admin/move-in/reminders", data={"house": "acacia"}) for c in clients), timeout=30)
    clients[0].post("/admin/move-in/reminders", data={"house": "acacia"})  # and once more, later
    for _ in range(2):
        window_passes(app)
        drain(runner)
    assert reminders_received(smtp_server) == [s.email for s in five_students]
