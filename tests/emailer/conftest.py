"""Helpers for the emailer tests: queue emails, read outbox rows."""
import pytest
import sqlalchemy as sa

from app.emailer import enqueue
from app.extensions import db
from app.models.mail import OutboxEmail, Purpose


@pytest.fixture
def queue(app):
    """queue(n, purpose=..., template=...) commits n emails to distinct addresses; returns their ids."""

    def add(n: int = 1, purpose: Purpose = Purpose.NOTICE, template: str = "password_reset",
            prefix: str = "user", **options) -> list[int]:
        with app.app_context():
            rows = [enqueue(template, f"{prefix}{i}@example.ac.za",
                            {"name": f"User {i}", "link": f"http://localhost/password/reset/t{i}"},
                            purpose=purpose, **options) for i in range(n)]
            db.session.commit()
            return [row.id for row in rows]

    return add


@pytest.fixture
def outbox(app):
    """outbox() -> every outbox row (fresh), oldest first."""

    def rows() -> list[OutboxEmail]:
        with app.app_context():
            found = list(db.session.scalars(sa.select(OutboxEmail).order_by(OutboxEmail.id)))
            db.session.expunge_all()
            return found

    return rows


@pytest.fixture
def mail_state(app):
    """mail_state() -> the shared MailState row (or None); mail_state(paused_until=...) changes it first."""
    from app.emailer import budget

    def get(**changes):
        with app.app_context():
            state = budget.read_state()
            if changes:
                state = budget.begin_locked()
                for key, value in changes.items():
                    setattr(state, key, value)
                db.session.commit()
                state = budget.read_state()
            if state is not None:
                db.session.expunge(state)
            return state

    return get


@pytest.fixture
def drain(runner):
    """drain() runs `flask mail drain` and returns its output (failing the test on a non-zero exit)."""

    def run() -> str:
        result = runner.invoke(args=["mail", "drain"])
        assert result.exit_code == 0, result.output + repr(result.exception)
        return result.output

    return run
