"""Term start on a limit of 2,000 with two weeks of ordinary history: 1,500 reminders leave as fast as the worker
sends (one drain, no budget wait), while a password reset, a developer alert, an urgent notice and a status email
queued with them leave first; a burst of urgent notices during the drain leaves within a minute."""
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.emailer import enqueue_many, estimate_delivery
from app.extensions import db
from app.models.base import utcnow
from app.models.mail import MailStatus, OutboxEmail, Purpose
from tests.conftest import wait_for
from tests.emailer.test_reserves import charge

REMINDERS = 1_500


@pytest.mark.parametrize("app", [{"MAIL_DAILY_LIMIT": 2000, "MAIL_BATCH_SIZE": 200}], indirect=True)
def test_reminders_use_the_day_and_the_rest_still_leave_first(app, smtp_server, queue, drain):
    now = utcnow()
    for day in range(1, 15):
        at = now - timedelta(days=day, hours=2)
        for purpose, count in ((Purpose.SECURITY, 10), (Purpose.ALERT, 5), (Purpose.URGENT, 2),
                               (Purpose.NOTICE, 120)):
            charge(app, purpose, at, count)
    with app.app_context():
        assert estimate_delivery(REMINDERS, Purpose.BULK) - utcnow() < timedelta(seconds=5)  # all of it today
        enqueue_many("password_reset", [(f"student{i}@example.ac.za", {"name": "S", "link": "http://x/r"})
                                        for i in range(REMINDERS)], purpose=Purpose.BULK, batch="term")
        db.session.commit()
    for purpose in (Purpose.NOTICE, Purpose.URGENT, Purpose.ALERT, Purpose.SECURITY):
        queue(1, purpose=purpose, prefix=purpose.value, cause="system")
    drain()
    sent = [message["To"] for message in smtp_server.messages]
    assert len(sent) == REMINDERS + 4
    assert sent[:4] == ["security0@example.ac.za", "alert0@example.ac.za", "urgent0@example.ac.za",
                        "notice0@example.ac.za"]
    queue(1, purpose=Purpose.SECURITY, prefix="after", cause="system")  # the reserves are still there
    drain()
    assert smtp_server.messages[-1]["To"] == "after0@example.ac.za"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(OutboxEmail.id)).where(
            OutboxEmail.status == MailStatus.QUEUED)) == 0


def unsettled(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(OutboxEmail.id)).where(
            OutboxEmail.status.in_([MailStatus.QUEUED, MailStatus.SENDING])))


def test_a_burst_of_urgent_reports_leaves_within_a_minute_while_reminders_drain(app, smtp_server, spawn, queue):
    """A quiet history (urgent reserves its minimum), then 60 urgent notices in a burst while the real worker
    drains 1,500 reminders: every urgent notice leaves within a minute, long before the last reminder."""
    now = utcnow()
    for day in range(1, 15):
        charge(app, Purpose.URGENT, now - timedelta(days=day), 1)
    with app.app_context():
        enqueue_many("password_reset", [(f"student{i}@example.ac.za", {"name": "S", "link": "http://x/r"})
                                        for i in range(REMINDERS)], purpose=Purpose.BULK, batch="term")
        db.session.commit()
    smtp_server.slow_down(0.004)
    spawn("worker", MAIL_DAILY_LIMIT=2000, MAIL_POLL_SECONDS=0.2)
    wait_for(lambda: len(smtp_server.messages) >= 100, timeout=60)
    for burst in range(10):  # ten minutes of reports, compressed
        queue(6, purpose=Purpose.URGENT, prefix=f"urgent{burst}x", cause="system")
        time.sleep(0.3)
    wait_for(lambda: len(smtp_server.messages) >= REMINDERS + 60, timeout=180)
    wait_for(lambda: unsettled(app) == 0, timeout=30)  # the worker has written every outcome
    with app.app_context():
        rows = db.session.execute(sa.select(OutboxEmail.purpose, OutboxEmail.created_at, OutboxEmail.sent_at)
                                  .where(OutboxEmail.charged_at > now)).all()
    urgent = [(created, sent) for purpose, created, sent in rows if purpose == Purpose.URGENT]
    last_reminder = max(sent for purpose, _created, sent in rows if purpose == Purpose.BULK)
    assert len(urgent) == 60 and all(sent - created < timedelta(minutes=1) for created, sent in urgent)
    assert max(sent for _created, sent in urgent) < last_reminder
