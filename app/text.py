"""Text rules shared by forms, the CLI, searches and CSV exports: control characters, spreadsheet-safe cells."""
import re

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # C0 (tab and line breaks included), DEL and C1
_LINE_LAYOUT = str.maketrans("", "", "\t\r\n")  # what multi-line text may hold besides printable characters
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def has_control(text: str, multiline: bool = False) -> bool:
    """True when `text` holds a control character; `multiline` text may hold tabs and line breaks (CR, LF)."""
    return bool(CONTROL.search(text.translate(_LINE_LAYOUT) if multiline else text))


def without_control(text: str) -> str:
    """`text` with every control character removed (a NUL would match everything in SQLite's LIKE)."""
    return CONTROL.sub("", text)


def safe_cell(value) -> str:
    """Spreadsheet-safe CSV text: a cell that starts like a formula (= + - @ tab CR) is prefixed with a quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text
