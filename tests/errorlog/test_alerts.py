"""Alerts: outbox rows of kind alert, only for new, regressed or spiking groups, throttled and capped."""
import pytest
import sqlalchemy as sa

from app.emailer.render import render_parts
from app.errorlog import record
from app.extensions import db
from app.models.errors import ErrorGroup, ErrorStatus
from app.models.mail import MailStatus, OutboxEmail, Purpose

TWO_DEVS = {"DEVELOPER_EMAILS": ["dana@example.ac.za", "lee@example.ac.za"]}


def set_status(app, status: ErrorStatus, title: str | None = None) -> None:
    with app.app_context():
        stmt = sa.update(ErrorGroup).values(status=status)
        if title:
            stmt = stmt.where(ErrorGroup.title == title)
        db.session.execute(stmt)
        db.session.commit()


@pytest.mark.parametrize("app", [TWO_DEVS], indirect=True)
def test_a_new_group_alerts_every_developer_once(app, read, clock):
    with app.app_context():
        reference = record("mail", "Failed to send to amy@example.ac.za")
        record("mail", "Failed to send to bob@example.ac.za")
    alerts = read.alerts()
    assert sorted(a.to_address for a in alerts) == ["dana@example.ac.za", "lee@example.ac.za"]
    group = read.group()
    for alert in alerts:
        assert alert.purpose == Purpose.ALERT and alert.template == "error_alert" and alert.logo is False
        assert alert.context["reason"] == "new" and alert.context["reference"] == reference
        assert alert.context["url"] == f"http://localhost/dev/errors/{group.id}"
        assert alert.context["count"] == 1 and alert.context["held_total"] == 0
    assert group.last_alert_at == clock.now


def test_one_alert_per_group_per_hour_but_other_groups_still_alert(app, read, clock):
    with app.app_context():
        record("web", "Template missing for page 1")
        set_status(app, ErrorStatus.RESOLVED)
        clock.advance(minutes=10)
        record("web", "Template missing for page 2")  # a regression, but within the hour: held
        record("worker", "Queue stalled")  # another group: alerts
    assert [a.context["title"] for a in read.alerts()] == ["Template missing for page 1", "Queue stalled"]
    assert read.alerts()[1].context["held_total"] == 1
    assert read.alerts()[1].context["held_back"][0]["title"] == "Template missing for page 1"


def mark_alerts_sent(app) -> None:
    """What the mail worker does when it delivers them."""
    with app.app_context():
        db.session.execute(sa.update(OutboxEmail).values(status=MailStatus.SENT))
        db.session.commit()


def test_a_resolved_group_that_comes_back_reopens_and_alerts_again(app, read, clock):
    with app.app_context():
        record("web", "Template missing for page 1")
        mark_alerts_sent(app)
        set_status(app, ErrorStatus.RESOLVED)
        clock.advance(hours=2)
        record("web", "Template missing for page 9")
        record("web", "Template missing for page 10")  # still open: no third alert
    assert [a.context["reason"] for a in read.alerts()] == ["new", "regression"]
    group = read.group()
    assert group.status == ErrorStatus.OPEN and group.count == 3 and group.status_changed_at == clock.now


def test_an_unsent_alert_of_a_group_is_updated_not_repeated(app, read, clock):
    """Mail is slow or paused: a group's next alert replaces its still-queued one."""
    with app.app_context():
        record("web", "Template missing for page 1")
        set_status(app, ErrorStatus.RESOLVED)
        clock.advance(hours=2)
        record("web", "Template missing for page 2")
    alerts = read.alerts()
    assert len(alerts) == 1 and alerts[0].context["reason"] == "regression" and alerts[0].context["count"] == 2


@pytest.mark.parametrize("app", [{"ERRORLOG_SPIKE_PER_HOUR": 5}], indirect=True)
def test_a_spike_alerts_once_per_hour_crossed(app, read, clock):
    with app.app_context():
        record("web", "Slow query 1")
        mark_alerts_sent(app)
        clock.advance(hours=2)
        for i in range(12):
            record("web", f"Slow query {i}")
    alerts = read.alerts()
    assert [a.context["reason"] for a in alerts] == ["new", "spike"]
    assert alerts[1].context["hour_count"] == 5


