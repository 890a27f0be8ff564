"""Keep secrets and personal data out of stored errors (like Sentry's send_default_pii=False).

Request fields: a denylist of secret-looking names is blanked, an allowlist of harmless ones (ids, page numbers,
choices from fixed lists, flags) is kept, every other value is replaced by a marker (the key stays, so a
developer sees the field existed). Email addresses are removed from every stored text.
"""
import re
from collections.abc import Mapping
from typing import Any

SCRUBBED = "[scrubbed]"  # a secret (denylist)
FILTERED = "[filtered]"  # a value that may be personal: free text, names, addresses
EMAIL_REDACTED = "[email]"
EMAIL_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
HARMLESS_FIELDS = frozenset({
    "page", "year", "batch", "status", "category", "urgency", "location", "visibility", "sort", "age", "house",
    "source", "rating", "new_issues", "action", "follow", "enter_permission", "remember", "remove_photo",
})
_HARMLESS_NAME = re.compile(r"^(?:id|\w+_ids?|condition_\d+|term_\d+)$", re.I)  # ids, move-in choices and flags
HARMLESS_MAX = 100
_SECRET_NAME = re.compile(
    r"pass|pwd|secret|token|csrf|xsrf|api.?key|private.?key|auth(?!ors?\b)|credential|session|cookie|signature|"
    r"otp|cvv|card.?number|mail.?user|smtp.?user|^key$|_key$",
    re.I,
)
_URL_CREDENTIALS = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)[^/\s:@]+:[^/\s@]+@", re.I)
_SQL_PARAMETERS = re.compile(r"^\[parameters: .*$", re.M)  # SQLAlchemy puts the bound values in its messages
_SECRET_CONFIG = ("MAIL_PASSWORD", "MAIL_USERNAME", "SECRET_KEY")
MAX_VALUE = 500


def looks_secret(name: str) -> bool:
    return bool(_SECRET_NAME.search(str(name)))


def looks_harmless(name: str) -> bool:
    return name in HARMLESS_FIELDS or bool(_HARMLESS_NAME.match(name))


def without_emails(text: str) -> str:
    return EMAIL_ADDRESS.sub(EMAIL_REDACTED, text)


def scrub_value(value: Any, depth: int = 0) -> Any:
    """A JSON-safe copy of `value` with secret-looking keys blanked and long strings cut."""
    if depth > 5:
        return "..."
    if isinstance(value, Mapping):
        return {str(k): SCRUBBED if looks_secret(k) else scrub_value(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [scrub_value(v, depth + 1) for v in list(value)[:50]]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    text = without_emails(str(value))
    return text if len(text) <= MAX_VALUE else text[:MAX_VALUE] + "..."


def _harmless_value(text: str) -> str:
    return text if len(text) <= HARMLESS_MAX and not EMAIL_ADDRESS.search(text) else FILTERED


def scrub_form(form) -> dict[str, Any]:
    """A MultiDict (request.form / request.args) as a plain dict: secrets blanked, only harmless values kept."""
    result: dict[str, Any] = {}
    for name in list(form.keys())[:100]:
        if looks_secret(name):
            result[name] = SCRUBBED
        elif looks_harmless(name):
            values = [_harmless_value(str(v)) for v in form.getlist(name)[:50]]
            result[name] = values[0] if len(values) == 1 else values
        else:
            result[name] = FILTERED
    return result


def scrub_path(path: str, view_args: Mapping[str, Any] | None) -> str:
    """The path with secret-looking URL parts (`/password/reset/<token>`) blanked."""
    for name, value in (view_args or {}).items():
        text = str(value)
        if looks_secret(name) and text:
            path = path.replace(text, SCRUBBED)
    return without_emails(path)


def scrub_text(text: str | None, config: Mapping[str, Any]) -> str | None:
    """Remove configured credentials, user:password@ parts of URLs, SQL parameters and email addresses from free
    text."""
    if not text:
        return text
    text = _URL_CREDENTIALS.sub(r"\g<scheme>" + SCRUBBED + "@", text)
    text = _SQL_PARAMETERS.sub("[parameters: " + SCRUBBED + "]", text)
    for key in _SECRET_CONFIG:
        secret = config.get(key)
        if isinstance(secret, str) and len(secret) >= 4:
            text = text.replace(secret, SCRUBBED)
    return without_emails(text)
