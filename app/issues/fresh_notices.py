"""Delayed issue notices re-read as they leave (app/emailer/fresh.py): the new-issue email to admins and the
job email to staff describe each issue as it is when the worker sends them, not as it was when queued.

What is dropped, and when nothing is sent (the decision, documented in the README's mail section):
- an issue no longer open (resolved or closed) or gone is dropped from the listing: the admin or the assignee
  has nothing to act on, and the student hears of the fix from the status email;
- a job no longer assigned to the recipient is dropped (it is someone else's now);
- an email whose listing is left empty is withdrawn: never sent, its budget slot refunded.
Everything else is read fresh: title, urgency, place, description, whether staff may enter when the student is
out, the booked visit (or the times the student offered), the status, the assignee and a link to the first photo.

Bringing a notice forward when its issue becomes urgent happens at the change itself (`urgent_now`).
"""
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import Session, selectinload

from app.emailer.fresh import Withdrawn, register
from app.extensions import db
from app.issues.labels import status_label
from app.issues.notify import place_of
from app.issues.visits import shown
from app.localtime import spoken
from app.models.base import utcnow
from app.models.deliveries import outbox_issues
from app.models.issues import Issue, IssuePhoto, Urgency
from app.models.mail import MailStatus, OutboxEmail
from app.models.visits import Visit, VisitSlot

DESCRIPTION_SHOWN = 400  # characters of the description an email quotes
OFFERED_SHOWN = 3
DELAYED = ("issue_new", "jobs_assigned")


def _url(endpoint: str, **values) -> str:
    """An absolute link built without a request (the worker has none)."""
    adapter = current_app.url_map.bind("", script_name=current_app.config["APPLICATION_ROOT"])
    return current_app.config["BASE_URL"] + adapter.build(endpoint, values)


def _when(session: Session, issue: Issue) -> tuple[str | None, list[str]]:
    """The booked visit's label and the student's offered times still to come (room issues only)."""
    if issue.common_area_id is not None:
        return None, []
    visit = session.get(Visit, issue.id)
    offered = session.scalars(sa.select(VisitSlot).where(VisitSlot.issue_id == issue.id,
                                                         VisitSlot.ends_at > utcnow())
                              .order_by(VisitSlot.starts_at).limit(OFFERED_SHOWN))
    return (shown(visit) if visit else None), [shown(slot) for slot in offered]


def details(session: Session, issue: Issue) -> dict[str, Any]:
    """What a reader needs to act, as the issue is now."""
    description = " ".join(issue.description.split())
    if len(description) > DESCRIPTION_SHOWN:
        description = description[:DESCRIPTION_SHOWN - 1].rstrip() + "…"
    visit, offered = _when(session, issue)
    photos = issue.report_photos
    room = issue.common_area_id is None
    return {
        "title": issue.title, "house": issue.house.name, "category": issue.category.value, **place_of(issue),
        "urgent": issue.urgency == Urgency.URGENT,
        "status_label": status_label(issue.status), "description": description,
        "entry": (_("Staff may enter when the student is out") if issue.enter_permission
                  else _("Only when the student is in")) if room else None,
        "visit": visit, "offered": offered,
        "reported": spoken(issue.created_at, "EEE dd MMM, HH:mm"),
        "assignee": issue.assignee.name if issue.assignee else None,
        "photo_link": _url("issues.photo", issue_id=issue.id, photo_id=photos[0].id) if photos else None,
        "photo_count": len(photos),
    }


def _issues(session: Session, ids: list[int]) -> dict[int, Issue]:
    return {issue.id: issue for issue in session.scalars(
        sa.select(Issue).options(selectinload(Issue.photos)).where(Issue.id.in_(ids)))}


def _fresh_listing(context: dict, key: str, session: Session, keep) -> dict:
    """The context with its listing under `key` re-read; items whose issue fails `keep` are dropped (Withdrawn
    when none is left). `count` (which may exceed the listing) drops by as many."""
    listed = [item for item in context.get(key, []) if isinstance(item, dict)]
    issues = _issues(session, [item["issue_id"] for item in listed])
    fresh = [{**item, **details(session, issues[item["issue_id"]])} for item in listed
             if item["issue_id"] in issues and issues[item["issue_id"]].status.is_open
             and keep(issues[item["issue_id"]])]
    if not fresh:
        raise Withdrawn("every issue it listed was resolved, closed or given to someone else before it left")
    count = max(len(fresh), int(context.get("count", len(listed))) - (len(listed) - len(fresh)))
    return {**context, key: fresh, "count": count, "urgent": context.get("urgent", False)
            or any(item["urgent"] for item in fresh)}


def new_issues(context: dict, to_address: str, session: Session) -> dict:
    return _fresh_listing(context, "issues", session, keep=lambda issue: True)


def jobs(context: dict, to_address: str, session: Session) -> dict:
    def still_theirs(issue: Issue) -> bool:
        return issue.assignee is not None and issue.assignee.email.lower() == to_address.strip().lower()
    return _fresh_listing(context, "jobs", session, keep=still_theirs)


def urgent_now(issue: Issue) -> int:
    """The issue became urgent: its new-issue and job emails still queued leave now. Returns how many."""
    queued = sa.select(outbox_issues.c.outbox_id).where(outbox_issues.c.issue_id == issue.id)
    return db.session.execute(
        sa.update(OutboxEmail).where(OutboxEmail.id.in_(queued), OutboxEmail.status == MailStatus.QUEUED,
                                     OutboxEmail.template.in_(DELAYED), OutboxEmail.send_after > utcnow())
        .values(send_after=utcnow()).execution_options(synchronize_session=False)).rowcount


def fix_photos(context: dict, to_address: str, session: Session) -> dict:
    """The "Resolved" email links the photos of the fix (stored with the step, after the email was queued)."""
    if context.get("status") != "resolved" or not isinstance(context.get("issue_id"), int):
        return context
    ids = session.scalars(sa.select(IssuePhoto.id).where(IssuePhoto.issue_id == context["issue_id"],
                                                         IssuePhoto.completion.is_(True)).order_by(IssuePhoto.id))
    return {**context, "fix_photos": [_url("issues.photo", issue_id=context["issue_id"], photo_id=photo_id)
                                      for photo_id in ids]}


register("issue_update", fix_photos)
register("issue_new", new_issues)
register("jobs_assigned", jobs)
