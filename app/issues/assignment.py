"""Giving an issue to a staff member of its house, and the one coalesced email that tells them.

The student's timeline says "Assigned to maintenance" (an ASSIGNED event with no name in it); who it is stays in
an internal note and on the admin page. The assignee hears about new jobs in one email per ISSUE_NEW_MAIL_DELAY
seconds that lists every job given to them since the last one (urgent ones send it at once).
"""
import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import gettext as _

from app.emailer import enqueue, queued_context
from app.extensions import db
from app.models.accounts import Role, User, house_staff
from app.models.base import utcnow
from app.models.issues import EventKind, Issue, IssueEvent, Urgency
from app.models.mail import MailStatus, OutboxEmail, Purpose

JOBS_LISTED = 20


class AssignmentError(ValueError):
    """An assignment refused; str() is the message to show."""


def staff_of_house(house_id: int) -> list[User]:
    """The staff members linked to the house who may be given jobs (in good standing or still to set a password)."""
    return staff_of_houses([house_id])


def staff_of_houses(house_ids) -> list[User]:
    """The active staff members linked to any of the houses, each once, by name."""
    linked = sa.select(house_staff.c.user_id).where(house_staff.c.house_id.in_(list(house_ids)))
    return list(db.session.scalars(
        sa.select(User).where(User.id.in_(linked), User.role == Role.STAFF, User.deactivated_at.is_(None))
        .order_by(User.name, User.id)))


def _note(issue: Issue, admin, kind: EventKind, body: str, public: bool) -> None:
    db.session.add(IssueEvent(issue=issue, author_id=admin.id, kind=kind, body=body, public=public))


def assign(issue: Issue, admin, staff_id: int | None) -> str:
    """Give `issue` to the staff member `staff_id` (None: take it back); the caller commits. Raises
    AssignmentError, with nothing changed, for anyone who is not active staff of the issue's house."""
    if staff_id is None:
        if issue.assignee_id is None:
            raise AssignmentError(_("This issue is not assigned to anyone: nothing was changed."))
        previous = issue.assignee
        withdraw_from_pending(issue.assignee_id, issue.id)
        issue.assignee_id = None
        _note(issue, admin, EventKind.UNASSIGNED, "", public=True)
        _note(issue, admin, EventKind.NOTE, f"Taken back from {previous.name if previous else 'maintenance'}.",
              public=False)
        issue.updated_at = utcnow()
        return _("The issue is no longer assigned.")
    staff = db.session.get(User, staff_id)
    if staff is None or not staff.works_in(issue.house_id) or staff.is_deactivated:
        raise AssignmentError(_("That person is not on the staff of %(house)s: nothing was changed. "
                                "Add them on the Staff page first.", house=issue.house.name))
    if staff.id == issue.assignee_id:
        raise AssignmentError(_("This issue is already assigned to %(name)s: nothing was changed.", name=staff.name))
    if issue.assignee_id is not None:
        withdraw_from_pending(issue.assignee_id, issue.id)
    issue.assignee = staff
    _note(issue, admin, EventKind.ASSIGNED, "", public=True)
    _note(issue, admin, EventKind.NOTE, f"Assigned to {staff.name}.", public=False)
    issue.updated_at = utcnow()
    notify_assignee(issue, staff)
    return _("Assigned to %(name)s.", name=staff.name)


def withdraw_from_pending(staff_id: int, issue_id: int) -> None:
    """Take a job back out of its former assignee's "new jobs" email while that is still queued (cancelled
    when it was the only job in it)."""
    key = f"jobs:user:{staff_id}"
    pending = queued_context(key)
    if not pending or all(job["issue_id"] != issue_id for job in pending.get("jobs", [])):
        return
    jobs = [job for job in pending["jobs"] if job["issue_id"] != issue_id]
    values = {"context": {**pending, "jobs": jobs, "count": len(jobs)}} if jobs else {
        "status": MailStatus.FAILED, "last_error": "job assigned to someone else"}
    db.session.execute(sa.update(OutboxEmail).where(OutboxEmail.coalesce_key == key,
                                                    OutboxEmail.status == MailStatus.QUEUED).values(**values)
                       .execution_options(synchronize_session=False))


def notify_assignee(issue: Issue, staff: User) -> None:
    """Queue (or add this job to) the staff member's pending "new jobs" email."""
    if not staff.in_good_standing:
        return  # still to set a password, or deactivated: they see it on My jobs when they log in
    urgent = issue.urgency == Urgency.URGENT
    key = f"jobs:user:{staff.id}"
    pending = queued_context(key) or {}
    base = current_app.config["BASE_URL"]
    job = {"issue_id": issue.id, "title": issue.title, "house": issue.house.name, "location": issue.location_label,
           "category": issue.category.label, "urgent": urgent,
           "link": base + url_for("staff.detail", issue_id=issue.id)}
    jobs = [job, *[j for j in pending.get("jobs", []) if j["issue_id"] != issue.id]][:JOBS_LISTED]
    enqueue("jobs_assigned", staff.email,
            {"name": staff.name, "jobs": jobs, "count": len(jobs), "urgent": urgent or pending.get("urgent", False),
             "jobs_link": base + url_for("staff.index"), **issue.house.reply_context()},
            purpose=Purpose.NOTICE, coalesce_key=key, delay=current_app.config["ISSUE_NEW_MAIL_DELAY"],
            send_by=utcnow() if urgent else None)
