"""Exactly once, or honestly unknown: a worker killed mid-batch or cut off from its database sends nothing
twice; at most the message in flight when it died becomes `unknown`; leases are renewed only for the rows in
hand. Real parts: worker processes, an aiosmtpd server counting deliveries per message, MariaDB behind a
TCP proxy the test cuts and restores (the shared server itself is never stopped)."""
import re
import signal
import time
from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.emailer.claims import Claimed, claim_batch
from app.emailer.worker import Worker
from app.extensions import db
from app.models.base import utcnow
from app.models.mail import JournalState, MailJournal, MailStatus, OutboxEmail
from tests.conftest import wait_for
from tests.fixtures.tcp_proxy import TCPProxy

SENT, SENDING, UNKNOWN, QUEUED = MailStatus.SENT, MailStatus.SENDING, MailStatus.UNKNOWN, MailStatus.QUEUED


def deliveries(smtp_server) -> Counter:
    """How often the server accepted each outbox row (every row keeps its Message-ID)."""
    return Counter(int(re.match(r"<outbox-(\d+)\.", message["Message-ID"]).group(1))
                   for message in list(smtp_server.messages))


def run_out_leases(app) -> None:
    """Pretend the leases of the rows being sent have run out."""
    with app.app_context():
        db.session.execute(sa.update(OutboxEmail).where(OutboxEmail.status == SENDING)
                           .values(lease_until=utcnow() - timedelta(seconds=1)))
        db.session.commit()


def journal(app) -> dict[int, JournalState]:
    with app.app_context():
        return dict(db.session.execute(sa.select(MailJournal.outbox_id, MailJournal.state)).all())


def assert_exactly_once_or_unknown(rows, smtp_server, most_unknown: int) -> None:
    received = deliveries(smtp_server)
    statuses = Counter(row.status for row in rows)
    assert set(statuses) <= {SENT, UNKNOWN}, statuses
    assert statuses[UNKNOWN] <= most_unknown, statuses
    for row in rows:
        if row.status == SENT:
            assert received[row.id] == 1, (row.id, received[row.id])
        else:
            assert received[row.id] <= 1, (row.id, received[row.id])


def test_killed_worker_sends_nothing_twice_and_leaves_at_most_the_message_in_flight_unknown(
        app, smtp_server, spawn, queue, outbox, drain):
    ids = queue(30)
    smtp_server.slow_down(0.05)  # a kill most likely lands while the server holds a message: the hard case
    kills = 3
    for _ in range(kills):
        before = len(smtp_server.messages)
        worker = spawn("worker", MAIL_BATCH_SIZE=30, MAIL_LEASE_SECONDS=300)
        wait_for(lambda before=before: len(smtp_server.messages) >= before + 4)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        entries = journal(app)
        sending = {row.id for row in outbox() if row.status == SENDING}
        in_flight = [i for i in sending if entries.get(i) == JournalState.FLIGHT]
        assert len(in_flight) <= 1, "only the message in hand may be in flight"
        unwritten = set(deliveries(smtp_server)) & sending
        assert unwritten <= {i for i in sending if entries.get(i) in (JournalState.FLIGHT, JournalState.SENT)}
        assert all(received == 1 for received in deliveries(smtp_server).values())
        run_out_leases(app)  # the next worker takes up the dead one's rows at once
    drain()
    rows = outbox()
    assert [row.id for row in rows] == ids
    assert_exactly_once_or_unknown(rows, smtp_server, most_unknown=kills)
    unknown = [row for row in rows if row.status == UNKNOWN]
    assert all("worker stopped while the message was with the SMTP server" in row.last_error for row in unknown)
    assert all(row.charged_at is not None for row in unknown)  # it may have been sent: it keeps its slot


def test_a_worker_killed_before_data_leaves_its_message_queued_not_unknown(app, smtp_server, spawn, queue, outbox,
                                                                           drain):
    """Killed while the server holds RCPT: the message never went out, so it is sent later, once; the one
    accepted before it is known as sent."""
    ids = queue(12)
    smtp_server.slow_down(0.3, "rcpt")
    kills = 3
    for _ in range(kills):
        before = len(smtp_server.messages)
        worker = spawn("worker", MAIL_BATCH_SIZE=12, MAIL_LEASE_SECONDS=300)
        wait_for(lambda before=before: len(smtp_server.messages) > before and smtp_server.holding == 1)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        assert JournalState.FLIGHT not in journal(app).values(), "no message was past DATA"
        wait_for(lambda: smtp_server.holding == 0)  # the killed worker's RCPT is over
        run_out_leases(app)
    drain()
    rows = outbox()
    assert [row.id for row in rows] == ids
    assert_exactly_once_or_unknown(rows, smtp_server, most_unknown=0)
    assert sorted(deliveries(smtp_server)) == ids


def test_expired_lease_settles_rows_from_the_journal(app, queue, outbox):
    """Sent when the server had accepted it, unknown when it was in flight, queued again otherwise."""
    ids = queue(4)
    with app.app_context():
        claim_batch("dead-worker", 4)
        db.session.add_all([MailJournal(outbox_id=ids[0], owner="dead-worker", state=JournalState.SENT),
                            MailJournal(outbox_id=ids[1], owner="dead-worker", state=JournalState.FLIGHT),
                            MailJournal(outbox_id=ids[3], owner="dead-worker", state=JournalState.DONE)])
        db.session.commit()
    run_out_leases(app)
    with app.app_context():
        assert [row.id for row in claim_batch("next-worker", 4)] == [ids[2], ids[3]]
    rows = {row.id: row for row in outbox()}
    assert rows[ids[0]].status == SENT and rows[ids[0]].sent_at is not None
    assert rows[ids[1]].status == UNKNOWN and rows[ids[1]].lease_owner == "dead-worker"
    assert "worker stopped while the message was with the SMTP server" in rows[ids[1]].last_error
    assert rows[ids[2]].lease_owner == rows[ids[3]].lease_owner == "next-worker"
    assert set(journal(app)) == {ids[0], ids[1]}  # (swept an hour on; the reclaimed rows' entries went at once)


