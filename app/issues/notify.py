"""Emails about issues, queued in the caller's transaction (the mail worker delivers them).

- subscribers(issue, actor): the issue's reporter and "me too" subscribers hear about a status change or a
  public admin comment; one pending email per issue and recipient is updated in place (coalesced), so two quick
  changes arrive as one email that shows the latest status and the recent updates.
- new_issue(issue, reopened): house admins who chose new-issue emails (the default), and digest readers for
  urgent ones, hear about new and reopened issues: one email per admin every few minutes lists them all.
- new_issue also sends an URGENT report at once to every house admin whatever their choice (purpose urgent:
  before status mail, with its own budget reserve), and to the fallback address when no admin can receive it.
- student_comment(issue, student, body): house admins (but those who chose "off") hear of a student's comment,
  one email per admin every few minutes lists them all.
- overdue(now): one email per house admin lists the issues that crossed a response target (app/issues/targets.py).
- send_digests(): one email per digest-reading admin with the issues new since their last digest.

The issue's assignee (when issues have one) is asked for in one place, `assignee_of`.
"""
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, url_for

from app.emailer import enqueue, queued_context
from app.emailer.admission import Known, known, with_known
from app.emailer.coalesced import enqueue_each
from app.extensions import db
from app.issues import targets
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
from app.models.mail import MailStatus, OutboxEmail, Purpose

TOLD_ADMINS = "the house admins"
TOLD_DESK = "the residence's maintenance desk"
RECENT_UPDATES = 5
NEW_ISSUES_LISTED = 20  # a coalesced new-issue email lists the newest this many, and counts the rest
UPDATE_KINDS = (EventKind.STATUS, EventKind.COMMENT, EventKind.REOPENED)


def _absolute(endpoint: str, **values) -> str:
    return current_app.config["BASE_URL"] + url_for(endpoint, **values)


def author_role(event) -> dict:
    """Who wrote an update, as the email says it in its reader's language (app/emailer/labels.who_label): a
    role, and the name of a house admin only (a student never learns the staff member's name)."""
    author = event.author
    if author is None:
        return {"role": "system"}
    if author.is_staff:
        return {"role": "staff"}
    return {"role": "admin", "who_name": author.name} if author.is_admin else {"role": "resident"}


def recent_updates(issue: Issue, after: int = 0) -> list[dict]:
    """The last RECENT_UPDATES public updates not emailed yet (those with an id above `after`), as data: the
    event's id, the time in UTC (ISO), the author's role, the status code, the text."""
    updates = [e for e in issue.events if e.public and e.kind in UPDATE_KINDS and (e.id or after + 1) > after]
    return [{"event_id": e.id, "at": f"{e.created_at.isoformat(timespec='seconds')}Z" if e.created_at else None,
             **author_role(e), "status": e.to_status.value if e.to_status else "", "text": e.body}
            for e in updates[-RECENT_UPDATES:]]


def emailed_up_to(keys: list[str]) -> dict[str, int]:
    """Per coalesce key, the newest update (event id) an update email that left (or is leaving) carried: the
    next email does not repeat it or anything older."""
    done = (MailStatus.SENT, MailStatus.SENDING, MailStatus.UNKNOWN)
    newest: dict[str, int] = {}
    for key, context in db.session.execute(sa.select(OutboxEmail.coalesce_key, OutboxEmail.context).where(
            OutboxEmail.coalesce_key.in_(keys), OutboxEmail.status.in_(done)).order_by(OutboxEmail.id)):
        ids = [u.get("event_id") or 0 for u in (context or {}).get("updates", []) if isinstance(u, dict)]
        newest[key] = max([newest.get(key, 0), *ids])
    return newest


def _keyed(prefix: str) -> sa.ColumnElement:
    """SQL for each user's coalesce key `<prefix>:user:<id>` (as `_tell_each` names them)."""
    return sa.literal(f"{prefix}:user:", sa.String) + sa.cast(User.id, sa.String)


def _with_known(query: sa.Select, prefix: str) -> tuple[list[tuple], Known]:
    """Run `query` (of users first, then more columns) with what queueing their emails keyed `prefix` reads
    (app/emailer/admission.py `with_known`): its rows, once per user, and that `Known`."""
    rows = db.session.execute(with_known(query, _keyed(prefix), User.email)).all()
    by_user = {}
    for row in rows:
        by_user.setdefault(row[0].id, tuple(row[:-3]))
    return list(by_user.values()), known((f"{prefix}:user:{row[0].id}", row[0].email, *row[-3:]) for row in rows)


