"""Connection trouble: a server that never answers, a refused connection, a connection dropped after DATA."""
import threading

import pytest

from app.models.mail import MailStatus
from tests.conftest import MONITOR, wait_for
from tests.fixtures.servers import free_port


def drain_in_thread(drain) -> tuple[threading.Thread, list[str]]:
    """Start `flask mail drain` in a thread; the list receives its output once it has finished cleanly."""
    outputs: list[str] = []
    worker = threading.Thread(target=lambda: outputs.append(drain()))
    worker.start()
    return worker, outputs


@pytest.mark.parametrize("app", [{"MAIL_TIMEOUT": 1}], indirect=True)
def test_silent_server_times_out(smtp_server, queue, outbox, drain):
    queue(2)
    smtp_server.behave("hang")
    before = smtp_server.connections
    worker, outputs = drain_in_thread(drain)
    worker.join(timeout=30)  # the server never answers: only MAIL_TIMEOUT ends the wait
    assert not worker.is_alive() and len(outputs) == 1
    assert smtp_server.connections == before + 1
    for row in outbox():  # retried later, never dropped; no budget slot held
        assert row.status == MailStatus.QUEUED and row.attempts == 1 and row.charged_at is None
        assert "timed out" in row.last_error


@pytest.mark.parametrize("app", [{"MAIL_TIMEOUT": 60}], indirect=True)
def test_web_requests_are_unaffected_while_the_worker_waits_on_a_silent_server(smtp_server, queue, outbox, drain,
                                                                               client, student):
    queue(2)
    smtp_server.behave("hang")
    before = smtp_server.connections
    worker, outputs = drain_in_thread(drain)
    wait_for(lambda: smtp_server.connections == before + 1)  # the worker now waits on the silent server
    for _ in range(3):
        assert client.get("/healthz").status_code == 200
        response = client.post("/password/forgot", data={"email": student.email})
        assert response.status_code in (200, 302)
    assert worker.is_alive()  # all served while the worker still waits
    assert smtp_server.connections == before + 1  # and none of them talked SMTP
    smtp_server.release()
    worker.join(timeout=30)
    assert not worker.is_alive() and len(outputs) == 1
    rows = outbox()
    assert [row.status for row in rows if row.to_address == student.email] == [MailStatus.QUEUED]
    for row in rows:
        assert row.status == MailStatus.QUEUED and row.charged_at is None


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
    assert client.get("/healthz", headers=MONITOR).get_json()["mail"]["by_status"]["unknown"] == 2


@pytest.mark.parametrize("app", [{"MAIL_TIMEOUT": 1}], indirect=True)
def test_no_reply_after_data_is_unknown_too(smtp_server, queue, outbox, drain):
    queue(1)
    smtp_server.behave("hang_after_data")
    drain()
    assert outbox()[0].status == MailStatus.UNKNOWN


class Refusing:
    """A gate that lets DATA go out and then says no before the final dot."""

    def __init__(self):
        self.opened = False

    def opening(self) -> None:
        self.opened = True

    def may_end(self) -> bool:
        return False


def test_a_gate_that_says_no_before_the_final_dot_leaves_the_server_without_the_message(app, smtp_server):
    from app.emailer.transport import Connection, Withheld

    gate = Refusing()
    with app.app_context(), Connection(app.config).open() as connection:
        with pytest.raises(Withheld):
            connection.send("student@example.ac.za", b"Subject: hello\r\n\r\nbody\r\n.\r\nRSET\r\n", gate)
        connection.open().send("other@example.ac.za", b"Subject: after\r\n\r\nbody\r\n")  # a new session
    assert gate.opened
    wait_for(lambda: len(smtp_server.messages) >= 1)
    assert smtp_server.recipients() == ["other@example.ac.za"]  # the unfinished body was dropped with the connection


def test_the_final_dot_is_not_held_back_by_nagle(app, smtp_server):
    """The final dot goes out on its own, after the journal's write: the socket must not wait for the server's
    delayed ACK of the body (40 ms a message, 50 times raw smtplib in bench_mail_drain)."""
    import socket

    from app.emailer.transport import Connection

    with app.app_context(), Connection(app.config).open() as connection:
        assert connection.smtp.sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
