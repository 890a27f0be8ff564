"""/healthz: every documented field, for an idle system and for a known busy one, and the 503 when the database
is away."""
from datetime import timedelta

import pytest

from app import create_app
from app.extensions import db
from app.models.base import utcnow
from app.models.mail import PRIORITY, MailState, MailStatus, OutboxEmail, Purpose
from tests.conftest import MONITOR, settings_for

BUDGET = {"MAIL_DAILY_LIMIT": 100, "MAIL_SHARE_URGENT": 0}  # reserves (no history): security 10, alert 5, notice 40
LEARNED = "configured share (less than a day of history)"
BULK = "none: bulk uses what the others do not reserve"


def figures(reserved: int, used: int, left: int, learned: str = LEARNED) -> dict:
    return {"reserved": reserved, "learned": learned, "used": used, "left": left}


MAIL_FIELDS = {
    "queue_depth": int, "queued_by_purpose": dict, "by_status": dict, "budget_limit": int, "budget_used": int,
    "budget_left": int, "budget_reserved": int, "budget_by_purpose": dict, "bulk_room": int,
    "bulk_clears_at": str, "next_send_at": str, "queue_clears_at": str,
    "paused": bool, "paused_until": str, "paused_reason": str, "last_reply": str, "last_reply_at": str,
    "undeliverable": dict,
}


def add_email(purpose: Purpose, status: MailStatus, charged_at=None) -> None:
    db.session.add(OutboxEmail(purpose=purpose, priority=PRIORITY[purpose], status=status, template="password_reset",
                               to_address=f"{purpose}-{status}@example.ac.za", charged_at=charged_at))


@pytest.mark.parametrize("app", [BUDGET], indirect=True)
def test_healthz_for_an_idle_system(client):
    response = client.get("/healthz", headers=MONITOR)
    assert response.status_code == 200
    assert response.get_json() == {"status": "degraded", "database": "ok", "worker": "never", "mail": {
        "queue_depth": 0,
        "queued_by_purpose": {"security": 0, "alert": 0, "urgent": 0, "notice": 0, "bulk": 0},
        "by_status": {"queued": 0, "sending": 0, "sent": 0, "failed": 0, "unknown": 0, "skipped": 0},
        "budget_limit": 100, "budget_used": 0, "budget_left": 100, "budget_reserved": 55, "budget_by_purpose": {
            "security": figures(10, 0, 55), "alert": figures(5, 0, 50), "urgent": figures(0, 0, 45),
            "notice": figures(40, 0, 85), "bulk": figures(0, 0, 45, BULK)},
        "bulk_room": 45, "bulk_clears_at": None, "next_send_at": None, "queue_clears_at": None,
        "paused": False, "paused_until": None, "paused_reason": None, "last_reply": None, "last_reply_at": None,
        "undeliverable": {"addresses": 0, "skipped": 0},
    }}


