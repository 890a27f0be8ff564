"""`flask maintenance purge`: old rows go in batches, what is still needed stays, error counts stay exact."""
from datetime import timedelta

import sqlalchemy as sa

from app.errorlog import record
from app.extensions import db
from app.maintenance import delete_in_batches, purge
from app.models.base import utcnow
from app.models.errors import ErrorGroup, ErrorOccurrence
from app.models.limits import RateCount
from app.models.mail import MailStatus, OutboxEmail, Purpose


def email(days_ago: float, status=MailStatus.SENT, purpose=Purpose.NOTICE, template="issue_update") -> OutboxEmail:
    at = utcnow() - timedelta(days=days_ago)
    return OutboxEmail(template=template, to_address="s@example.ac.za", context={"link": "http://x/secret"},
                       purpose=purpose, status=status, created_at=at, sent_at=at if status == MailStatus.SENT else None)


def remaining(model, column) -> list:
    return sorted(db.session.scalars(sa.select(column)))


def test_purge_keeps_what_is_still_needed(app):
    with app.app_context():
        db.session.add_all([
            email(31, template="old_sent"), email(2, template="recent_sent"),
            email(2, purpose=Purpose.SECURITY, template="old_reset"),
            email(0.5, purpose=Purpose.SECURITY, template="fresh_reset"),
            email(91, MailStatus.FAILED, template="old_failed"),
            email(30, MailStatus.UNKNOWN, template="recent_unknown"),
            email(60, MailStatus.QUEUED, template="still_queued"),  # queued mail is never purged
            RateCount(key="report:1:day", bucket=utcnow() - timedelta(days=3), count=1, refused=0),
            RateCount(key="report:1:day", bucket=utcnow() - timedelta(hours=3), count=1, refused=0),
        ])
        db.session.commit()
        for _ in range(3):
            record("web", RuntimeError("same error"))
        db.session.execute(sa.update(ErrorOccurrence).where(ErrorOccurrence.id == sa.select(
            sa.func.min(ErrorOccurrence.id)).scalar_subquery()).values(created_at=utcnow() - timedelta(days=91)))
        db.session.commit()

        counts = purge()

        assert counts["sent emails"] == 1 and counts["sent security emails"] == 1 and counts["failed emails"] == 1
        assert remaining(OutboxEmail, OutboxEmail.template) == [
            "error_alert", "fresh_reset", "recent_sent", "recent_unknown", "still_queued"]  # the alert: queued
        assert len(remaining(RateCount, RateCount.bucket)) == 1
        assert counts["error occurrences"] == 1
        assert db.session.scalar(sa.select(sa.func.count(ErrorOccurrence.id))) == 2
        assert db.session.scalar(sa.select(ErrorGroup.count)) == 3  # the group's count stays exact


def test_deletes_in_small_batches(app):
    with app.app_context():
        db.session.add_all([email(40, template=f"t{i}") for i in range(7)])
        db.session.commit()
        cutoff = OutboxEmail.sent_at < utcnow() - timedelta(days=30)
        assert delete_in_batches(OutboxEmail, (OutboxEmail.id,), cutoff, batch=3) == 7
        assert remaining(OutboxEmail, OutboxEmail.id) == []


def test_purge_command(app, runner):
    result = runner.invoke(args=["maintenance", "purge"])
    assert result.exit_code == 0 and result.output.startswith("purged: 0 sent emails")
