"""Real worker processes: several at once never exceed the budget nor send a row twice; SIGTERM finishes the
message in hand and gives the rest back (a killed worker: test_exactly_once.py)."""
import signal
from collections import Counter

from app.models.mail import MailStatus
from tests.conftest import wait_for


def test_concurrent_workers_never_exceed_the_budget_nor_send_twice(smtp_server, spawn, queue, outbox):
    queue(70, prefix="student")
    smtp_server.slow_down(0.005)
    workers = [spawn("drain", MAIL_DAILY_LIMIT=50, MAIL_SHARE_NOTICE=1, MAIL_SHARE_SECURITY=0, MAIL_SHARE_URGENT=0,
                   MAIL_SHARE_ALERT=0, MAIL_BATCH_SIZE=4) for _ in range(3)]
    outputs = [worker.communicate(timeout=120)[0] for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0, 0], outputs
    assert all("sent" in output for output in outputs)
    ids = Counter(message["Message-ID"] for message in smtp_server.messages)
    assert len(smtp_server.messages) == 50 and max(ids.values()) == 1
    rows = outbox()
    assert Counter(row.status for row in rows) == {MailStatus.SENT: 50, MailStatus.QUEUED: 20}
    assert sorted(r.to_address for r in rows if r.status == MailStatus.SENT) == sorted(smtp_server.recipients())
    assert sum(1 for output in outputs if not output.startswith("mail drain: 0 sent")) >= 2, outputs


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
