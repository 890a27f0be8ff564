"""Fixtures for the issues tests: issues made straight in the database, outbox readers."""
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Role
from app.models.base import utcnow
from app.models.issues import EventKind, Issue, IssueEvent, IssueStatus, IssueSubscription
from app.models.mail import OutboxEmail
from tests.issues.images import image_bytes


@pytest.fixture
def make_issue(app):
    """make_issue(reporter, area_id=None, status='reported', title=..., age_days=0) -> issue id."""

    def make(reporter, area_id=None, status="reported", title="Leaking tap", urgency="normal",
             category="plumbing", age_days=0, resolved_days_ago=None, house_id=None) -> int:
        with app.app_context():
            created = utcnow() - timedelta(days=age_days)
            issue = Issue(house_id=house_id or reporter.house_id, reporter_id=reporter.id, category=category,
                          common_area_id=area_id, title=title, description="It drips all night long.",
                          urgency=urgency, status=IssueStatus(status), created_at=created, updated_at=created)
            if resolved_days_ago is not None:
                issue.resolved_at = utcnow() - timedelta(days=resolved_days_ago)
            db.session.add(issue)
            db.session.flush()
            db.session.add(IssueSubscription(issue_id=issue.id, user_id=reporter.id))
            db.session.add(IssueEvent(issue_id=issue.id, author_id=reporter.id, kind=EventKind.REPORTED))
            db.session.commit()
            return issue.id

    return make


@pytest.fixture
def outbox(app):
    """outbox() -> the queued emails as (to, template, context) tuples, oldest first."""

    def read(template: str | None = None):
        with app.app_context():
            query = sa.select(OutboxEmail).order_by(OutboxEmail.id)
            if template:
                query = query.where(OutboxEmail.template == template)
            return [(e.to_address, e.template, e.context) for e in db.session.scalars(query)]

    return read


def report_data(**changes) -> dict:
    data = {"category": "plumbing", "location": "room", "title": "Shower drain blocked",
            "description": "Water stays in the shower for an hour.", "urgency": "normal"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def photo_file(fmt="JPEG", name="photo.jpg", **kwargs):
    return (io.BytesIO(image_bytes(fmt, **kwargs)), name)


@pytest.fixture
def staff(make_user, house):
    """A maintenance staff member of the house."""
    return make_user(Role.STAFF, email="sipho.fixit@example.com", name="Sipho Fixit", staff_of=[house])


@pytest.fixture
def room_issue(make_issue, student):
    """An open issue in the student's own room (visits are booked for these)."""
    return make_issue(student, title="Wardrobe door off its hinge", category="furniture")
