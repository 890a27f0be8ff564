"""`flask mail drain --max-seconds N` for hosts with only a scheduled task: it sends what it can and stops
cleanly before N seconds; overlapping runs never send a message twice."""
import time
from collections import Counter

from app.models.mail import MailStatus
from tests.emailer.test_exactly_once import deliveries

SLACK = 1.0  # seconds a loaded machine may add to a run that stops on time


def test_drain_stops_cleanly_before_max_seconds(app, runner, smtp_server, queue, outbox, drain):
    ids = queue(60)
    smtp_server.slow_down(0.1)  # six seconds of work
    timeout = app.config["MAIL_TIMEOUT"]
    started = time.monotonic()
    result = runner.invoke(args=["mail", "drain", "--max-seconds", "4"])
    elapsed = time.monotonic() - started
    assert result.exit_code == 0, result.output + repr(result.exception)
    # The run keeps a reserve for one more message (twice the slowest, plus MAIL_TIMEOUT and 0.5 s), so it ends
    # well before 4 s at rest; the slack is for a loaded machine (the command's own start-up, scheduling), and
    # still well under the 6 s the whole queue takes
    assert elapsed < 4 + SLACK, elapsed
    rows = outbox()
    sent = [row for row in rows if row.status == MailStatus.SENT]
    assert 0 < len(sent) < 60 and result.output.startswith(f"mail drain: {len(sent)} sent")
    left = [row for row in rows if row.status != MailStatus.SENT]
    assert all(row.status == MailStatus.QUEUED and row.attempts == 0 and row.charged_at is None for row in left)
    assert sorted(deliveries(smtp_server)) == sorted(row.id for row in sent)
    app.config["MAIL_TIMEOUT"] = timeout  # --max-seconds shortened it for its run (a process of its own in use)
    drain()  # the next run takes up the rest
    assert [row.status for row in outbox()] == [MailStatus.SENT] * 60
    assert Counter(deliveries(smtp_server)) == Counter(ids)


def test_overlapping_drains_never_send_twice(smtp_server, spawn, queue, outbox):
    ids = queue(80)
    smtp_server.slow_down(0.04)
    runs = [spawn("drain --max-seconds 4", MAIL_BATCH_SIZE=10) for _ in range(2)]
    outputs = [run.communicate(timeout=60)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    rows = outbox()
    assert {row.status for row in rows} <= {MailStatus.SENT, MailStatus.QUEUED}
    received = deliveries(smtp_server)
    assert max(received.values()) == 1
    assert sorted(received) == sorted(row.id for row in rows if row.status == MailStatus.SENT)
    assert set(received) <= set(ids)


def test_max_seconds_must_be_a_positive_number(runner, queue, outbox):
    queue(1)
    for value in ("0", "-3", "soon"):
        result = runner.invoke(args=["mail", "drain", "--max-seconds", value])
        assert result.exit_code == 2 and "--max-seconds" in result.output
    assert [row.status for row in outbox()] == [MailStatus.QUEUED]
