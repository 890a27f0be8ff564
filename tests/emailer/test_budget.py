"""The rolling 24-hour budget and its shares by purpose, estimates and progress."""
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from app.emailer import batch_progress, budget, enqueue_many, estimate_delivery
from app.extensions import db
from app.models.base import utcnow
from app.models.mail import MailStatus, OutboxEmail, Purpose
from tests.conftest import MONITOR

# Floors: security 2, alert 2, urgent 0, notice 6, bulk 6; 4 slots above the floors are shared (never by bulk).
LIMITED = {"MAIL_DAILY_LIMIT": 20, "MAIL_SHARE_SECURITY": 0.1, "MAIL_SHARE_ALERT": 0.1, "MAIL_SHARE_URGENT": 0,
           "MAIL_SHARE_NOTICE": 0.3, "MAIL_SHARE_BULK": 0.3}


def close(a, b, seconds=5):
    return abs((a - b).total_seconds()) <= seconds


@pytest.mark.parametrize("app", [LIMITED], indirect=True)
def test_each_purpose_keeps_its_floor(app, smtp_server, queue, outbox, drain, client):
    queue(15, purpose=Purpose.BULK, prefix="bulk")
    drain()
    assert len(smtp_server.messages) == 6  # bulk never goes past its own floor
    queue(12, purpose=Purpose.NOTICE, prefix="notice")
    queue(1, purpose=Purpose.ALERT, prefix="alert", logo=False)
    queue(1, purpose=Purpose.SECURITY, prefix="reset")
    drain()
    sent = [m["To"] for m in smtp_server.messages]
    assert sent[6:8] == ["reset0@example.ac.za", "alert0@example.ac.za"]  # highest purposes first
    assert len(sent) == 18  # notices took their floor and the shared slots: 6 + 4
    health = client.get("/healthz", headers=MONITOR).get_json()["mail"]
    assert health["budget_used"] == 18 and health["budget_left"] == 2 and health["budget_shared"] == 4
    assert health["budget_by_purpose"] == {
        "security": {"floor": 2, "used": 1, "left": 1}, "alert": {"floor": 2, "used": 1, "left": 1},
        "urgent": {"floor": 0, "used": 0, "left": 0},
        "notice": {"floor": 6, "used": 10, "left": 0}, "bulk": {"floor": 6, "used": 6, "left": 0}}
    assert health["queued_by_purpose"] == {"security": 0, "alert": 0, "urgent": 0, "notice": 2, "bulk": 9}
    queue(3, purpose=Purpose.SECURITY, prefix="late")  # only the unused part of its floor is left for it
    drain()
    assert [m["To"] for m in smtp_server.messages[18:]] == ["late0@example.ac.za"]
    assert sum(r.status == MailStatus.QUEUED for r in outbox()) == 2 + 9 + 2  # nothing dropped
    health = client.get("/healthz", headers=MONITOR).get_json()["mail"]
    assert health["budget_by_purpose"]["alert"] == {"floor": 2, "used": 1, "left": 1}  # still there for an alert
    # A day after the charge that frees a slot: one of the charges, not always the oldest (they may straddle a
    # second, and the answer is cut to whole seconds).
    charged = sorted(r.charged_at for r in outbox() if r.charged_at)
    next_send_at = datetime.fromisoformat(health["next_send_at"])
    assert charged[0] - timedelta(seconds=1) < next_send_at - timedelta(hours=24) <= charged[-1]


def test_rooms_follow_the_floors(app):
    with app.app_context():
        app.config.update(LIMITED)
        none = {purpose: 0 for purpose in Purpose}
        assert {p: budget.room(p, none) for p in Purpose} == {
            Purpose.SECURITY: 6, Purpose.ALERT: 6, Purpose.URGENT: 4, Purpose.NOTICE: 10, Purpose.BULK: 6}
        busy = {Purpose.SECURITY: 0, Purpose.ALERT: 0, Purpose.NOTICE: 10, Purpose.BULK: 6}
        assert {p: budget.room(p, busy) for p in Purpose} == {
            Purpose.SECURITY: 2, Purpose.ALERT: 2, Purpose.URGENT: 0, Purpose.NOTICE: 0, Purpose.BULK: 0}
        greedy = {Purpose.SECURITY: 6, Purpose.ALERT: 0, Purpose.NOTICE: 0, Purpose.BULK: 0}
        assert budget.room(Purpose.SECURITY, greedy) == 0 and budget.room(Purpose.NOTICE, greedy) == 6


@pytest.mark.parametrize("app", [LIMITED], indirect=True)
def test_budget_is_a_rolling_24_hours(app, smtp_server, queue, drain):
    queue(12, purpose=Purpose.NOTICE)
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
def test_estimate_delivery_follows_the_shares_and_the_queue(app):
    with app.app_context():
        now = utcnow()
        assert close(estimate_delivery(6, Purpose.BULK), now)
        assert close(estimate_delivery(7, Purpose.BULK), now + timedelta(hours=24))
        assert close(estimate_delivery(13, Purpose.BULK), now + timedelta(hours=48))
        assert close(estimate_delivery(10, Purpose.NOTICE), now)
        # Five slots used an hour ago; three notices queued ahead.
        enqueue_many("password_reset", [(f"b{i}@x.ac.za", {}) for i in range(5)], purpose=Purpose.BULK)
        db.session.execute(sa.update(OutboxEmail).values(status=MailStatus.SENT,
                                                         charged_at=now - timedelta(hours=1)))
        enqueue_many("password_reset", [(f"t{i}@x.ac.za", {}) for i in range(3)], purpose=Purpose.NOTICE)
        db.session.commit()
        assert close(estimate_delivery(1, Purpose.ALERT), now)
        assert close(estimate_delivery(1, Purpose.NOTICE), now)
        assert close(estimate_delivery(1, Purpose.BULK), now + timedelta(hours=23))
        assert close(estimate_delivery(7, Purpose.BULK), now + timedelta(hours=47))  # 6 per window for bulk
        budget.begin_locked().paused_until = now + timedelta(hours=30)
        db.session.commit()
        assert close(estimate_delivery(1, Purpose.ALERT), now + timedelta(hours=30))


@pytest.mark.parametrize("app", [LIMITED], indirect=True)
def test_batch_progress(app, smtp_server, drain, queue):
    with app.app_context():
        enqueue_many("password_reset", [(f"s{i}@example.ac.za", {"name": "S", "link": "http://x"})
                                        for i in range(12)], batch="remind-1")
        db.session.commit()
        progress = batch_progress("remind-1")
        assert progress["total"] == 12 and progress["queued"] == 12 and progress["waiting_for_budget"] == 6
    smtp_server.behave("reject", after=5)
    drain()
    with app.app_context():
        progress = batch_progress("remind-1")
    assert {k: progress[k] for k in ("total", "queued", "sent", "failed", "waiting_for_budget")} == {
        "total": 12, "queued": 6, "sent": 5, "failed": 1, "waiting_for_budget": 6}
    assert progress["estimated_done"] > utcnow().isoformat()


def test_health_is_json_safe_with_every_key(app, client, queue):
    queue(2)
    health = client.get("/healthz", headers=MONITOR).get_json()["mail"]
    for key in ("queue_depth", "queued_by_purpose", "by_status", "budget_limit", "budget_used", "budget_left",
                "budget_shared", "budget_by_purpose", "next_send_at", "paused_until", "paused_reason", "last_reply"):
        assert key in health
    assert health["queue_depth"] == 2 and health["by_status"]["queued"] == 2
    assert health["paused_until"] is None and health["budget_left"] == health["budget_limit"]
