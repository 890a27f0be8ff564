"""Building one email (multipart/alternative: a plain-text part that reads alone, and HTML) from a claimed row.

The MIME text is assembled directly (the stdlib's EmailMessage costs milliseconds per message, more than
sending it): bodies are quoted-printable, so the "=_" boundaries can never occur inside them, and every
header value is collapsed to one line, so user data can never start a header of its own.

What spam filters look at (tests/emailer/test_spam_score.py holds every template to SpamAssassin 1.0): the
brand is a text wordmark, not an image (an image beside a short text scores HTML_IMAGE_ONLY_*, and with a
bare To address TO_NO_BRKTS_HTML_IMG); the plain-text part reads well alone; bulk mail carries List-Unsubscribe
(RFC 8058), alerts Auto-Submitted (RFC 3834); with DKIM configured the message is signed last
(app/emailer/signing.py).
"""
import binascii
import functools
import random
import re
import weakref
from email.header import Header
from email.utils import formataddr, formatdate, parseaddr

from flask import current_app
from flask_babel import force_locale, get_translations
from jinja2 import Template, pass_eval_context
from markupsafe import Markup

from app.emailer import signing, unsubscribe
from app.emailer.labels import HELPERS
from app.models.mail import Purpose

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
    return f"<outbox-{row_id}.{int(created_at.timestamp())}@{_domain(current_app.config['MAIL_DEFAULT_SENDER'])}>"


@functools.cache
def _domain(sender: str) -> str:
    return one_line(parseaddr(sender)[1].rpartition("@")[2] or "rinaibra.local")


_globals: "weakref.WeakKeyDictionary[Template, dict]" = weakref.WeakKeyDictionary()


def _render(name: str, context: dict) -> str:
    """`name` rendered with `context` over the globals, as `Template.render` does, but with the globals copied
    once per template rather than out of their ChainMap at every render."""
    template = current_app.jinja_env.get_template(name)
    names = _globals.get(template)
    if names is None:
        names = _globals[template] = dict(template.globals)
    return "".join(template.root_render_func(template.new_context({**names, **context}, shared=True)))


def render_parts(template: str, context: dict, logo: bool,
                 unsubscribe_url: str | None = None) -> tuple[str, str, str]:
    """(subject, text, html) for templates/email/<template>.txt and .html; `logo` shows the wordmark in the
    HTML; `unsubscribe_url` goes below both parts with a line saying what it turns off."""
    if not re.fullmatch(r"[a-z0-9_]+", template):
        raise RenderError(f"bad template name {template!r}")
    context = {**context, **HELPERS, **_gettext_in_force()}  # codes said in the language spoken (labels.py)
    try:
        text = _render(f"email/{template}.txt", context)
        html = _render(f"email/{template}.html", {**context, "brand": logo, "unsubscribe_url": unsubscribe_url,
                                                   "unsubscribe_footer": unsubscribe.footer_text(template)})
    except Exception as exc:  # noqa: BLE001 - any template problem makes the email unsendable
        raise RenderError(f"cannot render {template}: {exc!r}") from exc
    head, _, body = text.partition("\n\n")  # the subject runs to the first blank line
    if not head.startswith("Subject:"):
        raise RenderError(f"email/{template}.txt must start with a 'Subject: ...' line")
    body = body.strip("\n") + "\n"
    if unsubscribe_url:
        body += f"\n-- \n{unsubscribe.footer_text(template)}:\n{unsubscribe_url}\n"
    return one_line(head[len("Subject:"):]), body, html


def _gettext_in_force() -> dict:
    """The templates' `_`, `gettext` and `ngettext`, as Jinja's i18n extension makes them (escaped in HTML, always
    %-formatted), bound to the catalog in force: Flask-Babel's own look the catalog up again at every call."""
    catalog = get_translations()

    @pass_eval_context
    def gettext(eval_ctx, string: str, **variables) -> str:
        text = catalog.ugettext(string)
        return (Markup(text) if eval_ctx.autoescape else text) % variables

    @pass_eval_context
    def ngettext(eval_ctx, singular: str, plural: str, num: int, **variables) -> str:
        variables.setdefault("num", num)
        text = catalog.ungettext(singular, plural, num)
        return (Markup(text) if eval_ctx.autoescape else text) % variables

    return {"_": gettext, "gettext": gettext, "ngettext": ngettext}


def build_message(row) -> bytes:
    """The wire form (CRLF line ends) of the email for claimed row `row`."""
    recipient = row.to_address.strip()
    if not ADDRESS.fullmatch(recipient):
        raise RenderError(f"bad recipient address {row.to_address!r}")
    unsubscribe_url = unsubscribe.link(row.template, recipient)
    language = row.language or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(language):
        subject, text, html = render_parts(row.template, row.context or {}, row.logo, unsubscribe_url)
    token = f"{random.getrandbits(64):016x}"  # needs no secrecy (module docstring): no system call
    body = _multipart("alternative", f"=_alt_{token}", [_text_part("plain", text), _text_part("html", html)])
    headers = [
        f"From: {_sender(current_app.config['MAIL_DEFAULT_SENDER'])}",
        f"To: {recipient}",
        f"Subject: {encode_header(subject)}",
        f"Date: {formatdate(usegmt=True)}",
        f"Message-ID: {message_id(row.id, row.created_at)}",
        f"X-Rinaibra-Purpose: {one_line(row.purpose)}",
        *reply_to((row.context or {}).get("reply_to")),
        *extra_headers(row.purpose, unsubscribe_url),
        f"Content-Language: {one_line(language).replace('_', '-')}",
        "MIME-Version: 1.0",
    ]
    return signing.sign((CRLF.join(headers) + CRLF + body).encode("ascii"))


def reply_to(address: str | None) -> list[str]:
    """Reply-To: the house's admins (the context's `reply_to`, set on /dev/houses), when it is one address."""
    address = (address or "").strip()
    return [f"Reply-To: {address}"] if ADDRESS.fullmatch(address) else []


def extra_headers(purpose: str, unsubscribe_url: str | None) -> list[str]:
    """List-Unsubscribe with one-click POST (RFC 8058) on bulk mail one can turn off; Auto-Submitted
    (RFC 3834) on alerts, so auto-responders and vacation replies stay quiet."""
    headers = []
    if unsubscribe_url:
        headers += [f"List-Unsubscribe: <{one_line(unsubscribe_url)}>",
                    "List-Unsubscribe-Post: List-Unsubscribe=One-Click"]
    if purpose == Purpose.ALERT:
        headers.append("Auto-Submitted: auto-generated")
    return headers
