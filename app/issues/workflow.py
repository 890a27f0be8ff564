"""What may happen to an issue, and by whom: admin status changes and the reporter's confirm/reopen/rate.

Each function changes the issue in the session, records the timeline event, queues the emails, and leaves the
commit to the caller. A step that makes no sense raises WorkflowError with a message for the user.
"""
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from app.extensions import db
from app.issues import notify, targets, visits
from app.issues.labels import status_label
from app.models.base import utcnow
from app.models.issues import EventKind, HoldReason, Issue, IssueEvent, IssueStatus

REOPEN_WINDOW = timedelta(days=14)

TRANSITIONS: dict[IssueStatus, tuple[IssueStatus, ...]] = {  # in the order the admin page lists them
    IssueStatus.REPORTED: (IssueStatus.IN_PROGRESS, IssueStatus.ON_HOLD, IssueStatus.RESOLVED, IssueStatus.WONT_FIX),
    IssueStatus.IN_PROGRESS: (IssueStatus.ON_HOLD, IssueStatus.RESOLVED, IssueStatus.WONT_FIX),
    IssueStatus.ON_HOLD: (IssueStatus.IN_PROGRESS, IssueStatus.RESOLVED, IssueStatus.WONT_FIX),
    IssueStatus.RESOLVED: (IssueStatus.IN_PROGRESS,),
    IssueStatus.WONT_FIX: (IssueStatus.REPORTED, IssueStatus.IN_PROGRESS),
}
# What the assigned staff member may do from My jobs.
STAFF_TRANSITIONS: dict[IssueStatus, tuple[IssueStatus, ...]] = {
    IssueStatus.REPORTED: (IssueStatus.IN_PROGRESS, IssueStatus.RESOLVED),
    IssueStatus.IN_PROGRESS: (IssueStatus.RESOLVED,),
    IssueStatus.ON_HOLD: (IssueStatus.IN_PROGRESS, IssueStatus.RESOLVED),
}


class WorkflowError(ValueError):
    """A step refused; str() is the message to show."""


def _event(issue: Issue, author, kind: EventKind, body: str = "", public: bool = True,
           to_status: IssueStatus | None = None) -> IssueEvent:
    event = IssueEvent(issue=issue, author_id=author.id if author else None, kind=kind, body=body or "",
                       public=public, from_status=issue.status if to_status else None, to_status=to_status)
    db.session.add(event)
    return event


def _load_timeline(issue: Issue) -> None:
    """Load the timeline and its authors in one query before changing anything: the deadlines (time on hold) and
    the update email read them, and loading them after a change would flush the issue early (two UPDATEs of it
    instead of one)."""
    if "events" in sa.inspect(issue).unloaded:
        set_committed_value(issue, "events", db.session.scalars(
            sa.select(IssueEvent).where(IssueEvent.issue_id == issue.id)
            .options(joinedload(IssueEvent.author)).order_by(IssueEvent.id)).all())


def _set_status(issue: Issue, status: IssueStatus, author, hold_reason: str | None = None,
                response: bool = False) -> None:
    """Change the status and the deadlines once (an admin's change is also a response to the student); a
    resolved or closed issue's booked visit ends with it."""
    issue.status = status
    if not status.is_open:
        visits.close_pending(issue, author)
    issue.hold_reason = hold_reason if status == IssueStatus.ON_HOLD else None
    issue.resolved_at = utcnow() if status in (IssueStatus.RESOLVED, IssueStatus.WONT_FIX) else None
    issue.confirmed_at = None
    if response:
        targets.record_response(issue)
    else:
        targets.refresh(issue)


def hold_text(reason: HoldReason | None, detail: str) -> str:
    """The reason shown to the student: "Waiting for parts: the pump is on order"."""
    if reason is None:
        raise WorkflowError(_("Choose why the issue is on hold (parts, a contractor or access)."))
    detail = (detail or "").strip()
    return f"{reason.label}: {detail}"[:300] if detail else reason.label


