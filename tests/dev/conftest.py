"""Fixtures for the developer pages: error groups made through the real record()."""
import pytest
import sqlalchemy as sa

from app.errorlog import record
from app.extensions import db
from app.models.errors import ErrorGroup, ErrorStatus
from app.models.mail import MailStatus, OutboxEmail, Purpose
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


@pytest.fixture
def unknown_rows(app, queue):  # noqa: F811 - the imported fixture
    """unknown_rows(n, batch=None) -> ids of n emails whose delivery is unknown."""

    def make(n: int, batch: str | None = None, prefix: str = "user") -> list[int]:
        ids = queue(n, purpose=Purpose.BULK if batch else Purpose.NOTICE, batch=batch, prefix=prefix)
        with app.app_context():
            db.session.execute(sa.update(OutboxEmail).where(OutboxEmail.id.in_(ids)).values(
                status=MailStatus.UNKNOWN, lease_owner="gone:1:abc",
                last_error="connection lost after DATA, delivery unknown"))
            db.session.commit()
        return ids

    return make
