"""Self-help tips per category on the report form, and the figures of who gave up after reading one.

Showing the report form issues a report start (one open start per student per ABANDON_AFTER: a reload reuses
it, so page views cannot grow the table). The form's script posts each category the student chooses and
whether its tip was shown (at most one row per start and category, and TIP_SEEN_PER_HOUR posts per student: a
flood stores nothing more); sending the report marks the start reported. A start that was shown a tip and was
not reported within ABANDON_AFTER counts as abandoned after that tip. Tips never block a report.
"""
import re
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from app.emailer import causes
from app.extensions import db
from app.limits import Limit, take
from app.models.accounts import Role
from app.models.base import utcnow
from app.models.issues import Category, Issue
from app.models.tips import ReportStart, ReportStartCategory, SelfHelpTip
from app.text import has_control

EDITORS = (Role.ADMIN, Role.DEVELOPER)  # tips apply to every house
ABANDON_AFTER = timedelta(hours=24)
TIP_SEEN_PER_HOUR = 60
MAX_CHARS = 600
MAX_LINES = 8
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,32}")


class TipErrors(ValueError):
    """Tips refused on the form: by_category maps a category value to its message."""

    def __init__(self, by_category: dict[str, str]):
        super().__init__("; ".join(by_category.values()))
        self.by_category = by_category


def all_tips() -> dict[Category, str]:
    """Every category's tips in the categories' order: {category: text} (those without tips are left out)."""
    stored = {Category(c): body for c, body in db.session.execute(sa.select(SelfHelpTip.category, SelfHelpTip.body))}
    return {category: stored[category] for category in Category if category in stored}


def checked(raw: str) -> str:
    """Tips as typed, tidied: lines stripped, blank lines dropped; ValueError when too long or odd."""
    if has_control(raw or "", multiline=True):
        raise ValueError(_("This contains characters we cannot store."))
    lines = [line.strip() for line in (raw or "").splitlines() if line.strip()]
    text = "\n".join(lines)
    if len(text) > MAX_CHARS:
        raise ValueError(_("Keep the tips short: at most %(count)d characters.", count=MAX_CHARS))
    if len(lines) > MAX_LINES:
        raise ValueError(_("Keep the tips short: at most %(count)d lines.", count=MAX_LINES))
    return text


def save_all(typed: dict[Category, str], editor) -> int:
    """Check every category's typed tips, then store those that changed (empty: no tips); nothing is stored
    when any is refused (TipErrors). Returns how many changed; the caller commits."""
    wanted, errors = {}, {}
    for category, raw in typed.items():
        try:
            wanted[category] = checked(raw)
        except ValueError as exc:
            errors[category.value] = str(exc)
    if errors:
        raise TipErrors(errors)
    rows = {Category(row.category): row for row in db.session.scalars(sa.select(SelfHelpTip))}
    changed = 0
    for category, text in wanted.items():
        row = rows.get(category)
        if text == (row.body if row else ""):
            continue
        if not text:
            db.session.delete(row)
        else:
            row = row or SelfHelpTip(category=category)
            row.body, row.updated_by_id, row.updated_at = text, editor.id, utcnow()
            db.session.add(row)
        changed += 1
    return changed


def start_report(student, now: datetime | None = None) -> str:
    """The token of the student's open report start (made when they have none from the last ABANDON_AFTER)."""
    now = now or utcnow()
    token = db.session.scalar(sa.select(ReportStart.token).where(
        ReportStart.user_id == student.id, ReportStart.reported_at.is_(None),
        ReportStart.created_at > now - ABANDON_AFTER).order_by(ReportStart.id.desc()).limit(1))
    if token is None:
        token = secrets.token_urlsafe(16)
        db.session.add(ReportStart(token=token, user_id=student.id, house_id=student.house_id, created_at=now))
    return token


def _start(student, token: str | None) -> ReportStart | None:
    if not token or not TOKEN.fullmatch(token):
        return None
    return db.session.scalar(sa.select(ReportStart).where(ReportStart.token == token,
                                                          ReportStart.user_id == student.id))


