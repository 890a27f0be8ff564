"""The shared text rules: control characters (one rule for forms, CLI and searches) and spreadsheet-safe cells."""
import pytest

from app.text import has_control, safe_cell, without_control


@pytest.mark.parametrize("text, single, multi", [
    ("Leaking tap", False, False),
    ("Line one\r\nLine two\twith a tab", True, False),  # a browser's textarea sends CRLF
    ("nul\x00", True, True),
    ("bell\x07", True, True),
    ("escape\x1b[31m", True, True),
    ("delete\x7f", True, True),
    ("c1\x85next line", True, True),
    ("vertical\x0btab", True, True),
    ("accents é ü ñ and ★", False, False),
])
def test_control_characters(text, single, multi):
    assert has_control(text) is single
    assert has_control(text, multiline=True) is multi


def test_without_control_keeps_the_printable_text():
    assert without_control("\x00wi\x1bfi\r\n dé") == "wifi dé"


@pytest.mark.parametrize("value, cell", [
    ("=HYPERLINK(1)", "'=HYPERLINK(1)"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM", "'@SUM"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("Ada", "Ada"), (None, ""), (42, "42"), ("", ""),
])
def test_safe_cell(value, cell):
    assert safe_cell(value) == cell
