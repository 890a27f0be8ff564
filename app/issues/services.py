"""Issues for students: reporting, "me too" subscriptions, listings (who may see what: app/auth/permissions.py)."""
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import sqlalchemy as sa
from flask import abort, current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import joinedload

from app.auth.permissions import is_open_common_issue_of_house, may_see_issue
from app.converters import whole_number
from app.emailer import causes
from app.extensions import db
from app.issues import notify, workflow
from app.limits import Limit, take
from app.models.houses import CommonArea
from app.models.issues import (
    OPEN_STATUSES,
    Category,
    Issue,
    IssuePhoto,
    IssueSubscription,
    Urgency,
)
from app.photos import CleanImage, delete_photo, store


def issue_for(issue_id: int, user) -> Issue:
    """The issue if `user` may see it; a 404 otherwise (whether it exists is nobody else's business)."""
    issue = db.session.get(Issue, issue_id, options=[joinedload(Issue.room), joinedload(Issue.common_area)])
    if issue is None or not may_see_issue(user, issue):
        abort(404, _("There is no such issue, or it is not yours to see."))
    return issue


class LocationError(ValueError):
    """A location that is not the student's room nor a common area of their house."""


def common_area_id(house, value: str) -> int | None:
    """The common area of `house` a location form value names, or None for 'room' (the student's own room)."""
    if value == "room":
        return None
    area_id = whole_number(value)
    area = db.session.get(CommonArea, area_id) if area_id else None
    if area is None or area.house_id != house.id:
        raise LocationError(_("Choose one of the listed places."))
    return area.id


# What a student may do so often, per hour and per day: settings <prefix>_PER_HOUR and _PER_DAY, what they did
# and what the refusal adds (the forms keep what was typed).
STUDENT_LIMITS = {"report": "ISSUE_REPORTS", "comment": "ISSUE_COMMENTS", "me-too": "ISSUE_ME_TOO"}


def _limit_message(action: str, limit: int, per_hour: bool) -> str:
    """Why a student's `action` is refused: what they did (whole sentences, in the language spoken)."""
    if action == "report":
        done = (ngettext("You have reported %(num)d issue in the last hour, the most one student can.",
                         "You have reported %(num)d issues in the last hour, the most one student can.", limit)
                if per_hour else
                ngettext("You have reported %(num)d issue in the last 24 hours, the most one student can.",
                         "You have reported %(num)d issues in the last 24 hours, the most one student can.", limit))
        then = _("Your report is kept below: send it again later, or ask your house admin if something is urgent.")
        return f"{done} {then}"
    if action == "comment":
        done = (ngettext("You have commented %(num)d time in the last hour, the most one student can.",
                         "You have commented %(num)d times in the last hour, the most one student can.", limit)
                if per_hour else
                ngettext("You have commented %(num)d time in the last 24 hours, the most one student can.",
                         "You have commented %(num)d times in the last 24 hours, the most one student can.", limit))
        return f"{done} {_('Your comment is kept below: send it again later.')}"
    done = (ngettext("You have pressed “me too” %(num)d time in the last hour, the most one student can.",
                     "You have pressed “me too” %(num)d times in the last hour, the most one student can.", limit)
            if per_hour else
            ngettext("You have pressed “me too” %(num)d time in the last 24 hours, the most one student can.",
                     "You have pressed “me too” %(num)d times in the last 24 hours, the most one student can.", limit))
    return f"{done} {_('Try again later.')}"


def student_limit_refused(student, action: str) -> str | None:
    """Count one `action` (a STUDENT_LIMITS key) against the student's hourly and daily limits; why it is
    refused, or None. Parallel requests take the student's lock in turn (app/limits.py), so none slips past."""
    setting, config, who = STUDENT_LIMITS[action], current_app.config, causes.of_user(student)
    hour = Limit(f"{action}:{student.id}:hour", config[f"{setting}_PER_HOUR"], timedelta(hours=1), lock=who)
    day = Limit(f"{action}:{student.id}:day", config[f"{setting}_PER_DAY"], timedelta(days=1), lock=who)
    refused = take(hour, day)
    if refused is None:
        return None
    return _limit_message(action, refused.limit, refused is hour)


def report_issue(student, data: dict, photos: list[CleanImage]) -> tuple[Issue, str]:
    """Create the issue, its photos, timeline and emails, and commit; returns it and who was told (see
    notify.new_issue). Stored files are removed again if the database part fails, so nothing is left half-made."""
    area_id = common_area_id(student.house, data["location"])
    issue = Issue(house_id=student.house_id, reporter_id=student.id, category=Category(data["category"]),
                  room_id=None if area_id else student.room_id, common_area_id=area_id,
                  title=data["title"].strip(), description=data["description"].strip(),
                  urgency=Urgency(data["urgency"]),
                  enter_permission=bool(data["enter_permission"]) and not area_id,
                  photos=[])  # known empty: adding the photos after the store's flush reads no collection
    db.session.add(issue)
    with photos_on(issue, photos):
        db.session.flush()
        db.session.add(IssueSubscription(issue_id=issue.id, user_id=student.id))
        workflow.record_report(issue, student)
        told = notify.new_issue(issue)
        db.session.commit()
    return issue, told


