"""The rolling 24-hour budget, the reserve for alert and transactional mail, estimates and progress."""
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from app.emailer import batch_progress, budget, enqueue_many, estimate_delivery
from app.extensions import db
from app.models.base import utcnow
from app.models.mail import MailKind, MailStatus, OutboxEmail

LIMITED = {"MAIL_DAILY_LIMIT": 10, "MAIL_RESERVE": 0.2}  # reserve: 2 slots


def close(a, b, seconds=5):
    return abs((a - b).total_seconds()) <= seconds


@pytest.mark.parametrize("app", [LIMITED], indirect=True)
def test_bulk_never_eats_into_the_reserve(app, smtp_server, queue, outbox, drain, client):
    queue(15, kind=MailKind.BULK, prefix="bulk")
    drain()
    assert len(smtp_server.messages) == 8
    queue(3, kind=MailKind.TRANSACTIONAL, prefix="tx")
    queue(1, kind=MailKind.ALERT, prefix="alert", logo=False)
    drain()
    sent = [m["To"] for m in smtp_server.messages]
    assert len(sent) == 10  # the limit: one transactional email waits
    assert sent[8:] == ["alert0@example.ac.za", "tx0@example.ac.za"]
    rows = outbox()
    assert sum(r.status == MailStatus.QUEUED for r in rows) == 15 - 8 + 2  # nothing dropped
    health = client.get("/healthz").get_json()["mail"]
    assert health["budget_used"] == 10 and health["budget_left"] == 0 and health["budget_limit"] == 10
    assert health["bulk_left"] == 0 and health["budget_reserve"] == 2
    assert health["queued_by_kind"] == {"alert": 0, "transactional": 2, "bulk": 7}
    oldest = min(r.charged_at for r in rows if r.charged_at)
    assert health["next_send_at"] == (oldest + timedelta(hours=24)).isoformat(timespec="seconds")
    # At +24h two transactional and six bulk fill the bulk share (8) again; the last bulk one waits a day more.
    assert close(datetime.fromisoformat(health["queue_clears_at"]), oldest + timedelta(hours=48))


@pytest.mark.parametrize("app", [LIMITED], indirect=True)
def test_budget_is_a_rolling_24_hours(app, smtp_server, queue, drain):
    queue(12, kind=MailKind.TRANSACTIONAL)
    drain()
    assert len(smtp_server.messages) == 10
    with app.app_context():  # three of those slots age out of the window
        old = list(db.session.scalars(sa.select(OutboxEmail.id).where(OutboxEmail.charged_at.is_not(None))
                                      .limit(3)))
        db.session.execute(sa.update(OutboxEmail).where(OutboxEmail.id.in_(old))
                           .values(charged_at=utcnow() - timedelta(hours=24, seconds=1)))
        db.session.commit()
    drain()
    assert len(smtp_server.messages) == 12


@pytest.mark.parametrize("app", [LIMITED], indirect=True)
def test_estimate_delivery_follows_budget_reserve_and_queue(app):
    with app.app_context():
        now = utcnow()
        assert close(estimate_delivery(8, MailKind.BULK), now)
        assert close(estimate_delivery(9, MailKind.BULK), now + timedelta(hours=24))
        assert close(estimate_delivery(17, MailKind.BULK), now + timedelta(hours=48))
        assert close(estimate_delivery(10, MailKind.TRANSACTIONAL), now)
        # Seven slots used an hour ago; three transactional emails queued ahead.
        enqueue_many("password_reset", [(f"b{i}@x.ac.za", {}) for i in range(7)], kind=MailKind.BULK)
        db.session.execute(sa.update(OutboxEmail).values(status=MailStatus.SENT,
                                                         charged_at=now - timedelta(hours=1)))
        enqueue_many("password_reset", [(f"t{i}@x.ac.za", {}) for i in range(3)], kind=MailKind.TRANSACTIONAL)
        db.session.commit()
        assert close(estimate_delivery(1, MailKind.ALERT), now)
        assert close(estimate_delivery(1, MailKind.TRANSACTIONAL), now + timedelta(hours=23))
        assert close(estimate_delivery(1, MailKind.BULK), now + timedelta(hours=23))
        assert close(estimate_delivery(9, MailKind.BULK), now + timedelta(hours=47))  # 8 per window for bulk
        budget.begin_locked().paused_until = now + timedelta(hours=30)
        db.session.commit()
        assert close(estimate_delivery(1, MailKind.ALERT), now + timedelta(hours=30))


@pytest.mark.parametrize("app", [LIMITED], indirect=True)
def test_batch_progress(app, smtp_server, drain, queue):
    with app.app_context():
        enqueue_many("password_reset", [(f"s{i}@example.ac.za", {"name": "S", "link": "http://x"})
                                        for i in range(12)], batch="remind-1")
        db.session.commit()
        progress = batch_progress("remind-1")
        assert progress["total"] == 12 and progress["queued"] == 12 and progress["waiting_for_budget"] == 4
    smtp_server.behave("reject", after=7)
    drain()
    with app.app_context():
        progress = batch_progress("remind-1")
    assert {k: progress[k] for k in ("total", "queued", "sent", "failed", "waiting_for_budget")} == {
        "total": 12, "queued": 4, "sent": 7, "failed": 1, "waiting_for_budget": 4}
    assert progress["estimated_done"] > utcnow().isoformat()


def test_health_is_json_safe_with_every_key(app, client, queue):
    queue(2)
    health = client.get("/healthz").get_json()["mail"]
    for key in ("queue_depth", "queued_by_kind", "by_status", "budget_limit", "budget_used", "budget_left",
                "next_send_at", "paused_until", "paused_reason", "last_reply"):
        assert key in health
    assert health["queue_depth"] == 2 and health["by_status"]["queued"] == 2
    assert health["paused_until"] is None and health["budget_left"] == health["budget_limit"]
