"""Emails about issues, queued in the caller's transaction (the mail worker delivers them).

- subscribers(issue, actor): the issue's reporter and "me too" subscribers hear about a status change or a
  public admin comment; one pending email per issue and recipient is updated in place (coalesced), so two quick
  changes arrive as one email that shows the latest status and the recent updates.
- new_issue(issue, reopened): house admins who chose new-issue emails (the default), and digest readers for
  urgent ones, hear about new and reopened issues: one email per admin every few minutes lists them all.
- send_digests(): one email per digest-reading admin with the issues new since their last digest.
"""
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, url_for

from app.emailer import enqueue, queued_context
from app.extensions import db
from app.models.accounts import User, house_admins
from app.models.base import utcnow
from app.models.issues import (
    AdminMailPreference,
    EventKind,
    Issue,
    IssueSubscription,
    NewIssueMail,
    Urgency,
)
from app.models.mail import Purpose

RECENT_UPDATES = 5
NEW_ISSUES_LISTED = 20  # a coalesced new-issue email lists the newest this many, and counts the rest
UPDATE_KINDS = (EventKind.STATUS, EventKind.COMMENT, EventKind.REOPENED)


def _absolute(endpoint: str, **values) -> str:
    return current_app.config["BASE_URL"] + url_for(endpoint, **values)


def author_label(event) -> str:
    author = event.author
    if author is None:
        return "RINAIBRA"
    if author.is_staff:
        return "Maintenance"  # a student never learns the staff member's name
    return f"{author.name} (house admin)" if author.is_admin else "Resident"


def recent_updates(issue: Issue) -> list[dict]:
    updates = [e for e in issue.events if e.public and e.kind in UPDATE_KINDS][-RECENT_UPDATES:]
    return [{"when": e.created_at.strftime("%d %b %H:%M UTC") if e.created_at else "now", "who": author_label(e),
             "status": e.to_status.label if e.to_status else "", "text": e.body} for e in updates]


def subscribers(issue: Issue, actor) -> int:
    """Queue (or refresh) the update email of each subscriber except `actor`; returns how many."""
    users = db.session.scalars(
        sa.select(User).join(IssueSubscription, IssueSubscription.user_id == User.id)
        .where(IssueSubscription.issue_id == issue.id, User.id != actor.id, User.in_good_standing)
    ).all()
    delay = current_app.config["ISSUE_MAIL_DELAY"]
    context = {"issue_id": issue.id, "title": issue.title, "house": issue.house.name,
               "status": issue.status.value, "status_label": issue.status.label,
               "link": _absolute("issues.detail", issue_id=issue.id), "updates": recent_updates(issue)}
    for user in users:
        enqueue("issue_update", user.email, {**context, "name": user.name}, purpose=Purpose.NOTICE,
                coalesce_key=f"issue:{issue.id}:user:{user.id}", delay=delay)
    return len(users)


def _house_admins(house_id: int) -> list[tuple[User, NewIssueMail]]:
    rows = db.session.execute(
        sa.select(User, AdminMailPreference.new_issues)
        .join(house_admins, house_admins.c.user_id == User.id)
        .outerjoin(AdminMailPreference, AdminMailPreference.user_id == User.id)
        .where(house_admins.c.house_id == house_id, User.in_good_standing)
    ).all()
    return [(user, pref or NewIssueMail.EACH) for user, pref in rows]


def issue_summary(issue: Issue) -> dict:
    return {"issue_id": issue.id, "title": issue.title, "house": issue.house.name,
            "category": issue.category.label, "location": issue.location_label,
            "urgent": issue.urgency == Urgency.URGENT,
            "link": _absolute("admin.issue_detail", issue_id=issue.id)}


def new_issue(issue: Issue, reopened: bool = False) -> int:
    """Tell the house's admins about a new (or reopened) issue, as each one chose: one email per admin every
    ISSUE_NEW_MAIL_DELAY seconds lists every issue since the last (an urgent one sends it at once)."""
    urgent = issue.urgency == Urgency.URGENT
    item = {**issue_summary(issue), "reopened": reopened}
    delay = current_app.config["ISSUE_NEW_MAIL_DELAY"]
    sent = 0
    for admin, choice in _house_admins(issue.house_id):
        if choice == NewIssueMail.EACH or (choice == NewIssueMail.DAILY and urgent):
            key = f"new-issues:user:{admin.id}"
            pending = queued_context(key) or {}
            issues = [item, *pending.get("issues", [])][:NEW_ISSUES_LISTED]
            enqueue("issue_new", admin.email,
                    {"name": admin.name, "issues": issues, "count": pending.get("count", 0) + 1,
                     "urgent": urgent or pending.get("urgent", False), "queue_link": _absolute("admin.index")},
                    purpose=Purpose.NOTICE, coalesce_key=key, delay=delay, send_by=utcnow() if urgent else None)
            sent += 1
    return sent


def send_digests(now=None) -> int:
    """Queue one digest per admin who chose the daily digest and has new issues; returns how many."""
    now = now or utcnow()
    prefs = db.session.scalars(
        sa.select(AdminMailPreference).join(User, User.id == AdminMailPreference.user_id)
        .where(AdminMailPreference.new_issues == NewIssueMail.DAILY, User.in_good_standing)).all()
    queued = 0
    for pref in prefs:
        admin = db.session.get(User, pref.user_id)
        since = pref.digest_sent_until or now - timedelta(days=1)
        house_ids = list(admin.admin_house_ids)
        issues = db.session.scalars(
            sa.select(Issue).where(Issue.house_id.in_(house_ids), Issue.created_at > since,
                                   Issue.created_at <= now).order_by(Issue.created_at)
        ).all() if house_ids else []
        pref.digest_sent_until = now
        if not issues:
            continue
        key = f"digest:user:{admin.id}"
        # A previous digest still waiting for the budget is replaced by this one: carry its issues over.
        summaries = (queued_context(key) or {}).get("issues", []) + [issue_summary(i) for i in issues]
        enqueue("digest", admin.email,
                {"name": admin.name, "count": len(summaries), "issues": summaries,
                 "queue_link": _absolute("admin.index")},
                purpose=Purpose.BULK, coalesce_key=key)
        queued += 1
    return queued
