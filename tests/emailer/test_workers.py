"""Real worker processes: several at once never exceed the budget nor send a row twice; a killed worker loses
nothing; SIGTERM finishes the message in hand and gives the rest back."""
import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models.base import utcnow
from app.models.mail import MailStatus, OutboxEmail
from tests.conftest import wait_for

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def spawn(database_url, smtp_server, tmp_path):
    """spawn("drain" | "worker", VAR=value, ...) starts `flask mail ...` in its own process."""
    processes = []

    def start(command: str, **env) -> subprocess.Popen:
        environment = {**os.environ, "DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path / "instance"),
                       "SECRET_KEY": "test-secret", "DEVELOPER_EMAILS": "dev-alerts@example.ac.za",
                       "ALLOWED_EMAIL_DOMAINS": "example.ac.za",
                       "BASE_URL": "http://localhost", "MAIL_TIMEOUT": "5",
                       **{key: str(value) for key, value in smtp_server.config().items()},
                       **{key: str(value) for key, value in env.items()}}
        environment["MAIL_USE_TLS"] = environment["MAIL_USE_SSL"] = ""
        process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "mail", command], cwd=ROOT,
                                   env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        processes.append(process)
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def test_concurrent_workers_never_exceed_the_budget_nor_send_twice(smtp_server, spawn, queue, outbox):
    queue(70, prefix="student")
    smtp_server.slow_down(0.005)
    workers = [spawn("drain", MAIL_DAILY_LIMIT=50, MAIL_SHARE_NOTICE=1, MAIL_SHARE_SECURITY=0, MAIL_SHARE_URGENT=0,
                   MAIL_SHARE_ALERT=0, MAIL_SHARE_BULK=0, MAIL_BATCH_SIZE=4) for _ in range(3)]
    outputs = [worker.communicate(timeout=120)[0] for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0, 0], outputs
    assert all("sent" in output for output in outputs)
    ids = Counter(message["Message-ID"] for message in smtp_server.messages)
    assert len(smtp_server.messages) == 50 and max(ids.values()) == 1
    rows = outbox()
    assert Counter(row.status for row in rows) == {MailStatus.SENT: 50, MailStatus.QUEUED: 20}
    assert sorted(r.to_address for r in rows if r.status == MailStatus.SENT) == sorted(smtp_server.recipients())
    assert sum(1 for output in outputs if not output.startswith("mail drain: 0 sent")) >= 2, outputs


def run_out_leases(app) -> None:
    """Pretend the leases of the rows being sent have run out."""
    with app.app_context():
        db.session.execute(sa.update(OutboxEmail).where(OutboxEmail.status == MailStatus.SENDING)
                           .values(lease_until=utcnow() - timedelta(seconds=1)))
        db.session.commit()


def test_killed_worker_loses_nothing(app, smtp_server, spawn, queue, outbox, drain):
    queue(12)
    smtp_server.slow_down(0.15)
    worker = spawn("worker", MAIL_BATCH_SIZE=12, MAIL_FLUSH_EVERY=1)
    wait_for(lambda: len(smtp_server.messages) >= 3)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    in_flight = [row.id for row in outbox() if row.status == MailStatus.SENDING]
    assert in_flight, "the worker died holding rows"
    drain()  # the dead worker's lease has not run out: its rows are left alone for now
    assert [row.id for row in outbox() if row.status == MailStatus.SENDING] == in_flight
    run_out_leases(app)
    drain()
    rows = outbox()
    assert [row.status for row in rows] == [MailStatus.SENT] * 12
    received = Counter(smtp_server.recipients())
    assert set(received) == {row.to_address for row in rows}
    assert sum(received.values()) - 12 <= 1  # at most the message in hand when it died goes twice


def test_sigterm_finishes_the_message_in_hand_and_gives_the_rest_back(smtp_server, spawn, queue, outbox, drain):
    queue(12)
    smtp_server.slow_down(0.15)
    worker = spawn("worker", MAIL_BATCH_SIZE=12)
    wait_for(lambda: len(smtp_server.messages) >= 2)
    worker.send_signal(signal.SIGTERM)
    output = worker.communicate(timeout=15)[0]
    assert worker.returncode == 0, output
    assert "SIGTERM received" in output and "mail worker stopped" in output
    rows = outbox()
    sent = [row for row in rows if row.status == MailStatus.SENT]
    assert len(sent) == len(smtp_server.messages) < 12
    assert all(row.status in (MailStatus.SENT, MailStatus.QUEUED) and row.attempts == 0 for row in rows)
    drain()
    assert sorted(smtp_server.recipients()) == sorted(row.to_address for row in rows)