def seen_allowed(student) -> bool:
    """Count one tip-seen post against the student's hourly limit; False when over it."""
    who = causes.of_user(student)
    return take(Limit(f"tip-seen:{student.id}", TIP_SEEN_PER_HOUR, timedelta(hours=1), lock=who)) is None


def _choose(start: ReportStart, category: Category, tip_shown: bool) -> None:
    row = db.session.get(ReportStartCategory, (start.id, category))
    if row is None:
        db.session.add(ReportStartCategory(start_id=start.id, category=category, tip_shown=tip_shown))
    elif tip_shown:
        row.tip_shown = True


def record_choice(student, token: str, category: str) -> bool:
    """The student chose `category` during their open start (its tip was shown if it has one); False when the
    start is not theirs or already reported. Call after `seen_allowed`, which serialises a student's posts."""
    start = _start(student, token)
    if start is None or start.reported_at is not None:
        return False
    category = Category(category)
    _choose(start, category, db.session.get(SelfHelpTip, category) is not None)
    return True


def mark_reported(student, token: str | None, issue: Issue) -> None:
    """The start's report was sent (an unknown or foreign token is ignored: it never blocks a report)."""
    start = _start(student, token)
    if start is None or start.reported_at is not None:
        return
    start.reported_at, start.issue_id = utcnow(), issue.id
    _choose(start, issue.category, False)


def tip_figures(house_ids, since: datetime, now: datetime | None = None) -> dict[Category, dict[str, int]]:
    """Per category, for report starts in `house_ids` since `since`: started (starts that chose it), saw_tip
    (were shown its tip) and abandoned_after_tip (shown its tip, not reported within ABANDON_AFTER)."""
    now = now or utcnow()
    figures = {c: {"started": 0, "saw_tip": 0, "abandoned_after_tip": 0} for c in Category}
    house_ids = list(house_ids)
    if not house_ids:
        return figures
    shown = ReportStartCategory.tip_shown.is_(True)
    abandoned = sa.and_(shown, ReportStart.reported_at.is_(None), ReportStart.created_at <= now - ABANDON_AFTER)
    rows = db.session.execute(
        sa.select(ReportStartCategory.category, sa.func.count(),
                  sa.func.sum(sa.case((shown, 1), else_=0)), sa.func.sum(sa.case((abandoned, 1), else_=0)))
        .join(ReportStart, ReportStart.id == ReportStartCategory.start_id)
        .where(ReportStart.house_id.in_(house_ids), ReportStart.created_at >= since)
        .group_by(ReportStartCategory.category))
    for category, started, saw, gave_up in rows:
        figures[Category(category)] = {"started": int(started), "saw_tip": int(saw or 0),
                                       "abandoned_after_tip": int(gave_up or 0)}
    return figures


def start_totals(house_ids, since: datetime) -> dict[str, int]:
    """All report starts in `house_ids` since `since`, and how many were reported."""
    house_ids = list(house_ids)
    if not house_ids:
        return {"started": 0, "reported": 0}
    started, reported = db.session.execute(
        sa.select(sa.func.count(), sa.func.count(ReportStart.reported_at))
        .where(ReportStart.house_id.in_(house_ids), ReportStart.created_at >= since)).one()
    return {"started": int(started), "reported": int(reported)}


DEMO_TIPS = {
    Category.ELECTRICAL: "Check whether the breaker in your room's box has tripped: switch it fully off, then on.\n"
                         "Try the plug-point's own switch, and another socket.",
    Category.PLUMBING: "A blocked basin or shower: try the plunger first.\n"
                       "A running toilet: lift the lid and check that the float is not stuck.",
    Category.INTERNET: "Forget the network on your device and join it again.\n"
                       "Check the house notice board for planned outages.",
}


def seed_demo_tips() -> None:
    """Tips for a few categories (`flask seed-demo`); the caller commits."""
    for category, body in DEMO_TIPS.items():
        if db.session.get(SelfHelpTip, category) is None:
            db.session.add(SelfHelpTip(category=category, body=body))
