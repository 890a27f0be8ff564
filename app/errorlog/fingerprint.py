"""Grouping: which occurrences are "the same error"."""
import functools
import hashlib
import re
import traceback
from pathlib import Path

from app.errorlog.scrub import EMAIL_ADDRESS

APP_DIR = Path(__file__).resolve().parent.parent
ROOT_DIR = APP_DIR.parent
OWN_DIR = Path(__file__).resolve().parent

_UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I)
_HEX_ID = re.compile(r"\b(?=[0-9a-f]*\d)[0-9a-f]{8,}\b", re.I)
_ADDRESS = re.compile(r"\b0x[0-9a-f]+\b", re.I)
_NUMBER = re.compile(r"(?<![A-Za-z_])\d+(?:[.,:]\d+)*")
_SPACES = re.compile(r"\s+")


def normalise_message(message: str) -> str:
    """The message with its variable parts (emails, ids, numbers, addresses) replaced by placeholders."""
    text = EMAIL_ADDRESS.sub("<email>", message)
    text = _UUID.sub("<id>", text)
    text = _ADDRESS.sub("<addr>", text)
    text = _HEX_ID.sub("<id>", text)
    text = _NUMBER.sub("<n>", text)
    return _SPACES.sub(" ", text).strip()[:1000]


def text_of(value: object) -> str:
    """str(value), or a placeholder when its __str__ itself fails."""
    try:
        return str(value)
    except Exception:  # noqa: BLE001
        return f"<{type(value).__name__}: str() failed>"


def error_type_name(error: BaseException) -> str:
    cls = type(error)
    return cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"


@functools.lru_cache(maxsize=1024)
def _app_module(filename: str, app_dir: Path) -> str | None:
    """`app.issues.routes` for a file of the application (not the logger itself), else None."""
    path = Path(filename)
    if not path.is_relative_to(app_dir) or path.is_relative_to(OWN_DIR):
        return None
    return ".".join(path.relative_to(ROOT_DIR).with_suffix("").parts)


def _walk(error: BaseException):
    tb = error.__traceback__
    while tb is not None:
        yield tb.tb_frame.f_code, tb.tb_lineno
        tb = tb.tb_next


def app_frames(error: BaseException) -> list[str]:
    """The application's own frames as `module:function`, oldest first, each once (recursion depth and line
    numbers do not change the result)."""
    frames: list[str] = []
    for code, _line in _walk(error):
        module = _app_module(code.co_filename, APP_DIR)
        frame = f"{module}:{code.co_name}"
        if module is not None and frame not in frames:
            frames.append(frame)
    return frames


def fingerprint(source: str, error_or_message: BaseException | str) -> str:
    """Exception type plus app frames when there is a traceback; else source plus the normalised message."""
    if isinstance(error_or_message, BaseException):
        frames = app_frames(error_or_message)
        if frames:
            key = "exc\n" + error_type_name(error_or_message) + "\n" + "\n".join(frames)
        else:
            key = "exc-no-tb\n" + source + "\n" + error_type_name(error_or_message) + "\n" \
                + normalise_message(text_of(error_or_message))
    else:
        key = "msg\n" + source + "\n" + normalise_message(text_of(error_or_message))
    return hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()


def title_for(error_or_message: BaseException | str) -> str:
    """A one-line title: `Type: first line of message`."""
    if isinstance(error_or_message, BaseException):
        text = text_of(error_or_message).strip().splitlines()
        title = type(error_or_message).__name__ + (": " + text[0] if text else "")
    else:
        lines = text_of(error_or_message).strip().splitlines()
        title = lines[0] if lines else "(empty message)"
    return title[:250]


def format_traceback(error: BaseException, limit_chars: int = 20000) -> str | None:
    """The traceback text, keeping head and tail when it is huge (deep recursion)."""
    if error.__traceback__ is None:
        return None
    if error.__cause__ is not None or error.__context__ is not None:
        return _format(error, limit_chars)
    # In a storm the same error repeats: format each distinct (type, message, frames) once.
    key = (type(error), text_of(error), tuple(_walk(error)), limit_chars)
    text = _formatted.get(key)
    if text is None:
        if len(_formatted) >= 128:
            _formatted.clear()
        text = _formatted[key] = _format(error, limit_chars)
    return text


_formatted: dict[tuple, str] = {}


def _format(error: BaseException, limit_chars: int) -> str:
    text = "".join(traceback.format_exception(error))
    if len(text) > limit_chars:
        half = limit_chars // 2
        text = text[:half] + "\n... (traceback shortened) ...\n" + text[-half:]
    return text
