"""Helpers for the emailer tests: queue emails, read outbox rows, start `flask mail ...` processes."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.emailer import enqueue
from app.extensions import db
from app.models.mail import OutboxEmail, Purpose

ROOT = Path(__file__).resolve().parents[2]


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


@pytest.fixture
def spawn(database_url, smtp_server, tmp_path):
    """spawn("drain" | "worker" | "drain --max-seconds 5", VAR=value, ...) starts `flask mail ...` in its own
    process."""
    processes = []

    def start(command: str, **env) -> subprocess.Popen:
        environment = {**os.environ, "DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path / "instance"),
                       "SECRET_KEY": "test-secret", "DEVELOPER_EMAILS": "dev-alerts@example.ac.za",
                       "ALLOWED_EMAIL_DOMAINS": "example.ac.za",
                       "BASE_URL": "http://localhost", "MAIL_TIMEOUT": "5",
                       **{key: str(value) for key, value in smtp_server.config().items()},
                       **{key: str(value) for key, value in env.items()}}
        environment["MAIL_USE_TLS"] = environment["MAIL_USE_SSL"] = ""
        process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "mail", *command.split()],
                                   cwd=ROOT,
                                   env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        processes.append(process)
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
