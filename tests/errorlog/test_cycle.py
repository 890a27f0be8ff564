"""The original system's worst day, rebuilt: an emailer that logs its own failures, a logger that mails.

The seed: send_email() failed (Gmail had blocked the account), called the error logger, which mailed the
developer through send_email(), which failed and called the logger... until RecursionError, 10,000 rows.
"""
import smtplib
import sys
from email.message import EmailMessage

import pytest
import sqlalchemy as sa

from app.errorlog import record
from app.extensions import db
from app.models.errors import ErrorGroup
from app.models.mail import OutboxEmail, Purpose
from tests.fixtures.servers import free_port

REMINDERS = 25


@pytest.fixture
def dead_smtp_port() -> int:
    return free_port()  # nothing listens: every connection is refused


def test_the_original_cycle_cannot_loop(app, read, monkeypatch, dead_smtp_port, capfd):
    """send_email() reports its failures through record(); record()'s alert is delivered synchronously by
    that same send_email(), exactly as in the original. Against a dead SMTP server: no RecursionError, one
    group counting every failed reminder, at most one alert attempted."""
    alert_attempts = []

    def send_email(to: str, subject: str, body: str) -> bool:
        """The original's send_email(): talk SMTP right away; on failure, log the error."""
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = "hellorinaibra@gmail.com", to, subject
        message.set_content(body)
        try:
            with smtplib.SMTP("127.0.0.1", dead_smtp_port, timeout=2) as server:
                server.send_message(message)
            return True
        except Exception as exc:  # noqa: BLE001 - as the original did
            record("emailer.send_email()", f"Failed to send an email to {to} causing exception: {exc}")
            return False

    def send_alert_now(to, context, _key):
        """The original's emailer.send_error_log(): the alert goes out synchronously through send_email()."""
        alert_attempts.append(to)
        send_email(to, f"Error: {context['title']}", context["message"])

    monkeypatch.setattr(app.extensions["errorlog_alert_sink"], "send", send_alert_now)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)  # the original ran out at 1,000; make any loop fail fast here
    try:
        with app.app_context():
            results = [send_email(f"student{i}@example.ac.za", "Move-in form reminder", "Please fill it in.")
                       for i in range(REMINDERS)]
    finally:
        sys.setrecursionlimit(limit)

    assert results == [False] * REMINDERS
    group = read.group()
    assert group.source == "emailer.send_email()" and group.count == REMINDERS
    assert len(alert_attempts) == 1  # the cycle was really closed once (new group), and never went round
    assert "RecursionError" not in capfd.readouterr().err


def test_the_real_pipeline_against_a_blocked_mail_account(app, read, runner, smtp_server, monkeypatch):
    """The same day with the real parts: queued reminders, a mail account that answers "daily limit
    exceeded", the worker recording its failures (alert=False) and a web error alerting through the outbox."""
    from app.emailer import enqueue_many

    smtp_server.behave("daily_limit")
    with app.app_context():
        enqueue_many("password_reset", [(f"student{i}@example.ac.za", {"name": "Sam", "link": "http://x/y"})
                                        for i in range(REMINDERS)])
        db.session.commit()
    for round_ in range(3):
        result = runner.invoke(args=["mail", "drain"])
        assert result.exception is None, result.output
        with app.app_context():
            try:
                raise RuntimeError(f"Failed to submit maintenance issue (round {round_})")
            except RuntimeError as exc:
                record("web", exc)
    with app.app_context():
        alerts = db.session.scalars(sa.select(OutboxEmail).where(OutboxEmail.purpose == Purpose.ALERT)).all()
        assert len(alerts) == 1 and alerts[0].context["source"] == "web"  # the web error's, still waiting
        groups = db.session.scalars(sa.select(ErrorGroup)).all()
    web = [g for g in groups if g.source == "web"]
    assert len(web) == 1 and web[0].count == 3
    mail = [g for g in groups if g.source.startswith("mail")]
    assert mail and all(g.last_alert_at is None for g in mail)  # the worker's failures were recorded, never mailed
    assert not smtp_server.messages


def test_record_is_a_no_op_when_re_entered(app, read, monkeypatch):
    inner_results = []

    def send_that_logs(to, context, _key):
        inner_results.append(record("emailer", "the alert could not be sent"))

    monkeypatch.setattr(app.extensions["errorlog_alert_sink"], "send", send_that_logs)
    with app.app_context():
        outer = record("web", "boom")
    assert outer is not None and inner_results == [None]
    assert [g.source for g in read.groups()] == ["web"]


def test_recursion_error_inside_record_is_caught(app, read, monkeypatch, capfd):
    import app.errorlog.recorder as recorder

    def too_deep(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(recorder, "store", too_deep)
    with app.app_context():
        assert record("web", "boom") is not None
    assert "RecursionError while recording" in capfd.readouterr().err
    assert read.groups() == []


def test_record_outside_an_app_context_goes_to_stderr(capfd):
    reference = record("cli", "no application here")
    assert reference is not None
    assert f"could not record error {reference} from cli" in capfd.readouterr().err