@pytest.mark.parametrize("app", [BUDGET], indirect=True)
def test_healthz_reports_queue_budget_and_pause(app, client):
    """Four queued (one alert, two notices, one bulk), three sent (one of them a day ago, outside the budget
    window), one failed, one unknown; sending paused for an hour after a 421."""
    now = utcnow().replace(microsecond=0)
    paused_until, last_reply_at = now + timedelta(hours=1), now - timedelta(minutes=5)
    with app.app_context():
        add_email(Purpose.ALERT, MailStatus.QUEUED)
        for _ in range(2):
            add_email(Purpose.NOTICE, MailStatus.QUEUED)
        add_email(Purpose.BULK, MailStatus.QUEUED)
        for ago in (timedelta(minutes=10), timedelta(hours=2), timedelta(hours=25)):
            add_email(Purpose.NOTICE, MailStatus.SENT, charged_at=now - ago)
        add_email(Purpose.BULK, MailStatus.FAILED)
        add_email(Purpose.BULK, MailStatus.UNKNOWN, charged_at=now - timedelta(minutes=1))
        db.session.add(MailState(id=1, claims=0, pause_count=1, paused_until=paused_until, paused_since=now,
                                 paused_reason="server throttling: 421 4.7.0 Try again later",
                                 last_reply="421 4.7.0 Try again later", last_reply_at=last_reply_at,
                                 worker_seen_at=now))
        db.session.commit()
    response = client.get("/healthz", headers=MONITOR)
    assert response.status_code == 200
    body = response.get_json()
    assert {key: type(value) for key, value in body["mail"].items()} == MAIL_FIELDS
    # A day of history: each reserve is learned (the ceiling of anonymous security mail 5 + the minimum 1;
    # the minimum; urgent's share of 0; notices' two in 24 hours + 50 %).
    by_purpose = body["mail"].pop("budget_by_purpose")
    assert {p: (f["reserved"], f["used"], f["left"]) for p, f in by_purpose.items()} == {
        "security": (6, 0, 95), "alert": (1, 0, 90), "urgent": (0, 0, 89), "notice": (3, 2, 90), "bulk": (0, 1, 89)}
    assert by_purpose["notice"]["learned"] == "learned: at most 2 in 24 h over 1 days, +50%"
    assert body == {"status": "degraded", "database": "ok", "worker": "ok", "mail": {
        "queue_depth": 4,
        "queued_by_purpose": {"security": 0, "alert": 1, "urgent": 0, "notice": 2, "bulk": 1},
        "by_status": {"queued": 4, "sending": 0, "sent": 3, "failed": 1, "unknown": 1, "skipped": 0},
        "budget_limit": 100, "budget_used": 3, "budget_left": 97, "budget_reserved": 10,  # unknown holds its slot
        "bulk_room": 89, "bulk_clears_at": paused_until.isoformat(),
        "next_send_at": paused_until.isoformat(), "queue_clears_at": paused_until.isoformat(),
        "paused": True, "paused_until": paused_until.isoformat(),
        "paused_reason": "server throttling: 421 4.7.0 Try again later",
        "last_reply": "421 4.7.0 Try again later", "last_reply_at": last_reply_at.isoformat(),
        "undeliverable": {"addresses": 0, "skipped": 0},
    }}


@pytest.mark.parametrize("app", [BUDGET], indirect=True)
def test_healthz_after_a_pause_ran_out(app, client):
    """A pause that has ended is not reported, nor its reason; the last reply still is."""
    now = utcnow().replace(microsecond=0)
    with app.app_context():
        db.session.add(MailState(id=1, claims=0, pause_count=1, paused_until=now - timedelta(minutes=1),
                                 paused_reason="server throttling: 421", last_reply="421 4.7.0 Try again later",
                                 last_reply_at=now - timedelta(minutes=3)))
        db.session.commit()
    mail = client.get("/healthz", headers=MONITOR).get_json()["mail"]
    assert (mail["paused"], mail["paused_until"], mail["paused_reason"]) == (False, None, None)
    assert (mail["last_reply"], mail["last_reply_at"]) == ("421 4.7.0 Try again later",
                                                           (now - timedelta(minutes=3)).isoformat())


def test_anonymous_callers_get_the_verdict_only(app, client, login, developer, runner, smtp_server):
    assert client.get("/healthz").get_json() == {"status": "degraded", "database": "ok", "worker": "never"}
    assert runner.invoke(args=["mail", "drain"]).exit_code == 0  # a worker took the lock: its heartbeat
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok", "worker": "ok"}
    assert "mail" not in client.get("/healthz", headers={"X-Healthz-Token": "monitor-tokeN"}).get_json()
    assert "mail" in client.get("/healthz", headers=MONITOR).get_json()
    assert "mail" in login(developer).get("/healthz").get_json()


def test_a_worker_that_went_quiet_is_stale(app, client):
    with app.app_context():
        db.session.add(MailState(id=1, claims=0, pause_count=0, worker_seen_at=utcnow() - timedelta(minutes=2)))
        db.session.commit()
    assert client.get("/healthz").get_json() == {"status": "degraded", "database": "ok", "worker": "stale"}


def test_healthz_reports_database_down(tmp_path):
    settings = settings_for("sqlite:////nonexistent-dir/rinaibra.db", tmp_path)
    response = create_app(settings).test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body == {"status": "error", "database": "error: OperationalError"}


def test_home_page_for_anonymous(client):
    page = client.get("/").get_data(as_text=True)
    assert "Something broken in your residence?" in page
    assert 'name="viewport"' in page
