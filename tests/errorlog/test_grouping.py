"""Grouping: the same error lands in one group whatever its numbers, emails, ids or line numbers."""
from pathlib import Path

import pytest

from app.errorlog import record
from app.errorlog.fingerprint import app_frames, fingerprint, normalise_message
from tests.errorlog.conftest import raised


def test_normalise_takes_out_numbers_emails_and_ids():
    first = normalise_message("Failed to send to amy@example.ac.za for issue 42 (id 3f2a9c1e77b0) after 3.5s")
    second = normalise_message("Failed to send to bob@uni.ac.za for issue 7 (id 0d9e8f7a6b5c) after 12.25s")
    assert first == second == "Failed to send to <email> for issue <n> (id <id>) after <n>s"
    assert normalise_message("user 5 e0b1c2d3-1111-2222-3333-444455556666 at 0x7f00ab") == "user <n> <id> at <addr>"
    assert normalise_message("  spaced\n\tout  ") == "spaced out"


def test_messages_group_by_source_and_normalised_text():
    a = fingerprint("mail", "Failed to send to amy@example.ac.za after 3 tries")
    b = fingerprint("mail", "Failed to send to bob@example.ac.za after 4 tries")
    assert a == b
    assert fingerprint("issues", "Failed to send to amy@example.ac.za after 3 tries") != a
    assert fingerprint("mail", "Could not render template for amy@example.ac.za") != a


def _fails_here(value):
    if value % 2:
        raise KeyError(f"room {value}")  # one line
    raise KeyError(f"room {value}")  # another line, same function


def _fails_elsewhere(value):
    raise KeyError(f"room {value}")


def _caught(function, value) -> BaseException:
    try:
        function(value)
    except KeyError as exc:
        return exc


@pytest.fixture
def tests_are_app_code(monkeypatch):
    """Treat this test module as application code, so its functions count as app frames."""
    import app.errorlog.fingerprint as module

    monkeypatch.setattr(module, "APP_DIR", Path(__file__).resolve().parent)


def test_exceptions_group_by_type_and_app_frames_not_lines_or_message(tests_are_app_code):
    assert app_frames(_caught(_fails_here, 1)) == ["tests.errorlog.test_grouping:_caught",
                                                   "tests.errorlog.test_grouping:_fails_here"]
    one, two = _caught(_fails_here, 1), _caught(_fails_here, 2)
    assert fingerprint("web", one) == fingerprint("web", two)
    assert fingerprint("web", one) != fingerprint("web", _caught(_fails_elsewhere, 1))
    assert fingerprint("web", raised(ValueError("x"))) != fingerprint("web", raised(KeyError("x")))
    assert fingerprint("web", one) == fingerprint("mail", one)  # with frames, the source does not matter


def test_without_app_frames_the_message_decides():
    assert fingerprint("web", raised(KeyError("room 1"))) == fingerprint("web", raised(KeyError("room 2")))
    assert fingerprint("web", raised(KeyError("room 1"))) != fingerprint("web", raised(KeyError("house 1")))
    assert fingerprint("web", ValueError("never raised")) == fingerprint("web", ValueError("never raised"))


def test_only_application_frames_count():
    import json

    try:
        json.loads("{not json")
    except ValueError as exc:
        frames = app_frames(exc)
    assert frames == []  # the test module and the stdlib are not the application
    from app.errorlog.fingerprint import APP_DIR
    assert APP_DIR.name == "app"


def _recurse(depth):
    if depth == 0:
        raise RecursionError("maximum recursion depth exceeded")
    return _recurse(depth - 1)


def test_recursion_depth_does_not_split_groups(app, read, tests_are_app_code):
    with app.app_context():
        for depth in (3, 30):
            try:
                _recurse(depth)
            except RecursionError as exc:
                record("test", exc)
    group = read.group()
    assert group.count == 2 and group.error_type == "RecursionError"


def test_record_groups_occurrences_and_keeps_each(app, read):
    with app.app_context():
        refs = [record("mail", f"Failed to send to user{i}@example.ac.za after {i} tries", {"attempt": i})
                for i in range(5)]
        record("issues", "Photo upload failed for issue 12")
    groups = read.groups()
    assert [(g.source, g.count) for g in groups] == [("mail", 5), ("issues", 1)]
    mail = groups[0]
    assert mail.title == "Failed to send to [email] after 0 tries"  # the first sample, its address removed
    assert mail.sample_details == {"attempt": 0}
    occurrences = read.occurrences(mail.id)
    assert [o.reference for o in occurrences] == refs
    assert all(len(ref) == 9 and ref[4] == "-" for ref in refs)
    assert [o.details["attempt"] for o in occurrences] == [0, 1, 2, 3, 4]
