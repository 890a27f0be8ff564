"""Fixtures for the developer pages: error groups made through the real record()."""
import pytest
import sqlalchemy as sa

from app.errorlog import record
from app.extensions import db
from app.models.errors import ErrorGroup, ErrorStatus
from tests.emailer.conftest import drain, outbox, queue  # noqa: F401 - outbox fixtures for the mail pages
from tests.issues.conftest import make_issue  # noqa: F401 - fixture, for the house pages


@pytest.fixture
def make_errors(app):
    """make_errors([("source", "message", times), ...], status=...) -> {title: group id}."""

    def make(specs, status: ErrorStatus | None = None) -> dict[str, int]:
        with app.app_context():
            for source, message, times in specs:
                for _ in range(times):
                    record(source, message, {"path": "/issues/new", "method": "POST"}, alert=False)
            titles = [message for _, message, _ in specs]
            if status is not None:
                db.session.execute(sa.update(ErrorGroup).where(ErrorGroup.title.in_(titles)).values(status=status))
                db.session.commit()
            return dict(db.session.execute(
                sa.select(ErrorGroup.title, ErrorGroup.id).where(ErrorGroup.title.in_(titles))).all())

    return make


@pytest.fixture
def read_group(app):
    def read(group_id: int) -> ErrorGroup:
        with app.app_context():
            group = db.session.get(ErrorGroup, group_id)
            db.session.expunge(group)
            return group

    return read
