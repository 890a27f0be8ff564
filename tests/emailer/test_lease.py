"""Leases: two workers with a lease at the edge (MAIL_LEASE_SECONDS = MAIL_FLUSH_SECONDS + MAIL_TIMEOUT) and a
server slow enough that one message takes longer than the write interval: each message is accepted once and
written once, none left `unknown` (the issue's case, a lease shorter than the write interval, is refused at
start: tests/main/test_config.py). Real parts: two worker processes, aiosmtpd counting deliveries."""
import signal
from collections import Counter

from app.models.mail import MailStatus
from tests.conftest import wait_for
from tests.emailer.test_exactly_once import deliveries

EDGE = {"MAIL_TIMEOUT": 1, "MAIL_FLUSH_SECONDS": 1.3, "MAIL_LEASE_SECONDS": 2.3, "MAIL_BATCH_SIZE": 6,
        "MAIL_POLL_SECONDS": 0.1, "MAIL_RETRY_BASE_SECONDS": 0.2, "MAIL_RETRY_MAX_SECONDS": 0.5}


def test_two_workers_with_a_lease_at_the_edge_send_each_message_once(smtp_server, spawn, queue, outbox):
    ids = queue(6)
    # MAIL and RCPT take 1.2 s together, each within MAIL_TIMEOUT: a message started late in a write interval
    # would reach DATA after its lease ran out, were the lease not renewed before it
    smtp_server.slow_down(0.6, "mail", "rcpt")
    smtp_server.slow_down(0.05)
    workers = [spawn("worker", **EDGE) for _ in range(2)]
    wait_for(lambda: all(row.status not in (MailStatus.QUEUED, MailStatus.SENDING) for row in outbox()), timeout=60)
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    outputs = [worker.communicate(timeout=30)[0] for worker in workers]
    assert Counter(deliveries(smtp_server)) == Counter(ids), outputs  # each accepted once
    assert [row.status for row in outbox()] == [MailStatus.SENT] * 6, outputs
