"""One SMTP connection per batch and RFC 5321 reply handling.

Every socket operation is bounded by MAIL_TIMEOUT. `send` reports the server's reply; losing the
connection after the message body went out raises `LostAfterData` (the message may have arrived). A `Gate`
hears when DATA goes out and decides whether the final dot follows (the mail journal, app/emailer/worker.py).
"""
import enum
import re
import smtplib
import socket
import ssl
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Protocol

from flask import current_app


class Action(enum.Enum):
    SENT = "sent"
    FAIL = "fail"          # permanent, for this message only
    BOUNCE = "bounce"      # permanent, for the recipient: the address does not exist (app/emailer/bounces.py)
    RETRY = "retry"        # transient, for this message only
    PAUSE_QUOTA = "quota"  # the account's daily limit: pause all sending
    PAUSE_THROTTLE = "throttle"
    PAUSE_AUTH = "auth"


@dataclass(frozen=True)
class Reply:
    code: int
    text: str
    stage: str = field(default="", compare=False)  # the command refused: "mail", "rcpt" or "data"

    @property
    def enhanced(self) -> str | None:
        """The RFC 3463 enhanced status code (e.g. "5.4.5"), when the server gave one."""
        match = re.match(r"\s*([245]\.\d{1,3}\.\d{1,3})\b", self.text)
        return match.group(1) if match else None

    def __str__(self) -> str:
        return f"{self.code} {self.text}".strip()[:250]


DAILY_LIMIT = re.compile(r"daily .*(limit|quota)|quota exceeded|sending limit", re.IGNORECASE)
THROTTLE = re.compile(r"throttl|rate limit|too many (messages|connections)|try again later", re.IGNORECASE)
# RFC 3463 5.1.x codes about the destination address (5.1.7 and 5.1.8 are about the sender's own address).
RECIPIENT_GONE = ("5.1.0", "5.1.1", "5.1.2", "5.1.3", "5.1.6", "5.1.10")
NO_SUCH_USER = re.compile(r"user unknown|unknown (user|recipient)|no such (user|mailbox|recipient)|does not exist",
                          re.IGNORECASE)


def hard_bounce(reply: Reply) -> bool:
    """A permanent refusal of the recipient itself: a 5xx at RCPT with an enhanced code saying the address does
    not exist (or, from a server that gives no enhanced code, 550/551/553 saying so in words). A 4xx, a policy
    refusal (5.7.x), a full mailbox (5.2.2), a size limit (552, 5.3.4) or any refusal at MAIL or DATA is not."""
    if reply.stage != "rcpt" or reply.code // 100 != 5:
        return False
    if reply.enhanced is not None:
        return reply.enhanced in RECIPIENT_GONE
    return reply.code in (550, 551, 553) and bool(NO_SUCH_USER.search(reply.text))