def subscribers(issue: Issue, actor) -> int:
    """Queue (or refresh) the update email of each subscriber except `actor`; returns how many."""
    prefix = f"issue:{issue.id}"
    rows, found = _with_known(
        sa.select(User).join(IssueSubscription, IssueSubscription.user_id == User.id)
        .where(IssueSubscription.issue_id == issue.id, User.id != actor.id, User.in_good_standing), prefix)
    users = {f"{prefix}:user:{user.id}": user for (user,) in rows}
    if not users:
        return 0
    earlier = any(e.id is not None and e.public and e.kind in UPDATE_KINDS for e in issue.events)
    db.session.flush()  # the new update gets its id and time: the next email knows it was told
    context = {"issue_id": issue.id, "title": issue.title, "house": issue.house.name,
               "status": issue.status.value,
               "link": _absolute("issues.detail", issue_id=issue.id), **issue.house.reply_context()}
    told = emailed_up_to(list(users)) if earlier else {}  # nothing older to leave out: no read
    enqueue_each("issue_update", [(user.email, key) for key, user in users.items()],
                 lambda key, _pending: {**context, "name": users[key].name,
                                        "updates": recent_updates(issue, told.get(key, 0))},
                 purpose=Purpose.NOTICE, delay=current_app.config["ISSUE_MAIL_DELAY"], known=found)
    return len(users)


def _house_admins(house_id: int, prefix: str | None = None) -> tuple[list[tuple[User, NewIssueMail]], Known]:
    """The house's admins who may receive mail, with their new-issue choice; with `prefix`, what queueing their
    emails keyed `prefix` reads, in the same query (`_with_known`)."""
    query = (sa.select(User, AdminMailPreference.new_issues)
             .join(house_admins, house_admins.c.user_id == User.id)
             .outerjoin(AdminMailPreference, AdminMailPreference.user_id == User.id)
             .where(house_admins.c.house_id == house_id, User.in_good_standing))
    rows, found = _with_known(query, prefix) if prefix else (db.session.execute(query).all(), Known())
    return [(user, choice or NewIssueMail.EACH) for user, choice in rows], found


def issue_summary(issue: Issue) -> dict:
    """An issue in a listing email, as data and codes (the template says them in the reader's language)."""
    return {"issue_id": issue.id, "title": issue.title, "house": issue.house.name,
            "category": issue.category.value, **place_of(issue),
            "urgent": issue.urgency == Urgency.URGENT,
            "link": _absolute("admin.issue_detail", issue_id=issue.id)}


def place_of(issue: Issue) -> dict:
    """Where an issue is, for app/emailer/labels.location_label: its common area's name, else its room number."""
    if issue.common_area is not None:
        return {"area": issue.common_area.name}
    return {"room": issue.room.number if issue.room else ""}


def assignee_of(issue: Issue) -> User | None:
    """The staff member the issue is assigned to, if they may still receive mail."""
    assignee = issue.assignee
    return assignee if assignee is not None and assignee.in_good_standing else None


def _listed(item: dict, pending: dict | None) -> dict:
    """The listing of a coalesced email: `item` first, then those of the email still queued (`pending`)."""
    pending = pending or {}
    return {"issues": [item, *pending.get("issues", [])][:NEW_ISSUES_LISTED], "count": pending.get("count", 0) + 1}


def _tell_each(template: str, users: list[User], item: dict, key_prefix: str, extra: dict, **options) -> int:
    """One coalesced listing email of `template` to each of `users` (keyed per user); returns how many. `known`
    (an option): what `_house_admins` read with them."""
    by_key = {f"{key_prefix}:user:{user.id}": user for user in users}
    return enqueue_each(template, [(user.email, key) for key, user in by_key.items()],
                        lambda key, pending: {"name": by_key[key].name, **_listed(item, pending), **extra}, **options)