def admin_update(issue: Issue, admin, status: IssueStatus, comment: str, public: bool,
                 hold_reason: HoldReason | None = None, hold_detail: str = "") -> str:
    """Apply an admin's form: a status change and/or a comment (public) or note (internal). Returns a summary.
    Putting an issue on hold needs a reason, which the student sees on the timeline and in the status email."""
    comment = (comment or "").strip()
    _load_timeline(issue)
    if status == issue.status:
        if not comment:
            raise WorkflowError(_("Choose a new status or write a comment: nothing was changed."))
        _event(issue, admin, EventKind.COMMENT if public else EventKind.NOTE, comment, public=public)
        issue.updated_at = utcnow()
        if public:
            targets.record_response(issue)
            notify.subscribers(issue, actor=admin)
        return _("Comment added.") if public else _("Internal note added.")
    if status not in TRANSITIONS[issue.status]:
        raise WorkflowError(_("An issue that is “%(old)s” cannot be moved to “%(new)s”.",
                              old=status_label(issue.status), new=status_label(status)))
    if status == IssueStatus.WONT_FIX and not (comment and public):
        raise WorkflowError(_("Give the student a reason (as a public comment) when you mark an issue “%(status)s”.",
                               status=status_label(IssueStatus.WONT_FIX)))
    reason = hold_text(hold_reason, hold_detail) if status == IssueStatus.ON_HOLD else None
    shown = "\n\n".join(part for part in (reason, comment if public else "") if part)
    _event(issue, admin, EventKind.STATUS, shown, to_status=status)
    if comment and not public:
        _event(issue, admin, EventKind.NOTE, comment, public=False)
    _set_status(issue, status, admin, reason, response=True)
    issue.updated_at = utcnow()
    notify.subscribers(issue, actor=admin)
    return _("Status changed to “%(status)s”.", status=status_label(status))


def staff_update(issue: Issue, staff, status: IssueStatus | None, note: str, public: bool = False) -> str:
    """The assignee's form on My jobs: a status change (in progress or resolved, emailed to the student as an
    admin's is) and/or a note that admins and the assignee see, or, `public`, the student too: with a status
    change it is the change's text (on "Resolved", the completion note: what was done), alone a comment the
    student is emailed. Returns a summary."""
    note = (note or "").strip()
    _load_timeline(issue)
    if status is None or status == issue.status:
        if not note:
            raise WorkflowError(_("Choose a new status or write a note: nothing was changed."))
        _event(issue, staff, EventKind.COMMENT if public else EventKind.NOTE, note, public=public)
        issue.updated_at = utcnow()
        if public:
            notify.subscribers(issue, actor=staff)
        return _("Note added; the student sees it.") if public else _("Note added.")
    if status not in STAFF_TRANSITIONS.get(issue.status, ()):
        raise WorkflowError(_("A job that is “%(old)s” cannot be moved to “%(new)s” here.",
                              old=status_label(issue.status), new=status_label(status)))
    _event(issue, staff, EventKind.STATUS, note if public else "", to_status=status)
    if note and not public:
        _event(issue, staff, EventKind.NOTE, note, public=False)
    _set_status(issue, status, staff)
    issue.updated_at = utcnow()
    notify.subscribers(issue, actor=staff)
    return _("Status changed to “%(status)s”.", status=status_label(status))


def within_reopen_window(issue: Issue) -> bool:
    return issue.resolved_at is not None and utcnow() - issue.resolved_at <= REOPEN_WINDOW


def confirm_fix(issue: Issue, student) -> None:
    if issue.status != IssueStatus.RESOLVED:
        raise WorkflowError(_("Only a resolved issue can be confirmed."))
    if issue.confirmed_at is not None:
        raise WorkflowError(_("You have already confirmed this fix."))
    if not within_reopen_window(issue):
        raise WorkflowError(_("It has been more than 14 days since this issue was resolved."))
    issue.confirmed_at = utcnow()
    _event(issue, student, EventKind.CONFIRMED)


def confirm_and_rate(issue: Issue, student, rating: int | None) -> None:
    """The student's one submit: the fix confirmed, and rated when they chose stars."""
    confirm_fix(issue, student)
    if rating is not None:
        rate(issue, student, rating)


def reopen(issue: Issue, student, reason: str) -> None:
    if issue.status not in (IssueStatus.RESOLVED, IssueStatus.WONT_FIX):
        raise WorkflowError(_("Only a resolved or closed issue can be reopened."))
    if not within_reopen_window(issue):
        raise WorkflowError(_("Issues can be reopened for 14 days; please report a new issue instead."))
    _event(issue, student, EventKind.REOPENED, reason.strip(), to_status=IssueStatus.REPORTED)
    _set_status(issue, IssueStatus.REPORTED, student)
    issue.updated_at = utcnow()
    notify.subscribers(issue, actor=student)
    notify.new_issue(issue, reopened=True)


def rate(issue: Issue, student, rating: int) -> None:
    if issue.status != IssueStatus.RESOLVED:
        raise WorkflowError(_("You can rate the repair once the issue is resolved."))
    if not 1 <= rating <= 5:
        raise WorkflowError(_("Choose 1 to 5 stars."))
    issue.rating = rating
    _event(issue, student, EventKind.RATED, f"{rating}/5")


def student_comment(issue: Issue, student, body: str) -> None:
    _event(issue, student, EventKind.COMMENT, body.strip())
    issue.updated_at = utcnow()
    notify.student_comment(issue, student, body.strip())


def record_report(issue: Issue, reporter) -> None:
    _event(issue, reporter, EventKind.REPORTED)
