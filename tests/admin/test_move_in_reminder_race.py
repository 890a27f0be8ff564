"""Presses of the reminder button released together by a barrier (tests/races.py), on every database: each
student due gets one reminder, every press is answered, none fails on a locked database.

On SQLite the per-house lock (app/move_in/reminders.py, _lock_house) and the batch's own first write take the
same single write lock, so removing the lock alone changes nothing there; the lock's own test, holding one
press inside its transaction, is test_concurrent_double_click_sends_once (it fails without the lock on
MariaDB). This one fails on SQLite too when a press decides who is due before it holds the write lock."""
import sqlalchemy as sa

from app.extensions import db
from app.models.move_in import MoveInReminder
from tests.admin.test_move_in_reminders import outbox, students  # noqa: F401 - the fixture
from tests.conftest import PASSWORD
from tests.races import race


def test_presses_at_the_same_moment_remind_each_student_once(app, admin, students):  # noqa: F811
    clients = [app.test_client() for _ in range(4)]
    for client in clients:
        assert client.post("/login", data={"email": admin.email, "password": PASSWORD}).status_code == 302
    codes = race([lambda client=client: client.post("/admin/move-in/reminders", data={"house": "acacia"})
                  .status_code for client in clients])
    assert codes == [302] * 4
    assert sorted(row.to_address for row in outbox(app)) == ["ben@example.ac.za", "cy@example.ac.za",
                                                             "dee@example.ac.za"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(MoveInReminder.id))) == 3
