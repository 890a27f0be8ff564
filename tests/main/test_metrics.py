"""/metrics: Prometheus text (read back with prometheus-client's own parser) behind /healthz's access rule:
mail queue, budget, pause, outcomes, error groups and the request latency histogram by endpoint name."""
from datetime import timedelta

import pytest
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families

from app.errorlog import record
from app.extensions import db
from app.models.base import utcnow
from app.models.mail import PRIORITY, MailState, MailStatus, OutboxEmail, Purpose
from tests.conftest import HEALTHZ_TOKEN, MONITOR

BUDGET = {"MAIL_DAILY_LIMIT": 100}


def samples(text: str) -> dict[tuple, float]:
    """{(sample name, (label pairs...)): value} of a scrape."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def scrape(client) -> dict[tuple, float]:
    response = client.get("/metrics", headers=MONITOR)
    assert response.status_code == 200
    assert response.mimetype == "text/plain" and response.headers["Cache-Control"] == "no-store"
    return samples(response.get_data(as_text=True))


def add_email(purpose: Purpose, status: MailStatus, charged_at=None, attempts=0, sent_at=None) -> None:
    db.session.add(OutboxEmail(purpose=purpose, priority=PRIORITY[purpose], status=status, template="password_reset",
                               to_address=f"{purpose}-{status}@example.ac.za", charged_at=charged_at,
                               attempts=attempts, sent_at=sent_at, last_attempt_at=sent_at or charged_at))


def test_metrics_follow_the_healthz_rule(client, login, student, developer):
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", headers={"X-Healthz-Token": "wrong"}).status_code == 403
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert client.get("/metrics", headers={"Authorization": f"Bearer {HEALTHZ_TOKEN}"}).status_code == 200
    login(student)
    assert client.get("/metrics").status_code == 403
    client.post("/logout")
    login(developer)
    assert client.get("/metrics").status_code == 200


@pytest.mark.parametrize("app", [BUDGET], indirect=True)
def test_mail_figures(app, client):
    now = utcnow()
    with app.app_context():
        add_email(Purpose.ALERT, MailStatus.QUEUED)
        db.session.flush()
        db.session.scalars(sa.select(OutboxEmail)).one().send_after = now - timedelta(minutes=40)
        add_email(Purpose.NOTICE, MailStatus.QUEUED, attempts=2)
        add_email(Purpose.NOTICE, MailStatus.QUEUED)
        for ago in (timedelta(minutes=10), timedelta(hours=2), timedelta(hours=25)):
            add_email(Purpose.NOTICE, MailStatus.SENT, charged_at=now - ago, sent_at=now - ago)
        add_email(Purpose.BULK, MailStatus.FAILED, charged_at=now - timedelta(minutes=3))
        add_email(Purpose.BULK, MailStatus.UNKNOWN, charged_at=now - timedelta(minutes=1))
        db.session.add(MailState(id=1, claims=0, pause_count=1, paused_until=now + timedelta(hours=1),
                                 paused_since=now, paused_reason="421", worker_seen_at=now - timedelta(seconds=5)))
        db.session.commit()
    found = scrape(client)
    queue = {dict(labels)["purpose"] + "/" + dict(labels)["status"]: value
             for (name, labels), value in found.items() if name == "rinaibra_mail_queue" and value}
    assert queue == {"alert/queued": 1, "notice/queued": 2, "notice/sent": 3, "bulk/failed": 1, "bulk/unknown": 1}
    assert found[("rinaibra_mail_queue", (("purpose", "security"), ("status", "sending")))] == 0  # every pair shown
    assert found[("rinaibra_mail_budget_limit", ())] == 100
    assert found[("rinaibra_mail_budget_used", ())] == 4  # two notices and two bulk in 24 hours
    assert found[("rinaibra_mail_budget_left", ())] == 96
    assert found[("rinaibra_mail_budget_purpose_used", (("purpose", "notice"),))] == 2
    assert found[("rinaibra_mail_budget_purpose_left", (("purpose", "bulk"),))] == 87  # 100 - 4 used - 9 reserved
    # (a day of history: security 6 (anonymous ceiling 5 + minimum 1), alert 1, urgent 1, notice 3 of which 2 used)
    assert found[("rinaibra_mail_paused", ())] == 1
    assert 4 <= found[("rinaibra_mail_worker_seen_seconds_ago", ())] < 60
    outcomes = {dict(labels)["outcome"]: value for (name, labels), value in found.items()
                if name == "rinaibra_mail_outcomes_24h"}
    assert outcomes == {"sent": 2, "failed": 1, "unknown": 1, "retrying": 1}
    assert 2400 <= found[("rinaibra_mail_oldest_due_seconds", (("purpose", "alert"),))] < 2500
    assert 0 <= found[("rinaibra_mail_oldest_due_seconds", (("purpose", "notice"),))] < 60
    assert found[("rinaibra_mail_oldest_due_seconds", (("purpose", "bulk"),))] == 0  # none queued


def test_an_idle_system(client):
    found = scrape(client)
    assert found[("rinaibra_mail_paused", ())] == 0
    assert found[("rinaibra_mail_worker_seen_seconds_ago", ())] == -1
    assert found[("rinaibra_mail_oldest_due_seconds", (("purpose", "notice"),))] == 0
    assert not [key for key in found if key[0].startswith("rinaibra_error_occurrences")]


def test_error_groups_and_occurrences_by_source(app, client):
    with app.app_context():
        for _ in range(3):
            record("web", ValueError("bad value"), alert=False)
        record("web", KeyError("missing"), alert=False)
        record("mail.worker", "SMTP 421", alert=False)
    found = scrape(client)
    assert found[("rinaibra_error_groups", (("source", "web"), ("status", "open")))] == 2
    assert found[("rinaibra_error_groups", (("source", "mail.worker"), ("status", "open")))] == 1
    assert found[("rinaibra_error_occurrences_total", (("source", "web"),))] == 4
    assert found[("rinaibra_error_occurrences_total", (("source", "mail.worker"),))] == 1
    assert found[("rinaibra_error_occurrences_this_hour", (("source", "web"),))] == 4


def test_latency_histogram_by_endpoint_name(app, client, login, student):
    def count(route: str, status: str = "2xx") -> float:
        return scrape(client).get(("rinaibra_request_duration_seconds_count",
                                   (("method", "GET"), ("route", route), ("status", status))), 0)

    before = {route: count(route, status) for route, status in
              (("issues.detail", "4xx"), ("main.index", "2xx"), ("unmatched", "4xx"))}
    login(student)
    for issue_id in (101, 102, 103):  # three raw paths, one route
        client.get(f"/issues/{issue_id}")
    client.get("/")
    client.get("/no/such/page/at/all")
    assert count("issues.detail", "4xx") == before["issues.detail"] + 3
    assert count("main.index") == before["main.index"] + 1
    assert count("unmatched", "4xx") == before["unmatched"] + 1
    found = scrape(client)
    assert not [key for key in found if "/issues/101" in str(key)]  # never a raw path
    bucket = ("rinaibra_request_duration_seconds_bucket",
              (("le", "+Inf"), ("method", "GET"), ("route", "main.index"), ("status", "2xx")))
    assert found[bucket] == count("main.index")
