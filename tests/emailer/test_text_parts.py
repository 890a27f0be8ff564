"""The plain-text part of every email: one line per paragraph (a mail client wraps it to its own width), never a
line break in the middle of a sentence."""
import itertools
import re

import pytest

from app.emailer.render import render_parts
from tests.emailer.samples import SAMPLES


def mid_sentence_breaks(text: str) -> list[str]:
    """Lines that stop in the middle of a sentence: the next line of the same paragraph carries on with it."""
    lines = text.splitlines()
    found = []
    for line, after in itertools.pairwise(lines):
        if not line.strip() or not after.strip() or re.match(r"\s*(https?://|- |\* |\d+\. |-- $)", after):
            continue
        if re.search(r"[\w,;\"”)]$", line.rstrip()) and re.match(r"\s*[a-z(]", after):
            found.append(f"{line!r} / {after!r}")
    return found


@pytest.mark.parametrize("template", sorted(SAMPLES))
def test_text_parts_are_not_hard_wrapped(app, template):
    _purpose, context = SAMPLES[template]
    with app.test_request_context():
        _subject, text, _html = render_parts(template, context, logo=False,
                                             unsubscribe_url="http://localhost/unsubscribe/x")
    assert mid_sentence_breaks(text) == []
