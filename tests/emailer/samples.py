"""One realistic context per email template (the spam-score and header tests render each one)."""
ISSUE = {"issue_id": 42, "title": "Leaking tap in the kitchen", "house": "Acacia House", "category": "Plumbing",
         "location": "Kitchen, 2nd floor", "urgent": False, "reopened": False,
         "link": "http://localhost/admin/issues/42"}
STUDENT = "Thandi Mokoena"

# template -> (purpose, context); the purpose is the one the app queues the template with.
SAMPLES = {
    "account_invite": ("bulk", {"name": STUDENT, "house": "Acacia House",
                                "link": "http://localhost/password/reset/abc"}),
    "digest": ("bulk", {"name": "Sipho Admin", "count": 2, "queue_link": "http://localhost/admin/",
                        "issues": [ISSUE, {**ISSUE, "issue_id": 43, "urgent": True}]}),
    "error_alert": ("alert", {
        "reason": "new", "title": "ZeroDivisionError: division by zero", "source": "web",
        "error_type": "ZeroDivisionError", "count": 3, "first_seen": "2026-12-01 08:00 UTC",
        "at": "2026-12-01 08:05 UTC", "reference": "E-1234", "hour_count": 3,
        "message": "Traceback (most recent call last): ... ZeroDivisionError: division by zero",
        "url": "http://localhost/dev/errors/1", "held_total": 0, "held_back": [], "held_more": 0}),
    "issue_comments": ("notice", {"name": "Sipho Admin", "count": 1, "queue_link": "http://localhost/admin/",
                                  "issues": [{**ISSUE, "comment": "I am home after five, the key is at reception."}]}),
    "issue_overdue": ("notice", {"name": "Sipho Admin", "count": 2, "queue_link": "http://localhost/admin/?overdue=1",
                                 "issues": [{**ISSUE, "late": "first response overdue by 2 hours"},
                                            {**ISSUE, "issue_id": 43, "urgent": True,
                                             "late": "fix overdue by 1 day"}]}),
    "jobs_assigned": ("notice", {"name": "Musa Fixer", "count": 1, "urgent": False,
                                 "jobs_link": "http://localhost/jobs/",
                                 "jobs": [{**ISSUE, "link": "http://localhost/jobs/42"}]}),
    "staff_invite": ("security", {"name": "Musa Fixer", "house": "Acacia House",
                                  "link": "http://localhost/password/reset/abc"}),
    "issue_new": ("notice", {"name": "Sipho Admin", "issues": [{**ISSUE, "urgent": True}], "count": 1, "urgent": True,
                             "queue_link": "http://localhost/admin/"}),
    "issue_update": ("notice", {
        "name": STUDENT, "issue_id": 42, "title": "Leaking tap", "house": "Acacia House", "status": "in_progress",
        "status_label": "In progress", "link": "http://localhost/issues/42",
        "updates": [{"when": "01 Dec 08:00 UTC", "who": "Sipho Admin (house admin)", "status": "In progress",
                     "text": "A plumber comes tomorrow morning."}]}),
    "mail_resumed": ("alert", {"paused_from": "2026-12-01 08:00 UTC", "paused_to": "2026-12-01 09:00 UTC",
                               "resumed_at": "2026-12-01 09:00 UTC", "reason": "421 4.7.0 try again later",
                               "pauses": 1, "waited": 12}),
    "move_in_reminder": ("bulk", {"name": STUDENT, "house": "Acacia House", "year": "2026", "set_password": True,
                                  "link": "http://localhost/move-in/welcome/abc"}),
    "move_in_submitted": ("notice", {
        "name": STUDENT, "house": "Acacia House", "room": "12", "year": "2026", "submitted_at": "01 Dec 2026",
        "items": [{"label": "Bed", "condition": "Good", "comment": "", "photos": 0},
                  {"label": "Desk", "condition": "Damaged", "comment": "Scratched top", "photos": 1}],
        "terms": ["No smoking in the rooms", "Quiet hours after 22:00"], "link": "http://localhost/move-in/"}),
    "address_changed": ("security", {"name": STUDENT, "link": "http://localhost/login"}),
    "password_reset": ("security", {"name": STUDENT, "link": "http://localhost/password/reset/abc"}),
    "registration_approved": ("notice", {"name": STUDENT, "house": "Acacia House", "room": "12", "shared": False,
                                         "link": "http://localhost/"}),
    "registration_rejected": ("notice", {"name": STUDENT, "house": "Acacia House"}),
    "verify_email": ("security", {"name": STUDENT, "set_password": False, "house": "Acacia House", "room": "12",
                                  "link": "http://localhost/verify/abc"}),
}
