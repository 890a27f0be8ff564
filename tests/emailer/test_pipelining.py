"""MAIL and RCPT in one write when the server offers PIPELINING (RFC 2920), one by one when it does not; a
refusal of either is read in order, and DATA waits for both replies (so the journal hears only of accepted
envelopes)."""
import pytest

from app.emailer.transport import Connection
from app.models.mail import MailStatus


class Recording:
    """A gate that notes when DATA is about to go out."""

    def __init__(self):
        self.opened = 0

    def opening(self) -> None:
        self.opened += 1

    def may_end(self) -> bool:
        return True


@pytest.mark.parametrize("offered", [True, False])
def test_envelope_is_pipelined_only_when_the_server_offers_it(app, smtp_server, queue, outbox, drain, offered):
    smtp_server.pipelining = offered
    queue(3)
    drain()
    assert [row.status for row in outbox()] == [MailStatus.SENT] * 3
    assert smtp_server.pipelined == [offered] * 3
    assert sorted(smtp_server.recipients()) == sorted(row.to_address for row in outbox())


@pytest.mark.parametrize("offered", [True, False])
def test_a_refused_recipient_leaves_the_session_ready_for_the_next_message(app, smtp_server, offered):
    smtp_server.pipelining = offered
    smtp_server.refuse("gone@example.ac.za")
    gate, connections = Recording(), smtp_server.connections
    with app.app_context(), Connection(app.config).open() as connection:
        refused = connection.send("gone@example.ac.za", b"Subject: one\r\n\r\nbody\r\n", gate)
        accepted = connection.send("here@example.ac.za", b"Subject: two\r\n\r\nbody\r\n", gate)
    assert (refused.code, refused.stage, refused.enhanced) == (550, "rcpt", "5.1.1")
    assert accepted.code == 250
    assert gate.opened == 1  # DATA only for the accepted envelope
    assert smtp_server.recipients() == ["here@example.ac.za"]
    assert smtp_server.connections == connections + 1



def test_a_refused_mail_command_decides_though_the_pipelined_rcpt_is_answered_after_it(app, smtp_server, queue,
                                                                                       outbox, drain):
    queue(2)
    smtp_server.behave("mail_tempfail")
    drain()
    rows = outbox()
    assert all(row.status == MailStatus.QUEUED and row.attempts == 1 for row in rows)  # retried later
    assert all(row.last_error.startswith("451 4.3.2") for row in rows)
    assert smtp_server.pipelined == [True, True] and smtp_server.messages == []
    smtp_server.behave("accept")
    with app.app_context(), Connection(app.config).open() as connection:
        assert connection.send("after@example.ac.za", b"Subject: after\r\n\r\nbody\r\n").code == 250


@pytest.mark.parametrize("offered", [True, False])
def test_a_line_break_in_the_recipient_never_reaches_the_server_as_a_command(app, smtp_server, offered):
    """smtplib's quoteaddr keeps the line break of an address it cannot parse (";\r\nRCPT TO:..." becomes
    "<;\r\nRCPT TO:...>"): the pipelined write must refuse it as smtplib's own commands do."""
    smtp_server.pipelining = offered
    with app.app_context(), Connection(app.config).open() as connection:
        with pytest.raises(ValueError):
            connection.send(";\r\nRCPT TO:<intruder@example.com>", b"Subject: x\r\n\r\nbody\r\n")
    assert smtp_server.recipients() == []


def test_a_data_opened_for_no_recipient_is_ended_empty_and_nothing_is_sent(app):
    """RFC 2920 lets a server answer a pipelined DATA with 354 though it refused every RCPT: the client ends
    that DATA with a lone dot rather than send the body, and the session goes on."""
    import socketserver
    import threading

    heard: list[str] = []

    class Careless(socketserver.StreamRequestHandler):
        replies = {"EHLO": "250-careless\r\n250 PIPELINING", "MAIL": "250 OK", "RCPT": "550 5.1.1 No such user",
                   "DATA": "354 Go ahead", ".": "554 5.5.1 No valid recipients", "RSET": "250 OK", "QUIT": "221 Bye"}

        def handle(self):
            self.wfile.write(b"220 careless ready\r\n")
            for raw in self.rfile:
                line = raw.decode().rstrip("\r\n")
                heard.append(line)
                self.wfile.write(self.replies.get(line.split(" ")[0].upper(), "500 What?").encode() + b"\r\n")
                if line.upper() == "QUIT":
                    return

    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), Careless) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.server_address[1], MAIL_USERNAME=None)
        with app.app_context(), Connection(app.config).open() as connection:
            reply = connection.send("gone@example.ac.za", b"Subject: secret\r\n\r\nbody\r\n")
        server.shutdown()
    assert (reply.code, reply.stage) == (550, "rcpt")
    assert heard[1:] == ["mail FROM:<" + heard[1].split("<", 1)[1], "rcpt TO:<gone@example.ac.za>", "DATA", ".",
                         "rset", "quit"]
    assert not any("secret" in line for line in heard)
