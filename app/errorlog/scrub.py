"""Keep secrets out of stored errors: form fields, detail keys and configured credentials."""
import re
from collections.abc import Mapping
from typing import Any

SCRUBBED = "[scrubbed]"
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
    text = str(value)
    return text if len(text) <= MAX_VALUE else text[:MAX_VALUE] + "..."


def scrub_form(form) -> dict[str, Any]:
    """A MultiDict (request.form / request.args) as a plain dict, secrets blanked."""
    result: dict[str, Any] = {}
    for name in list(form.keys())[:100]:
        values = form.getlist(name)
        result[name] = SCRUBBED if looks_secret(name) else scrub_value(values[0] if len(values) == 1 else values)
    return result


def scrub_path(path: str, view_args: Mapping[str, Any] | None) -> str:
    """The path with secret-looking URL parts (`/password/reset/<token>`) blanked."""
    for name, value in (view_args or {}).items():
        text = str(value)
        if looks_secret(name) and text:
            path = path.replace(text, SCRUBBED)
    return path


def scrub_text(text: str | None, config: Mapping[str, Any]) -> str | None:
    """Remove configured credentials, user:password@ parts of URLs and SQL parameters from free text."""
    if not text:
        return text
    text = _URL_CREDENTIALS.sub(r"\g<scheme>" + SCRUBBED + "@", text)
    text = _SQL_PARAMETERS.sub("[parameters: " + SCRUBBED + "]", text)
    for key in _SECRET_CONFIG:
        secret = config.get(key)
        if isinstance(secret, str) and len(secret) >= 4:
            text = text.replace(secret, SCRUBBED)
    return text