def test_lease_is_renewed_only_for_rows_in_hand(app, smtp_server, queue, outbox):
    """A row this worker claimed earlier and no longer holds in a batch is left to run out."""
    ids = queue(6)
    app.config.update(MAIL_FLUSH_SECONDS=0.01, MAIL_BATCH_SIZE=5)  # a write, and a renewal, after every message
    smtp_server.slow_down(0.08)
    with app.app_context():
        worker = Worker()
        stale = claim_batch(worker.owner, 1)  # held by the same owner, but not in the batch in hand
        db.session.commit()
        leased_until = db.session.get(OutboxEmail, stale[0].id).lease_until
        db.session.rollback()
        rows = claim_batch(worker.owner, 5)
        db.session.commit()
        renewed = []

        original = worker.deliver

        def deliver(batch: list[Claimed]) -> list[Claimed]:
            result = original(batch)
            renewed.append(db.session.get(OutboxEmail, stale[0].id).lease_until)
            return result

        worker.deliver = deliver
        while rows:
            rows = worker.deliver(rows)
    by_id = {row.id: row for row in outbox()}
    assert by_id[stale[0].id].status == SENDING and by_id[stale[0].id].lease_until == leased_until == renewed[0]
    assert [by_id[i].status for i in ids if i != stale[0].id] == [SENT] * 5


def test_lease_renewal_drops_a_row_another_worker_has_taken(app, smtp_server, queue, outbox):
    """A row in hand whose lease ran out and that another worker claimed is not this worker's to send: the
    renewal finds it gone, the worker skips it and writes nothing to it (app/emailer/outcomes.py)."""
    ids = queue(4)
    app.config.update(MAIL_FLUSH_SECONDS=0.01)  # a write, and a renewal, before every message
    with app.app_context():
        worker = Worker()
        rows = worker.claim()
        db.session.execute(sa.update(OutboxEmail).where(OutboxEmail.id == ids[2])  # taken over meanwhile
                           .values(lease_owner="other-worker", lease_until=utcnow() + timedelta(minutes=5)))
        db.session.commit()
        time.sleep(0.02)
        while rows:
            rows = worker.deliver(rows)
    assert sorted(deliveries(smtp_server)) == [ids[0], ids[1], ids[3]]
    taken = {row.id: row for row in outbox()}[ids[2]]
    assert taken.status == SENDING and taken.lease_owner == "other-worker" and taken.attempts == 0
    assert worker.totals["sent"] == 3 and worker.totals["released"] == 0


def test_journal_is_empty_once_the_outcomes_are_written(app, smtp_server, queue, outbox, drain):
    queue(2, template="no_such_template")
    queue(3)
    smtp_server.behave("reject", after=1)
    drain()
    assert [row.status for row in outbox()] == [MailStatus.FAILED] * 2 + [SENT] + [MailStatus.FAILED] * 2
    assert journal(app) == {}


@pytest.fixture
def proxied_database(database_url):
    """The test database's URL through a TCP proxy the test can cut (MariaDB/MySQL only)."""
    url = sa.make_url(database_url)
    if url.get_backend_name() == "sqlite":
        pytest.skip("a SQLite file cannot be cut off from one process; the outage test runs on MariaDB")
    proxy = TCPProxy(url.host or "127.0.0.1", url.port or 3306).start()
    yield proxy, url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    proxy.stop()


def test_database_outage_mid_batch_sends_nothing_twice_and_recovers_without_a_restart(
        app, smtp_server, spawn, queue, outbox, proxied_database):
    proxy, url = proxied_database
    ids = queue(40)
    smtp_server.slow_down(0.04)
    worker = spawn("worker", DATABASE_URL=url, MAIL_BATCH_SIZE=40, MAIL_LEASE_SECONDS=600, MAIL_POLL_SECONDS=0.2)
    wait_for(lambda: len(smtp_server.messages) >= 8)
    proxy.cut()
    at_cut = len(smtp_server.messages)
    wait_for(lambda: proxy.refused >= 3)  # the worker keeps trying to write what it knows
    assert len(smtp_server.messages) <= at_cut + 1, "nothing more goes out while outcomes cannot be written"
    during = outbox()  # (the test's own connection does not go through the proxy)
    accepted_unwritten = set(deliveries(smtp_server)) - {row.id for row in during if row.status == SENT}
    assert all(row.status in (SENT, SENDING) for row in during)
    proxy.restore()
    restored = time.monotonic()
    wait_for(lambda: all(row.status == SENT for row in outbox()), timeout=60)
    assert time.monotonic() - restored < 20, "the rows of the failed batch came back long before their lease ran out"
    assert worker.poll() is None, "the same worker process carried on"
    rows = outbox()
    assert [row.id for row in rows] == ids
    assert_exactly_once_or_unknown(rows, smtp_server, most_unknown=0)
    assert sum(deliveries(smtp_server).values()) == 40
    worker.send_signal(signal.SIGTERM)
    output = worker.communicate(timeout=30)[0]
    assert "database unavailable" in output and "database back" in output, output
    assert accepted_unwritten <= {row.id for row in rows if row.status == SENT}
