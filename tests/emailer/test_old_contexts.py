"""Emails queued before contexts held codes (English labels, times as text) still render after the change: each
value that is not a known code is shown as stored, and a stored English label of a known code is translated."""
import pytest
from flask_babel import force_locale

from app.emailer.render import render_parts

ISSUE = {"issue_id": 42, "title": "Leaking tap", "house": "Acacia House", "category": "Plumbing",
         "location": "Kitchen, 2nd floor", "urgent": False, "reopened": False, "link": "http://localhost/admin/42"}
OLD = {
    "issue_update": {"name": "Thandi", "issue_id": 42, "title": "Leaking tap", "house": "Acacia House",
                     "status": "in_progress", "status_label": "In progress", "link": "http://localhost/issues/42",
                     "updates": [{"when": "01 Dec 08:00 SAST", "who": "Sipho (house admin)",
                                  "status": "In progress", "text": "A plumber comes tomorrow."}]},
    "issue_new": {"name": "maintenance desk", "issues": [ISSUE], "count": 1, "urgent": False,
                  "queue_link": "http://localhost/admin/"},
    "issue_overdue": {"name": "Sipho", "count": 1, "queue_link": "http://localhost/admin/",
                      "issues": [{**ISSUE, "late": "Response overdue by 2 h"}]},
    "visit_booked": {"name": "Thandi", "issue_id": 42, "title": "Door", "house": "Acacia House",
                     "when": "Tue 8 Dec 2026, morning (08:00–12:00 SAST)", "enter_permission": False,
                     "link": "http://localhost/issues/42"},
    "move_in_submitted": {"name": "Thandi", "house": "Acacia House", "room": "12", "year": "2026",
                          "submitted_at": "01 Dec 2026, 10:00 SAST", "terms": [], "link": "http://localhost/m",
                          "items": [{"label": "Bed", "condition": "good", "comment": "", "photos": 0}]},
}
STORED = {
    "issue_update": ["01 Dec 08:00 SAST, Sipho (house admin)"],
    "issue_new": ["Kitchen, 2nd floor", "Hello maintenance desk,"],
    "issue_overdue": ["Leaking tap: Response overdue by 2 h"],
    "visit_booked": ["Tue 8 Dec 2026, morning (08:00–12:00 SAST)"],
    "move_in_submitted": ["submitted on 01 Dec 2026, 10:00 SAST"],
}


@pytest.mark.parametrize("template", sorted(OLD))
def test_an_old_context_renders_its_stored_text(app, template):
    with app.app_context(), force_locale("en"):
        subject, text, html = render_parts(template, OLD[template], logo=True)
    assert subject and all(stored in text for stored in STORED[template]), text


def test_a_stored_english_label_is_still_translated(app):
    with app.app_context(), force_locale("af"):
        _, text, _ = render_parts("issue_new", OLD["issue_new"], logo=True)
        _, update, _ = render_parts("issue_update", OLD["issue_update"], logo=True)
    assert "Loodgieterswerk" in text and "Plumbing" not in text
    assert "status Aan die gang" in update