@contextmanager
def photos_on(issue: Issue, photos: list[CleanImage], **fields) -> Iterator[None]:
    """Store `photos` on `issue` for a block that commits; if the block fails, the database part is rolled back
    and the stored files are removed again, so nothing is left half-made."""
    stored = []
    try:
        for clean in photos:
            photo = store(clean)
            stored.append(photo.key)
            issue.photos.append(IssuePhoto(key=photo.key, mime=photo.mime, width=photo.width, height=photo.height,
                                           size=photo.size, **fields))
        yield
    except Exception:
        db.session.rollback()
        for key in stored:
            delete_photo(key)
        raise


def urgent_told_message(told: str) -> str:
    """What the student reporting an urgent issue is told about who heard of it (never anyone's address)."""
    if told == notify.TOLD_ADMINS:
        return _("Because it is urgent, the house admins were emailed at once.")
    if told == notify.TOLD_DESK:
        return _("Because it is urgent, the residence's maintenance desk was emailed at once.")
    return _("Because it is urgent: nobody could be emailed about it right now. If it is dangerous, phone your "
             "residence's emergency number.")


def toggle_me_too(issue: Issue, student, follow: bool | None = None) -> bool:
    """Subscribe `student` to an open common-area issue of their house, or unsubscribe them; True if now
    subscribed. `follow` says which (a double tap then changes nothing); None flips the current state."""
    if issue.reporter_id == student.id:
        return True
    subscription = db.session.get(IssueSubscription, (issue.id, student.id))
    if follow is None:
        follow = subscription is None
    if not follow:
        if subscription is not None:
            db.session.delete(subscription)
        return False
    if subscription is not None:
        return True
    if not is_open_common_issue_of_house(issue, student.house_id):
        abort(404, _("There is no such open issue in your house."))
    db.session.add(IssueSubscription(issue_id=issue.id, user_id=student.id))
    return True


MY_ISSUES_PAGE = 20


def my_issues(student, before: int | None = None) -> tuple[list[Issue], int | None]:
    """A page of the issues the student reported or follows, newest first, starting after the issue `before` (one
    of theirs; 404 otherwise); returns the page and the id to pass as `before` for the next, older page, if any."""
    # Two index-backed queries, merged here: their own issues (by reporter_id), the ones they follow (by the
    # subscriptions' user_id). One query with `reporter_id = ? OR id IN (...)` made MariaDB read every issue.
    followed = sa.select(IssueSubscription.issue_id).where(IssueSubscription.user_id == student.id)
    newest_first = (Issue.created_at.desc(), Issue.id.desc())
    older = []
    if before is not None:
        cursor = db.session.execute(sa.select(Issue.created_at, Issue.id).where(
            Issue.id == before, sa.or_(Issue.reporter_id == student.id, Issue.id.in_(followed)))).first()
        if cursor is None:
            abort(404, _("There is no such page of your issues."))
        older = [sa.or_(Issue.created_at < cursor.created_at,
                        sa.and_(Issue.created_at == cursor.created_at, Issue.id < cursor.id))]
    page_of = (sa.select(Issue).where(*older).options(joinedload(Issue.room), joinedload(Issue.common_area))
               .order_by(*newest_first).limit(MY_ISSUES_PAGE + 1))  # each card's location, in the same query
    own = db.session.scalars(page_of.where(Issue.reporter_id == student.id)).all()
    others = db.session.scalars(page_of.join(IssueSubscription, IssueSubscription.issue_id == Issue.id).where(
        IssueSubscription.user_id == student.id, Issue.reporter_id != student.id)).all()
    rows = sorted([*own, *others], key=lambda issue: (issue.created_at, issue.id), reverse=True)
    page = rows[:MY_ISSUES_PAGE]
    return page, page[-1].id if len(rows) > MY_ISSUES_PAGE else None


def open_common_issues(house_id: int) -> list[Issue]:
    return list(db.session.scalars(
        sa.select(Issue).where(Issue.house_id == house_id, Issue.common_area_id.is_not(None),
                               Issue.status.in_(OPEN_STATUSES))
        .order_by(Issue.created_at.desc())
    ))


def subscribed_ids(user_id: int, issue_ids: list[int]) -> set[int]:
    if not issue_ids:
        return set()
    return set(db.session.scalars(sa.select(IssueSubscription.issue_id).where(
        IssueSubscription.user_id == user_id, IssueSubscription.issue_id.in_(issue_ids))))


def subscriber_count(issue_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(IssueSubscription)
                             .where(IssueSubscription.issue_id == issue_id)) or 0