@pytest.mark.parametrize("app", [{"ERRORLOG_ALERT_DAILY_CAP": 2}], indirect=True)
def test_the_daily_cap_holds_alerts_back_and_the_next_alert_summarises_them(app, read, clock):
    with app.app_context():
        for name in ("alpha", "beta", "gamma", "delta"):
            record("web", f"{name} failed")
        assert len(read.alerts()) == 2
        clock.advance(days=1)
        record("web", "epsilon failed")
    alerts = read.alerts()
    assert [a.context["title"] for a in alerts] == ["alpha failed", "beta failed", "epsilon failed"]
    summary = alerts[-1].context
    assert summary["held_total"] == 2
    assert sorted(item["title"] for item in summary["held_back"]) == ["delta failed", "gamma failed"]
    with app.app_context():
        subject, text, _html = render_parts("error_alert", summary, logo=False)
    assert subject == "[RINAIBRA error] New: epsilon failed"
    assert "Held back since the last alert (2):" in text and "gamma failed: 1 held" in text


def test_records_made_without_alert_never_mail(app, read, clock):
    with app.app_context():
        for _ in range(3):
            record("mail.worker", "SMTP 550 5.4.5 Daily user sending limit exceeded", alert=False)
        clock.advance(hours=2)
        record("web", "something else")
    assert [a.context["title"] for a in read.alerts()] == ["something else"]
    assert read.alerts()[0].context["held_total"] == 0


def test_muted_groups_never_alert(app, read, clock):
    with app.app_context():
        record("web", "noisy 1")
        set_status(app, ErrorStatus.MUTED)
        clock.advance(hours=2)
        record("web", "noisy 2")
    assert len(read.alerts()) == 1
    assert read.group().status == ErrorStatus.MUTED and read.group().count == 2


@pytest.mark.parametrize("app", [{"DEVELOPER_EMAILS": []}], indirect=True)
def test_no_developer_addresses_no_alert(app, read):
    with app.app_context():
        record("web", "boom")
    assert read.alerts() == [] and read.group().count == 1


def test_a_failing_alert_does_not_lose_the_count(app, read, monkeypatch, capfd):
    def broken_send(*args, **kwargs):
        raise ValueError("outbox template missing")

    monkeypatch.setattr(app.extensions["errorlog_alert_sink"], "send", broken_send)
    with app.app_context():
        assert record("web", "boom") is not None
    assert read.group().count == 1 and read.alerts() == []
    assert "the alert could not be queued" in capfd.readouterr().err


def test_the_alert_is_delivered_by_the_mail_worker(app, read, runner, smtp_server):
    with app.app_context():
        reference = record("web", "Template missing for page 3")
    result = runner.invoke(args=["mail", "drain"])
    assert result.exception is None, result.output
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["Subject"] == "[RINAIBRA error] New: Template missing for page 3"
    assert message["To"] == "dev-alerts@example.ac.za"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    group_url = f"http://localhost/dev/errors/{read.group().id}"
    assert reference in text and group_url in text and f'href="{group_url}"' in html


@pytest.mark.parametrize("app", [{"ERRORLOG_ALERT_DAILY_CAP": 1}], indirect=True)
def test_a_queued_alert_that_is_replaced_keeps_the_summary_it_carried(app, read, clock):
    """Mail is paused for days: alpha's alert waits in the queue and is updated in place. The held-back
    summary it carries (beta) must survive the update, even when nothing new was held back since."""
    with app.app_context():
        record("web", "alpha failed")
        record("web", "beta failed")  # over today's cap: held back
        for _ in range(2):
            set_status(app, ErrorStatus.RESOLVED, "alpha failed")
            clock.advance(days=1)
            record("web", "alpha failed")  # a regression; the second one has nothing new held back
    alerts = read.alerts()
    assert len(alerts) == 1 and alerts[0].context["reason"] == "regression"
    assert alerts[0].context["held_total"] == 1
    assert [item["title"] for item in alerts[0].context["held_back"]] == ["beta failed"]
