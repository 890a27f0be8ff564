"""Building one email (multipart/alternative, inline CID logo) from a claimed outbox row.

The MIME text is assembled directly (the stdlib's EmailMessage costs milliseconds per message, more than
sending it): bodies are quoted-printable, so the "=_" boundaries can never occur inside them, and every
header value is collapsed to one line, so user data can never start a header of its own.
"""
import binascii
import functools
import re
import uuid
from email.header import Header
from email.utils import formataddr, formatdate, parseaddr
from pathlib import Path

from flask import current_app

LOGO_CID = "logo@rinaibra"
LOGO_PATH = Path(__file__).resolve().parents[2] / "static" / "img" / "logo.png"
ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                     r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*")
CRLF = "\r\n"


class RenderError(Exception):
    """The email cannot be built (missing template, bad address): retrying will not help."""


def one_line(value: str) -> str:
    """Collapse whitespace, line breaks included, so a value can never start a new header line."""
    return " ".join(str(value).split())


def encode_header(value: str) -> str:
    """A header value as it goes on the wire: plain ASCII as is, anything else RFC 2047 encoded and folded."""
    value = one_line(value)
    if value.isascii() and len(value) <= 900:
        return value
    return Header(value, "utf-8", header_name="Subject").encode(linesep=CRLF)


@functools.cache
def _logo_part() -> str:
    encoded = binascii.b2a_base64(LOGO_PATH.read_bytes(), newline=False).decode()
    lines = CRLF.join(encoded[i:i + 76] for i in range(0, len(encoded), 76))
    return CRLF.join(["Content-Type: image/png; name=\"logo.png\"", "Content-Transfer-Encoding: base64",
                      f"Content-ID: <{LOGO_CID}>", "Content-Disposition: inline; filename=\"logo.png\"", "",
                      lines])


@functools.cache
def _sender(configured: str) -> str:
    name, address = parseaddr(configured)
    return formataddr((one_line(name), one_line(address)), charset="utf-8")


def _text_part(subtype: str, body: str) -> str:
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    encoded = binascii.b2a_qp(body.encode("utf-8"), istext=True).decode("ascii").replace("\n", CRLF)
    return CRLF.join([f"Content-Type: text/{subtype}; charset=\"utf-8\"",
                      "Content-Transfer-Encoding: quoted-printable", "", encoded])


def _multipart(subtype: str, boundary: str, parts: list[str]) -> str:
    inner = "".join(f"--{boundary}{CRLF}{part}{CRLF}" for part in parts)
    return f"Content-Type: multipart/{subtype}; boundary=\"{boundary}\"{CRLF}{CRLF}{inner}--{boundary}--{CRLF}"


def message_id(row_id: int, created_at) -> str:
    """Stable per outbox row, so a resend of the same row is recognisable."""
    domain = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1].rpartition("@")[2] or "rinaibra.local"
    return f"<outbox-{row_id}.{int(created_at.timestamp())}@{one_line(domain)}>"


def render_parts(template: str, context: dict, logo: bool) -> tuple[str, str, str]:
    """(subject, text, html) for templates/email/<template>.txt and .html."""
    if not re.fullmatch(r"[a-z0-9_]+", template):
        raise RenderError(f"bad template name {template!r}")
    env = current_app.jinja_env
    try:
        text = env.get_template(f"email/{template}.txt").render(context)
        html = env.get_template(f"email/{template}.html").render(context, logo_cid=LOGO_CID if logo else None)
    except Exception as exc:  # noqa: BLE001 - any template problem makes the email unsendable
        raise RenderError(f"cannot render {template}: {exc!r}") from exc
    head, _, body = text.partition("\n\n")  # the subject runs to the first blank line
    if not head.startswith("Subject:"):
        raise RenderError(f"email/{template}.txt must start with a 'Subject: ...' line")
    return one_line(head[len("Subject:"):]), body.lstrip("\n"), html


def build_message(row) -> bytes:
    """The wire form (CRLF line ends) of the email for claimed row `row`."""
    subject, text, html = render_parts(row.template, row.context or {}, row.logo)
    recipient = row.to_address.strip()
    if not ADDRESS.fullmatch(recipient):
        raise RenderError(f"bad recipient address {row.to_address!r}")
    token = uuid.uuid4().hex[:16]
    html_part = _text_part("html", html)
    if row.logo:
        html_part = _multipart("related", f"=_rel_{token}", [html_part, _logo_part()])
    body = _multipart("alternative", f"=_alt_{token}", [_text_part("plain", text), html_part])
    headers = [
        f"From: {_sender(current_app.config['MAIL_DEFAULT_SENDER'])}",
        f"To: {recipient}",
        f"Subject: {encode_header(subject)}",
        f"Date: {formatdate(usegmt=True)}",
        f"Message-ID: {message_id(row.id, row.created_at)}",
        f"X-Rinaibra-Purpose: {one_line(row.purpose)}",
        "MIME-Version: 1.0",
    ]
    return (CRLF.join(headers) + CRLF + body).encode("ascii")
