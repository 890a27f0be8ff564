"""The rolling 24-hour budget and its reserves by purpose, estimates and progress (with no history yet, so the
reserves are the configured shares; tests/emailer/test_reserves.py learns them from history)."""
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from app.emailer import batch_progress, budget, enqueue_many, estimate_delivery
from app.extensions import db
from app.models.base import utcnow
from app.models.mail import MailStatus, OutboxEmail, Purpose
from tests.conftest import MONITOR

# Reserves: security 2, alert 2, urgent 0, notice 6; bulk reserves nothing and may use the other 10.
LIMITED = {"MAIL_DAILY_LIMIT": 20, "MAIL_SHARE_SECURITY": 0.1, "MAIL_SHARE_ALERT": 0.1, "MAIL_SHARE_URGENT": 0,
           "MAIL_SHARE_NOTICE": 0.3, "MAIL_ANONYMOUS_SECURITY_SHARE": 0.05}


def close(a, b, seconds=5):
    return abs((a - b).total_seconds()) <= seconds


@pytest.mark.parametrize("app", [LIMITED], indirect=True)
def test_each_purpose_keeps_its_reserve_and_bulk_uses_the_rest(app, smtp_server, queue, outbox, drain, client):
    queue(15, purpose=Purpose.BULK, prefix="bulk")
    drain()
    assert len(smtp_server.messages) == 10  # everything but the reserves (10 of 20), not a floor of its own
    queue(12, purpose=Purpose.NOTICE, prefix="notice")
    queue(1, purpose=Purpose.ALERT, prefix="alert", logo=False)
    queue(1, purpose=Purpose.SECURITY, prefix="reset")
    drain()
    sent = [m["To"] for m in smtp_server.messages]
    assert sent[10:12] == ["reset0@example.ac.za", "alert0@example.ac.za"]  # highest purposes first
    assert len(sent) == 18  # notices took their reserve: 6
    health = client.get("/healthz", headers=MONITOR).get_json()["mail"]
    assert health["budget_used"] == 18 and health["budget_left"] == 2 and health["budget_reserved"] == 10
    assert {p: {k: f[k] for k in ("reserved", "used", "left")} for p, f in health["budget_by_purpose"].items()} == {
        "security": {"reserved": 2, "used": 1, "left": 1}, "alert": {"reserved": 2, "used": 1, "left": 1},
        "urgent": {"reserved": 0, "used": 0, "left": 0},
        "notice": {"reserved": 6, "used": 6, "left": 0}, "bulk": {"reserved": 0, "used": 10, "left": 0}}
    assert health["budget_by_purpose"]["notice"]["learned"] == "configured share (less than a day of history)"
    assert health["queued_by_purpose"] == {"security": 0, "alert": 0, "urgent": 0, "notice": 6, "bulk": 5}
    queue(3, purpose=Purpose.SECURITY, prefix="late")  # only the unused part of the alert reserve is kept from it
    drain()
    assert [m["To"] for m in smtp_server.messages[18:]] == ["late0@example.ac.za"]
    assert sum(r.status == MailStatus.QUEUED for r in outbox()) == 6 + 5 + 2  # nothing dropped
    health = client.get("/healthz", headers=MONITOR).get_json()["mail"]
    assert health["budget_by_purpose"]["alert"]["left"] == 1  # still there for an alert
    # A day after the charge that frees a slot: one of the charges, not always the oldest (they may straddle a
    # second, and the answer is cut to whole seconds).
    charged = sorted(r.charged_at for r in outbox() if r.charged_at)
    next_send_at = datetime.fromisoformat(health["next_send_at"])
    assert charged[0] - timedelta(seconds=1) < next_send_at - timedelta(hours=24) <= charged[-1]


