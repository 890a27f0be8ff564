"""A few realistic error groups for the demo database (`flask seed-demo`)."""
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.errorlog.recorder import new_reference, prepare, write
from app.extensions import db
from app.models.base import utcnow
from app.models.errors import ErrorGroup, ErrorStatus

# (source, message or exception, details, times over the last two days, final status)
DEMO_ERRORS = [
    ("mail.worker", "SMTP 421 4.7.0 Try again later, closing connection", {"outbox_id": 812}, 36, None),
    ("issues.photos", "Photo upload failed for issue 123: image too large (14.2 MB)", {"issue_id": 123}, 9, None),
    ("web", KeyError("room"), {"method": "POST", "path": "/move-in/", "user_id": 4,
                               "form": {"room": "", "csrf_token": "[scrubbed]"}}, 5, None),
    ("mail.render", "Template email/move_in_reminder.html failed: 'deadline' is undefined", {"outbox_id": 77},
     3, ErrorStatus.RESOLVED),
    ("web", "Slow request: GET /admin/ took 2.3 s", {"method": "GET", "path": "/admin/"}, 14, ErrorStatus.MUTED),
]


def _raised(error: BaseException) -> BaseException:
    try:
        raise error
    except BaseException as caught:  # noqa: BLE001
        return caught


def seed_demo_errors() -> int:
    """Record the demo errors spread over the last two days (no alerts); returns the number of groups.

    Commits the current session first: the error logger writes in its own transaction.
    """
    db.session.commit()
    app = current_app._get_current_object()
    now = utcnow()
    for index, (source, error, details, times, _status) in enumerate(DEMO_ERRORS):
        last = now - timedelta(minutes=41 * index)
        for n in range(times):
            subject = _raised(error) if isinstance(error, BaseException) else error
            occurrence = prepare(source, subject, details, new_reference(), app.config)
            occurrence.at = last - timedelta(hours=47) * (times - 1 - n) / times
            write(app, occurrence, alert=False)
    for source, error, _details, _times, status in DEMO_ERRORS:
        if status is not None:
            title = prepare(source, error, None, "", app.config).title
            group = db.session.scalars(
                sa.select(ErrorGroup).where(ErrorGroup.source == source, ErrorGroup.title == title)).one()
            group.status, group.status_changed_at = status, now
    db.session.commit()
    return len(DEMO_ERRORS)
