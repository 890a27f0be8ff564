"""The local mail catcher: an aiosmtpd server that keeps every message as a .eml file.

With a daily limit it answers "550 5.4.5 Daily user sending limit exceeded" once that many
recipients were accepted in the last 24 hours, the way Gmail does. aiosmtpd is imported only when a catcher
starts: the web app reads caught messages (/dev/mail) without loading it.
"""
import email
import email.policy
import re
import threading
import time
import uuid
from collections import deque
from datetime import datetime, timezone
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiosmtpd.controller import Controller

DAY = 24 * 3600
NAME = re.compile(r"^[0-9TZ-]+-[0-9a-f]{8}\.eml$")


class CatcherHandler:
    def __init__(self, folder: Path, daily_limit: int | None = None):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.daily_limit = daily_limit
        cutoff = time.time() - DAY
        self.accepted = deque(sorted(p.stat().st_mtime for p in self.folder.glob("*.eml")
                                     if p.stat().st_mtime > cutoff))
        self.lock = threading.Lock()

    def _over_limit(self, pending: int) -> bool:
        if not self.daily_limit:
            return False
        cutoff = time.time() - DAY
        while self.accepted and self.accepted[0] <= cutoff:
            self.accepted.popleft()
        return len(self.accepted) + pending >= self.daily_limit

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            if self._over_limit(len(envelope.rcpt_tos)):
                return "550 5.4.5 Daily user sending limit exceeded."
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        now = datetime.now(timezone.utc)
        name = f"{now:%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:8]}.eml"
        header = "".join(f"X-Envelope-To: {rcpt}\r\n" for rcpt in envelope.rcpt_tos)
        tmp = self.folder / (name + ".tmp")
        tmp.write_bytes(header.encode() + envelope.original_content)
        tmp.rename(self.folder / name)
        with self.lock:
            self.accepted.extend([time.time()] * len(envelope.rcpt_tos))
        return f"250 2.0.0 OK caught as {name}"


def accept_any_login(server, session, envelope, mechanism, auth_data):
    """The catcher takes whatever credentials the app is configured with."""
    from aiosmtpd.smtp import AuthResult

    return AuthResult(success=True)


def start_catcher(folder: Path, host: str = "127.0.0.1", port: int = 1025,
                  daily_limit: int | None = None) -> "Controller":
    from aiosmtpd.controller import Controller

    controller = Controller(CatcherHandler(folder, daily_limit), hostname=host, port=port,
                            authenticator=accept_any_login, auth_require_tls=False)
    controller.start()
    return controller


def list_caught(folder: Path, limit: int = 200) -> list[dict]:
    """The newest caught messages: name, date, to, subject."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    names = sorted((p.name for p in folder.glob("*.eml") if NAME.match(p.name)), reverse=True)[:limit]
    items = []
    for name in names:
        try:
            with open(folder / name, "rb") as handle:
                headers = email.message_from_binary_file(handle, policy=email.policy.default, _class=EmailMessage)
        except OSError:  # removed since the listing (someone cleared the folder): not worth a 500
            continue
        items.append({"name": name, "date": headers.get("Date", ""), "to": headers.get("To", ""),
                      "subject": headers.get("Subject", ""), "kind": headers.get("X-Rinaibra-Purpose", "")})
    return items


def read_caught(folder: Path, name: str) -> EmailMessage | None:
    """One caught message by file name (nothing outside the folder can be named)."""
    if not NAME.match(name):
        return None
    path = Path(folder) / name
    if not path.is_file():
        return None
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default, _class=EmailMessage)
