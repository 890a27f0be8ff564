"""Urgent-issue notices (purpose urgent) leave before status notices and keep a reserve of their own, so a flood of
status mail never starves them."""
import pytest

from app.emailer import budget
from app.models.mail import PRIORITY, Purpose

# Reserves (no history yet: the configured shares): urgent 2, notice 6; the other 12 slots are shared.
TIGHT = {"MAIL_DAILY_LIMIT": 20, "MAIL_SHARE_SECURITY": 0, "MAIL_SHARE_ALERT": 0, "MAIL_SHARE_URGENT": 0.1,
         "MAIL_SHARE_NOTICE": 0.3}


def test_urgent_goes_before_notices_and_after_alerts():
    assert PRIORITY[Purpose.ALERT] < PRIORITY[Purpose.URGENT] < PRIORITY[Purpose.NOTICE] < PRIORITY[Purpose.BULK]


@pytest.mark.parametrize("app", [TIGHT], indirect=True)
def test_urgent_is_sent_first_and_is_not_starved_by_status_notices(app, smtp_server, queue, drain, outbox):
    queue(30, purpose=Purpose.NOTICE, prefix="status")  # far more status mail than the day allows
    queue(1, purpose=Purpose.URGENT, prefix="urgent-a")
    drain()
    sent = [m["To"] for m in smtp_server.messages]
    assert sent[0] == "urgent-a0@example.ac.za"  # queued last, sent first
    assert len(sent) == 19  # 18 notices: their reserve and every shared slot; the rest of the urgent reserve stays
    queue(2, purpose=Purpose.URGENT, prefix="urgent-b")  # later the same day: still room for urgent mail
    drain()
    assert [m["To"] for m in smtp_server.messages[19:]] == ["urgent-b0@example.ac.za"]
    with app.app_context():
        used = budget.used_by_purpose()
        assert used[Purpose.URGENT] == 2 and budget.room(Purpose.NOTICE, used) == 0
