"""RFC 5321 replies: 2xx sent, per-recipient 5xx failed for good, 4xx retried with backoff, quota/throttle/auth
replies pause all sending (shared through the database) without counting an attempt."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.emailer.outcomes import backoff_seconds
from app.extensions import db
from app.models.base import utcnow
from app.models.mail import MailStatus, OutboxEmail
from tests.conftest import MONITOR


def test_permanent_rejection_fails_that_email_only(smtp_server, queue, outbox, drain):
    queue(3)
    smtp_server.behave("reject", after=1)
    drain()
    rows = outbox()
    assert [row.status for row in rows] == [MailStatus.SENT, MailStatus.FAILED, MailStatus.FAILED]
    assert "550 5.1.1" in rows[1].last_error
    assert len(smtp_server.messages) == 1
    smtp_server.behave("accept")
    drain()  # failed for good: never tried again
    assert len(smtp_server.messages) == 1


def test_transient_reply_retries_later_with_backoff(app, smtp_server, queue, outbox, drain):
    queue(2)
    smtp_server.behave("tempfail")
    before = utcnow()
    drain()
    rows = outbox()
    for row in rows:
        assert row.status == MailStatus.QUEUED and row.attempts == 1
        assert "451 4.3.0" in row.last_error
        assert before + timedelta(seconds=29) <= row.send_after <= utcnow() + timedelta(seconds=91)
    smtp_server.behave("accept")
    drain()  # not due yet
    assert smtp_server.messages == []
    with app.app_context():
        db.session.execute(sa.update(OutboxEmail).values(send_after=utcnow()))
        db.session.commit()
    drain()
    assert [row.status for row in outbox()] == [MailStatus.SENT] * 2


def test_transient_failure_fails_visibly_max_age_after_its_first_failure(app, smtp_server, queue, outbox, drain):
    queue(1)
    smtp_server.behave("tempfail")
    drain()
    first = outbox()[0]
    assert first.status == MailStatus.QUEUED and first.attempts == 1 and first.first_failed_at is not None
    with app.app_context():  # the backoff wait passes
        db.session.execute(sa.update(OutboxEmail).values(send_after=utcnow()))
        db.session.commit()
    drain()
    row = outbox()[0]
    assert row.status == MailStatus.QUEUED and row.attempts == 2 and row.first_failed_at == first.first_failed_at
    with app.app_context():  # MAIL_MAX_AGE_HOURS (96) pass after the first failure
        db.session.execute(sa.update(OutboxEmail).values(
            send_after=utcnow(), first_failed_at=utcnow() - timedelta(hours=96, minutes=1)))
        db.session.commit()
    drain()
    row = outbox()[0]
    assert row.status == MailStatus.FAILED and row.attempts == 3
    assert row.last_error.startswith("gave up after 3 attempts: 451")
    assert client_health(app)["by_status"]["failed"] == 1  # visible


def test_mail_that_waited_days_for_the_budget_still_gets_its_retries(app, smtp_server, queue, outbox, drain):
    queue(1)
    with app.app_context():  # queued five days ago (a big bulk batch behind a small daily limit)
        db.session.execute(sa.update(OutboxEmail).values(created_at=utcnow() - timedelta(days=5)))
        db.session.commit()
    smtp_server.behave("tempfail")  # e.g. greylisting on the first try
    drain()
    row = outbox()[0]
    assert row.status == MailStatus.QUEUED and row.attempts == 1
    with app.app_context():
        db.session.execute(sa.update(OutboxEmail).values(send_after=utcnow()))
        db.session.commit()
    smtp_server.behave("accept")
    drain()
    assert outbox()[0].status == MailStatus.SENT


def client_health(app) -> dict:
    return app.test_client().get("/healthz", headers=MONITOR).get_json()["mail"]


def test_backoff_doubles_with_jitter_and_is_capped(app):
    with app.app_context():
        first = [backoff_seconds(1) for _ in range(200)]
        third = [backoff_seconds(3) for _ in range(200)]
        assert 30 <= min(first) and max(first) <= 90 and len(set(first)) > 100
        assert 120 <= min(third) and max(third) <= 360
        assert max(backoff_seconds(30) for _ in range(50)) <= 3600 * 1.5
        assert max(backoff_seconds(5000) for _ in range(50)) <= 3600 * 1.5  # no float overflow


@pytest.mark.parametrize("behaviour, reply, reason, base", [
    ("daily_limit", "550 5.4.5", "daily sending limit", 3600),
    ("throttle", "421 4.7.0", "server throttling", 120),
    ("throttle454", "454 4.7.0", "server throttling", 120),
    ("auth_fail", "535", "authentication failed", 600),
])
def test_quota_throttle_and_auth_replies_pause_all_sending(app, smtp_server, queue, outbox, drain, mail_state,
                                                          client, behaviour, reply, reason, base):
    queue(3)
    smtp_server.behave(behaviour, after=1)
    if behaviour == "auth_fail":
        smtp_server.behave(behaviour)
    before = utcnow()
    drain()
    rows = outbox()
    sent = 0 if behaviour == "auth_fail" else 1
    assert [row.status for row in rows].count(MailStatus.SENT) == sent
    for row in rows[sent:]:  # requeued untouched: no attempt counted, budget slot given back
        assert row.status == MailStatus.QUEUED and row.attempts == 0 and row.charged_at is None
    state = mail_state()
    assert before + timedelta(seconds=base - 1) <= state.paused_until <= utcnow() + timedelta(seconds=base + 1)
    assert state.paused_reason.startswith(reason) and reply in state.paused_reason
    health = client.get("/healthz", headers=MONITOR).get_json()["mail"]
    assert health["paused"] is True and reply in health["paused_reason"]
    assert health["paused_until"] == state.paused_until.isoformat(timespec="seconds")
    assert health["budget_used"] == sent and health["queue_depth"] == 3 - sent

    connections = smtp_server.connections
    smtp_server.behave("accept")
    drain()  # still paused: no connection at all
    assert smtp_server.connections == connections
    assert len(smtp_server.messages) == sent


def test_repeated_pause_doubles_and_resume_sends_one_summary_alert(app, smtp_server, queue, outbox, drain,
                                                                  mail_state):
    queue(3)
    smtp_server.behave("throttle")
    drain()
    first = mail_state()
    assert first.pause_count == 1
    mail_state(paused_until=utcnow() - timedelta(seconds=1))  # time passes
    drain()  # still throttled: the same pause episode goes on, twice as long
    second = mail_state()
    assert second.pause_count == 2 and second.paused_since == first.paused_since
    assert second.paused_until - utcnow() > timedelta(seconds=200)
    assert smtp_server.messages == []

    mail_state(paused_until=utcnow() - timedelta(seconds=1))
    smtp_server.behave("accept")
    drain()
    recipients = [m["To"] for m in smtp_server.messages]
    assert recipients.count("dev-alerts@example.ac.za") == 1
    alert = next(m for m in smtp_server.messages if m["To"] == "dev-alerts@example.ac.za")
    assert alert["Subject"] == "RINAIBRA mail sending resumed after a pause"
    assert alert["X-Rinaibra-Purpose"] == "alert"
    assert not [p for p in alert.walk() if p.get_content_maintype() == "image"]
    body = alert.get_body(("plain",)).get_content()
    assert "Emails that waited: 3" in body and "421 4.7.0" in body and "Pauses in this episode: 2" in body
    assert mail_state().paused_since is None and mail_state().pause_count == 0
    assert sorted(recipients) == sorted(["dev-alerts@example.ac.za"] + [f"user{i}@example.ac.za" for i in range(3)])
    drain()
    assert len(smtp_server.messages) == 4  # one alert, not one per batch


def test_worker_reports_its_failures_without_mail_alerts(app, smtp_server, queue, outbox, drain):
    from app.models.errors import ErrorGroup

    queue(2)
    smtp_server.behave("throttle")
    started = utcnow()
    drain()
    assert utcnow() - started < timedelta(seconds=5)  # the logger never waits on the worker's transaction
    with app.app_context():
        groups = list(db.session.scalars(sa.select(ErrorGroup).where(ErrorGroup.source == "mail.worker")))
        assert groups and "mail sending paused" in groups[0].title
    assert all(row.purpose.value != "alert" for row in outbox())  # no alert about mail, by mail


def test_a_batch_that_cannot_connect_is_written_back_with_one_statement(app, queue, outbox, drain):
    """No SMTP server at all: every row of the batch is retried later, and the rows, failing together with the
    same delay, go back to the queue in one UPDATE, not one each."""
    from tests.fixtures.servers import free_port
    from tests.main.test_query_counts import counted

    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())  # nothing listens there
    queue(12)
    with counted(app) as statements:
        drain()
    rows = outbox()
    assert {(row.status, row.attempts, row.send_after) for row in rows} == {
        (MailStatus.QUEUED, 1, rows[0].send_after)}
    assert "cannot connect" in rows[0].last_error and rows[0].send_after > utcnow()
    retried = [s for s in statements if s.startswith("UPDATE outbox SET") and "attempts" in s]
    assert len(retried) == 1, retried
