"""Connection trouble: a server that never answers, a refused connection, a connection dropped after DATA."""
import threading
import time

import pytest

from app.models.mail import MailStatus
from tests.fixtures.servers import free_port


@pytest.mark.parametrize("app", [{"MAIL_TIMEOUT": 1}], indirect=True)
def test_silent_server_times_out_and_web_requests_are_unaffected(app, smtp_server, queue, outbox, drain, client,
                                                                student):
    queue(2)
    smtp_server.behave("hang")
    started = time.monotonic()
    worker = threading.Thread(target=drain)
    worker.start()
    time.sleep(0.2)  # the worker is now waiting on the silent server
    assert worker.is_alive()
    for _ in range(3):
        began = time.monotonic()
        assert client.get("/healthz").status_code == 200
        response = client.post("/password/forgot", data={"email": student.email})
        assert response.status_code in (200, 302)
        assert time.monotonic() - began < 0.5
    worker.join(timeout=10)
    assert not worker.is_alive()
    assert 0.9 < time.monotonic() - started < 5
    rows = outbox()
    drained = [row for row in rows if row.to_address != student.email]
    for row in drained:  # retried later, never dropped; no budget slot held
        assert row.status == MailStatus.QUEUED and row.attempts == 1 and row.charged_at is None
        assert "timed out" in row.last_error
    assert [row.status for row in rows if row.to_address == student.email] == [MailStatus.QUEUED]


def test_connection_refused_retries_with_backoff(app, queue, outbox, drain):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    queue(2)
    output = drain()
    assert "2 retry" in output
    for row in outbox():
        assert row.status == MailStatus.QUEUED and row.attempts == 1 and row.charged_at is None
        assert "cannot connect" in row.last_error and "Refused" in row.last_error


def test_connection_dropped_after_data_marks_unknown_and_never_resends(smtp_server, queue, outbox, drain, client):
    queue(3)
    smtp_server.behave("drop_after_data", after=1)
    drain()
    statuses = [row.status for row in outbox()]
    assert statuses == [MailStatus.SENT, MailStatus.UNKNOWN, MailStatus.UNKNOWN]
    assert "delivery unknown" in outbox()[1].last_error
    smtp_server.behave("accept")
    drain()
    assert len(smtp_server.messages) == 1
    assert client.get("/healthz").get_json()["mail"]["by_status"]["unknown"] == 2


@pytest.mark.parametrize("app", [{"MAIL_TIMEOUT": 1}], indirect=True)
def test_no_reply_after_data_is_unknown_too(smtp_server, queue, outbox, drain):
    queue(1)
    smtp_server.behave("hang_after_data")
    drain()
    assert outbox()[0].status == MailStatus.UNKNOWN
