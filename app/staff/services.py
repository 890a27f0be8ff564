"""My jobs: which issues a staff member sees (those assigned to them, in houses they still work in), in what
order, and the completion photos they add when they mark a job resolved."""
import sqlalchemy as sa
from flask import abort
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from app.auth.permissions import may_work_on
from app.extensions import db
from app.issues import workflow
from app.issues.services import photos_on
from app.models.accounts import house_staff
from app.models.issues import OPEN_STATUSES, Issue, IssueStatus, Urgency
from app.models.visits import Visit
from app.photos import CleanImage


def job_order():
    """The order of My jobs: urgent ones first, then the nearest deadline (on hold, with no deadline, last), then
    the oldest."""
    return (sa.case((Issue.urgency == Urgency.URGENT, 0), else_=1), Issue.next_due_at.is_(None),
            Issue.next_due_at.asc(), Issue.created_at.asc(), Issue.id.asc())


def my_jobs(staff) -> list[Issue]:
    """The staff member's open jobs in the houses they work in, in job_order()."""
    works_in = sa.select(house_staff.c.house_id).where(house_staff.c.user_id == staff.id)
    return list(db.session.scalars(
        sa.select(Issue).options(selectinload(Issue.photos), joinedload(Issue.house), joinedload(Issue.room),
                                  joinedload(Issue.common_area))
        .where(Issue.assignee_id == staff.id, Issue.status.in_(OPEN_STATUSES), Issue.house_id.in_(works_in))
        .order_by(*job_order())))


def visits_of(jobs: list[Issue]) -> dict[int, Visit]:
    """The booked visit of each job that has one (one query)."""
    ids = [job.id for job in jobs if job.common_area_id is None]
    return {visit.issue_id: visit for visit in db.session.scalars(sa.select(Visit).where(Visit.issue_id.in_(ids)))} \
        if ids else {}


def job_for(issue_id: int, staff) -> Issue:
    """The job if it is `staff`'s; a 404 otherwise (another's job is not revealed)."""
    issue = db.session.get(Issue, issue_id)
    if issue is None or not may_work_on(staff, issue):
        abort(404, _("There is no such job among yours."))
    return issue


def update_job(issue: Issue, staff, status: IssueStatus | None, note: str, photos: list[CleanImage]) -> str:
    """The workflow step (status emails to the student as an admin's change sends them), plus completion photos
    when the job is marked resolved; commits. Stored files are removed again if the database part fails."""
    if photos and status != IssueStatus.RESOLVED:
        raise workflow.WorkflowError(_("Completion photos go with marking the job resolved."))
    message = workflow.staff_update(issue, staff, status, note)
    with photos_on(issue, photos, completion=True):
        db.session.commit()
    return message