def new_issue(issue: Issue, reopened: bool = False) -> str:
    """Tell the house's admins about a new (or reopened) issue, as each one chose: one email per admin every
    ISSUE_NEW_MAIL_DELAY seconds lists every issue since the last. An urgent one goes at once to every admin
    (see `urgent_issue`). Returns who was told, for the student: TOLD_ADMINS, TOLD_DESK or ""."""
    item = {**issue_summary(issue), "reopened": reopened}
    if issue.urgency == Urgency.URGENT:
        return urgent_issue(issue, item)
    admins, found = _house_admins(issue.house_id, "new-issues")
    told = _tell_each("issue_new", [admin for admin, choice in admins if choice == NewIssueMail.EACH], item,
                      "new-issues", {"urgent": False, "queue_link": _absolute("admin.index")},
                      purpose=Purpose.NOTICE, delay=current_app.config["ISSUE_NEW_MAIL_DELAY"], known=found)
    return TOLD_ADMINS if told else ""


def fallback_address(house) -> str | None:
    """Where urgent reports of `house` go when none of its admins can receive them (URGENT_FALLBACK_*)."""
    config = current_app.config
    return config["URGENT_FALLBACK_BY_HOUSE"].get(house.slug.lower()) or config["URGENT_FALLBACK_EMAIL"]


def urgent_issue(issue: Issue, item: dict) -> str:
    """An urgent report reaches someone at once, whatever the admins chose for new-issue email: every admin of
    the house who can receive mail and the assignee, else the fallback address. Purpose urgent: it leaves
    before status mail and has a budget reserve of its own."""
    admins, found = _house_admins(issue.house_id, "urgent-issues")
    recipients = [admin for admin, _choice in admins]
    assignee = assignee_of(issue)
    if assignee is not None and assignee.in_good_standing and assignee not in recipients:
        recipients.append(assignee)
    told = TOLD_ADMINS if _tell_each("issue_new", recipients, item, "urgent-issues",
                                     {"urgent": True, "queue_link": _absolute("admin.index")},
                                     purpose=Purpose.URGENT, known=found) else ""
    address = None if told else fallback_address(issue.house)
    if address:
        key = f"urgent-issues:fallback:{address.lower()}"[:190]
        if enqueue("issue_new", address, {"name": "", **_listed(item, queued_context(key)),
                                          "urgent": True, "queue_link": _absolute("admin.index")},
                   purpose=Purpose.URGENT, coalesce_key=key):
            told = TOLD_DESK
    return told


def student_comment(issue: Issue, student, body: str) -> int:
    """Tell the house admins (but those who chose "off") and the assignee of a student's comment: one email per
    admin every ISSUE_NEW_MAIL_DELAY seconds lists the comments since the last. Returns how many were queued."""
    item = {**issue_summary(issue), "comment": body[:500], "who": "Resident"}
    admins, found = _house_admins(issue.house_id, "comments")
    recipients = [admin for admin, choice in admins if choice != NewIssueMail.OFF]
    assignee = assignee_of(issue)
    if assignee is not None and assignee.in_good_standing and assignee not in recipients:
        recipients.append(assignee)
    recipients = [user for user in recipients if user.id != student.id]
    return _tell_each("issue_comments", recipients, item, "comments", {"queue_link": _absolute("admin.index")},
                      purpose=Purpose.NOTICE, delay=current_app.config["ISSUE_NEW_MAIL_DELAY"], known=found)


def overdue(now=None) -> int:
    """Queue one email per house admin listing the issues that crossed a target since the last run (each
    crossing once); returns how many issues crossed. Run from `flask issues overdue` (cron)."""
    now = now or utcnow()
    crossed = targets.crossed(now)
    by_house: dict[int, list[dict]] = {}
    for issue in crossed:
        late = targets.standing(issue, now)
        by_house.setdefault(issue.house_id, []).append({**issue_summary(issue), "late_which": late.which,
                                                        "late_minutes": int(-late.left.total_seconds() // 60)})
        issue.overdue_noticed_due = issue.next_due_at
    per_admin: dict[int, tuple[User, list[dict]]] = {}
    for house_id, items in by_house.items():
        for admin, _choice in _house_admins(house_id)[0]:
            per_admin.setdefault(admin.id, (admin, []))[1].extend(items)
    for admin, items in per_admin.values():
        key = f"overdue:user:{admin.id}"
        earlier = (queued_context(key) or {}).get("issues", [])
        listed = {i["issue_id"] for i in items}
        issues = items + [i for i in earlier if i["issue_id"] not in listed]
        enqueue("issue_overdue", admin.email,
                {"name": admin.name, "issues": issues[:NEW_ISSUES_LISTED], "count": len(issues),
                 "queue_link": _absolute("admin.index", status="open", overdue="1", sort="due")},
                purpose=Purpose.NOTICE, cause="system", coalesce_key=key)
    return len(crossed)


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
