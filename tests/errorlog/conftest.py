"""Helpers for the error logger tests: raising real exceptions, reading groups back, a route that fails."""
from datetime import datetime

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models.errors import ErrorGroup, ErrorHourlyCount, ErrorOccurrence
from app.models.mail import OutboxEmail, Purpose


def raised(error: BaseException) -> BaseException:
    """`error` with a real traceback (raised and caught here)."""
    try:
        raise error
    except BaseException as caught:  # noqa: BLE001
        return caught


@pytest.fixture
def read(app):
    """Read the stored error state in a fresh app context: read.groups(), read.occurrences(gid), ..."""

    class Reader:
        def _rows(self, stmt):
            with app.app_context():
                rows = [row for row in db.session.scalars(stmt)]
                db.session.expunge_all()
                return rows

        def groups(self) -> list[ErrorGroup]:
            return self._rows(sa.select(ErrorGroup).order_by(ErrorGroup.id))

        def group(self) -> ErrorGroup:
            groups = self.groups()
            assert len(groups) == 1, [g.title for g in groups]
            return groups[0]

        def occurrences(self, group_id: int | None = None) -> list[ErrorOccurrence]:
            stmt = sa.select(ErrorOccurrence).order_by(ErrorOccurrence.id)
            if group_id is not None:
                stmt = stmt.where(ErrorOccurrence.group_id == group_id)
            return self._rows(stmt)

        def hourly(self) -> list[ErrorHourlyCount]:
            return self._rows(sa.select(ErrorHourlyCount).order_by(ErrorHourlyCount.hour))

        def alerts(self) -> list[OutboxEmail]:
            return self._rows(sa.select(OutboxEmail).where(OutboxEmail.purpose == Purpose.ALERT)
                              .order_by(OutboxEmail.id))

    return Reader()


@pytest.fixture
def clock(monkeypatch):
    """Freeze the logger's clock: clock.now = datetime(...); clock.advance(minutes=...)."""
    import app.errorlog.recorder as recorder

    class Clock:
        now = datetime(2026, 3, 10, 8, 0, 0)

        def advance(self, **delta):
            from datetime import timedelta

            self.now += timedelta(**delta)

    frozen = Clock()
    monkeypatch.setattr(recorder, "utcnow", lambda: frozen.now)
    return frozen


@pytest.fixture
def failing_app(app):
    """The app with two routes that fail (GET and POST) and exceptions answered as 500 pages, as in production."""
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def explode():
        from flask import request

        raise RuntimeError(f"exploded while handling {request.form.get('room', 'nothing')}")

    app.add_url_rule("/test-explode", "test_explode", explode, methods=["GET", "POST"])
    return app