def classify(reply: Reply) -> Action:
    """What a reply means for the message, and for sending as a whole."""
    code, enhanced = reply.code, reply.enhanced or ""
    if 200 <= code < 300:
        return Action.SENT
    if enhanced in ("5.4.5", "4.4.5") or DAILY_LIMIT.search(reply.text):
        return Action.PAUSE_QUOTA
    if code in (530, 534, 535, 538) or enhanced.startswith("5.7.8") or code == 454 and "auth" in reply.text.lower():
        return Action.PAUSE_AUTH
    if code in (421, 454) or (code // 100 == 4 and THROTTLE.search(reply.text)):
        return Action.PAUSE_THROTTLE
    if 400 <= code < 500:
        return Action.RETRY
    return Action.BOUNCE if hard_bounce(reply) else Action.FAIL


class ConnectFailure(Exception):
    """Could not open a ready (and, if configured, authenticated) session; `reply` when the server said why."""

    def __init__(self, message: str, reply: Reply | None = None):
        super().__init__(message)
        self.reply = reply


class LostAfterData(Exception):
    """The body was sent but no final reply came: the message may or may not have been accepted."""


class Withheld(Exception):
    """The `Gate` said no before the body: the message was not sent (the connection was closed, so the server
    drops the unfinished DATA)."""


class Gate(Protocol):
    def opening(self) -> None:
        """MAIL and RCPT were accepted: DATA goes out now (or, pipelined, went out with them)."""

    def may_end(self) -> bool:
        """DATA was accepted: may the body and its final dot, after which the server may accept the message,
        follow?"""


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


class Connection:
    """An SMTP session opened from the app config (SSL or STARTTLS, AUTH when a username is set)."""

    def __init__(self, config):
        self.host, self.port = config["MAIL_SERVER"], int(config["MAIL_PORT"])
        self.timeout = float(config["MAIL_TIMEOUT"])
        self.use_ssl, self.use_tls = bool(config["MAIL_USE_SSL"]), bool(config["MAIL_USE_TLS"])
        self.username, self.password = config["MAIL_USERNAME"], config["MAIL_PASSWORD"]
        self.mail_from = f"mail FROM:{smtplib.quoteaddr(parseaddr(config['MAIL_DEFAULT_SENDER'])[1])}"
        self.ca_file = current_app.config["MAIL_CA_FILE"]
        self.smtp: smtplib.SMTP | None = None
        self.last_reply: Reply | None = None

    def open(self) -> "Connection":
        try:
            if self.use_ssl:
                smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=self._tls())
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        except smtplib.SMTPConnectError as exc:  # the greeting was not 220
            raise ConnectFailure(f"greeting refused: {exc}", Reply(exc.smtp_code, _text(exc.smtp_error))) from exc
        except OSError as exc:
            raise ConnectFailure(f"cannot connect to {self.host}:{self.port}: {exc!r}") from exc
        self.smtp = smtp
        # The body and its dot go out after the journal's write (a Gate), behind DATA: without TCP_NODELAY,
        # Nagle may hold them until the server's delayed ACK of DATA, 40 ms a message.
        smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            smtp.ehlo_or_helo_if_needed()
            if self.use_tls:
                smtp.starttls(context=self._tls())
                smtp.ehlo()
            if self.username:
                smtp.login(self.username, self.password or "")
        except smtplib.SMTPResponseException as exc:
            self.close()
            raise ConnectFailure(f"session refused: {exc}", Reply(exc.smtp_code, _text(exc.smtp_error))) from exc
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise ConnectFailure(f"session setup failed: {exc!r}") from exc
        return self

    def _tls(self) -> ssl.SSLContext:
        """Certificate and host name checked, as by any mail client."""
        return ssl.create_default_context(cafile=self.ca_file)

    def send(self, recipient: str, message: bytes, gate: Gate | None = None) -> Reply:
        """MAIL, RCPT, DATA for one message; returns the deciding reply (resets the session if not 2xx).
        `gate`, when given, hears when DATA goes out and is asked before the final dot: False withholds the
        message (`Withheld`). A server that offers PIPELINING (RFC 2920; Gmail does) gets MAIL, RCPT and DATA
        in one write, one round trip instead of three; the gate then hears of DATA once MAIL and RCPT are
        accepted, so the journal never records a message whose envelope was refused."""
        smtp = self.smtp
        assert smtp is not None
        pipelined = smtp.has_extn("pipelining")
        refused = self._pipelined_envelope(recipient) if pipelined else self._envelope(recipient)
        if refused is not None:
            return refused
        if gate is not None:
            gate.opening()
        code, text = smtp.getreply() if pipelined else smtp.docmd("DATA")
        if code != 354:
            return self._refused(code, text, "data")
        body = re.sub(rb"(?m)^\.", b"..", message)
        if not body.endswith(b"\r\n"):
            body += b"\r\n"
        if gate is not None and not gate.may_end():
            self.smtp.close()  # no QUIT: inside DATA it would be a line of the body
            self.smtp = None
            raise Withheld(recipient)
        # One write, as smtplib's own: the server reads the body and the dot at once. A failure here is safe to
        # retry: a send that raises has not handed the whole final dot line to the kernel.
        smtp.send(body + b".\r\n")
        try:
            code, text = smtp.getreply()
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise LostAfterData(repr(exc)) from exc
        return self._remember(code, text)

    def _commands(self, recipient: str) -> tuple[tuple[str, str, tuple[int, ...]], ...]:
        """(stage, command line, accepted codes) of the envelope."""
        return ("mail", self.mail_from, (250,)), ("rcpt", f"rcpt TO:{smtplib.quoteaddr(recipient)}", (250, 251))

    def _envelope(self, recipient: str) -> Reply | None:
        """MAIL, then RCPT after its reply: the first refusal, or None."""
        for stage, line, ok in self._commands(recipient):
            code, text = self.smtp.docmd(line)
            if code not in ok:
                return self._refused(code, text, stage)
        return None

    def _pipelined_envelope(self, recipient: str) -> Reply | None:
        """MAIL, RCPT and DATA in one write, then the replies to MAIL and RCPT: None when both were accepted
        (DATA's reply is next), else the first refusal, after the replies still owed are read."""
        smtp = self.smtp
        commands = self._commands(recipient)
        lines = [line for _stage, line, _ok in commands]
        if any("\r" in line or "\n" in line for line in lines):  # as smtplib's putcmd checks its commands
            raise ValueError(f"a line break in MAIL or RCPT: {recipient!r}")
        smtp.send("".join(f"{line}\r\n" for line in [*lines, "DATA"]))
        for index, (stage, _line, ok) in enumerate(commands):
            code, text = smtp.getreply()
            if code not in ok:
                self._read_owed(len(commands) - index)
                return self._refused(code, text, stage)
        return None

    def _read_owed(self, count: int) -> None:
        """After a refusal, the `count` replies still owed (the last one DATA's): a DATA opened anyway (no
        recipient was accepted) is ended with an empty body. A server that closed the channel (421) owes none."""
        smtp = self.smtp
        try:
            for _ in range(count):
                code, _text = smtp.getreply()
            if code == 354:
                smtp.send(b".\r\n")
                smtp.getreply()
        except (OSError, smtplib.SMTPException):
            pass

    def _remember(self, code: int, text, stage: str = "") -> Reply:
        self.last_reply = Reply(code, _text(text), stage)
        return self.last_reply

    def _refused(self, code: int, text, stage: str) -> Reply:
        reply = self._remember(code, text, stage)
        if code != 421:  # 421: the server is closing the channel
            self._reset()
        return reply

    def _reset(self) -> None:
        try:
            self.smtp.rset()
        except (OSError, smtplib.SMTPException):
            pass

    def close(self) -> None:
        if self.smtp is None:
            return
        try:
            self.smtp.quit()
        except (OSError, smtplib.SMTPException):
            try:
                self.smtp.close()
            except OSError:
                pass
        self.smtp = None

    def __enter__(self) -> "Connection":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
