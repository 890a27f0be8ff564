"""Building one email (multipart/alternative, inline CID logo) from a claimed outbox row."""
import functools
import re
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, parseaddr
from pathlib import Path

from flask import current_app, render_template

LOGO_CID = "logo@rinaibra"
LOGO_PATH = Path(__file__).resolve().parents[2] / "static" / "img" / "logo.png"


class RenderError(Exception):
    """The email cannot be built (missing template, bad address): retrying will not help."""


def one_line(value: str) -> str:
    """Collapse whitespace, line breaks included, so a value can never start a new header line."""
    return " ".join(str(value).split())


@functools.cache
def _logo() -> bytes:
    return LOGO_PATH.read_bytes()


def message_id(row_id: int, created_at) -> str:
    """Stable per outbox row, so a resend of the same row is recognisable."""
    domain = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1].rpartition("@")[2] or "rinaibra.local"
    return f"<outbox-{row_id}.{int(created_at.timestamp())}@{one_line(domain)}>"


def render_parts(template: str, context: dict, logo: bool) -> tuple[str, str, str]:
    """(subject, text, html) for templates/email/<template>.txt and .html."""
    if not re.fullmatch(r"[a-z0-9_]+", template):
        raise RenderError(f"bad template name {template!r}")
    try:
        text = render_template(f"email/{template}.txt", **context)
        html = render_template(f"email/{template}.html", logo_cid=LOGO_CID if logo else None, **context)
    except Exception as exc:  # noqa: BLE001 - any template problem makes the email unsendable
        raise RenderError(f"cannot render {template}: {exc!r}") from exc
    head, _, body = text.partition("\n\n")  # the subject runs to the first blank line
    if not head.startswith("Subject:"):
        raise RenderError(f"email/{template}.txt must start with a 'Subject: ...' line")
    return one_line(head[len("Subject:"):]), body.lstrip("\n"), html


def build_message(row) -> bytes:
    """The wire form (CRLF line ends) of the email for claimed row `row`."""
    subject, text, html = render_parts(row.template, row.context or {}, row.logo)
    try:
        recipient = Address(addr_spec=one_line(row.to_address))
    except (ValueError, IndexError) as exc:
        raise RenderError(f"bad recipient address {row.to_address!r}") from exc
    msg = EmailMessage()
    msg["From"] = one_line(current_app.config["MAIL_DEFAULT_SENDER"])
    msg["To"] = recipient
    msg["Subject"] = subject
    msg["Date"] = formatdate(usegmt=True)
    msg["Message-ID"] = message_id(row.id, row.created_at)
    msg["X-Rinaibra-Kind"] = str(row.kind)
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    if row.logo:
        msg.get_payload()[1].add_related(_logo(), "image", "png", cid=f"<{LOGO_CID}>", filename="logo.png",
                                         disposition="inline")
    return msg.as_bytes(policy=SMTP)