def test_rooms_follow_the_reserves(app):
    with app.app_context():
        app.config.update(LIMITED)
        reserved = budget.reserved()
        assert reserved == {Purpose.SECURITY: 2, Purpose.ALERT: 2, Purpose.URGENT: 0, Purpose.NOTICE: 6,
                            Purpose.BULK: 0}
        none = {purpose: 0 for purpose in Purpose}
        assert {p: budget.room(p, none) for p in Purpose} == {
            Purpose.SECURITY: 12, Purpose.ALERT: 12, Purpose.URGENT: 10, Purpose.NOTICE: 16, Purpose.BULK: 10}
        busy = {Purpose.SECURITY: 0, Purpose.ALERT: 0, Purpose.URGENT: 0, Purpose.NOTICE: 6, Purpose.BULK: 10}
        assert {p: budget.room(p, busy) for p in Purpose} == {
            Purpose.SECURITY: 2, Purpose.ALERT: 2, Purpose.URGENT: 0, Purpose.NOTICE: 0, Purpose.BULK: 0}
        quiet_bulk = {Purpose.SECURITY: 0, Purpose.ALERT: 0, Purpose.URGENT: 0, Purpose.NOTICE: 0, Purpose.BULK: 2}
        assert budget.room(Purpose.NOTICE, quiet_bulk) == 14  # any slot bulk has not used


@pytest.mark.parametrize("app", [LIMITED], indirect=True)
def test_budget_is_a_rolling_24_hours(app, smtp_server, queue, drain):
    queue(20, purpose=Purpose.NOTICE)
    drain()
    assert len(smtp_server.messages) == 16  # all but the other reserves
    with app.app_context():  # three of those slots age out of the window
        old = list(db.session.scalars(sa.select(OutboxEmail.id).where(OutboxEmail.charged_at.is_not(None))
                                      .limit(3)))
        db.session.execute(sa.update(OutboxEmail).where(OutboxEmail.id.in_(old))
                           .values(charged_at=utcnow() - timedelta(hours=24, seconds=1)))
        db.session.commit()
    drain()
    assert len(smtp_server.messages) == 19


@pytest.mark.parametrize("app", [LIMITED], indirect=True)
def test_estimate_delivery_follows_the_reserves_and_the_queue(app):
    with app.app_context():
        now = utcnow()
        assert close(estimate_delivery(10, Purpose.BULK), now)
        assert close(estimate_delivery(11, Purpose.BULK), now + timedelta(hours=24))
        assert close(estimate_delivery(21, Purpose.BULK), now + timedelta(hours=48))
        assert close(estimate_delivery(16, Purpose.NOTICE), now)
        # Five bulk slots used an hour ago; three notices queued ahead (their reserve holds them).
        enqueue_many("password_reset", [(f"b{i}@x.ac.za", {}) for i in range(5)], purpose=Purpose.BULK)
        db.session.execute(sa.update(OutboxEmail).values(status=MailStatus.SENT,
                                                         charged_at=now - timedelta(hours=1)))
        enqueue_many("password_reset", [(f"t{i}@x.ac.za", {}) for i in range(3)], purpose=Purpose.NOTICE,
                     cause="system")
        db.session.commit()
        assert close(estimate_delivery(1, Purpose.ALERT), now)
        assert close(estimate_delivery(1, Purpose.NOTICE), now)
        assert close(estimate_delivery(5, Purpose.BULK), now)
        assert close(estimate_delivery(6, Purpose.BULK), now + timedelta(hours=23))
        assert close(estimate_delivery(16, Purpose.BULK), now + timedelta(hours=47))  # 10 per window for bulk
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
        assert progress["total"] == 12 and progress["queued"] == 12 and progress["waiting_for_budget"] == 2
    smtp_server.behave("reject", after=5)
    drain()
    with app.app_context():
        progress = batch_progress("remind-1")
    assert {k: progress[k] for k in ("total", "queued", "sent", "failed", "waiting_for_budget")} == {
        "total": 12, "queued": 2, "sent": 5, "failed": 5, "waiting_for_budget": 2}
    assert progress["estimated_done"] > utcnow().isoformat()


def test_health_is_json_safe_with_every_key(app, client, queue):
    queue(2)
    health = client.get("/healthz", headers=MONITOR).get_json()["mail"]
    for key in ("queue_depth", "queued_by_purpose", "by_status", "budget_limit", "budget_used", "budget_left",
                "budget_reserved", "budget_by_purpose", "bulk_room", "bulk_clears_at",
                "next_send_at", "paused_until", "paused_reason", "last_reply"):
        assert key in health
    assert health["queue_depth"] == 2 and health["by_status"]["queued"] == 2
    assert health["paused_until"] is None and health["budget_left"] == health["budget_limit"]
