"""The admin issue queue: filters from the query string, one query for the page, one for the counts, CSV export."""
import csv
import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from app.converters import whole_number
from app.extensions import db
from app.issues import targets
from app.labels import STATUS
from app.models.accounts import User
from app.models.base import utcnow
from app.models.houses import CommonArea, House, Room
from app.models.issues import OPEN_STATUSES, Category, Issue, IssueStatus, Urgency
from app.text import safe_cell

PAGE_SIZE = 50
OLD_AFTER = timedelta(days=7)
AGE_CHOICES = {"": _l("Any age"), "1": _l("Older than 1 day"), "3": _l("Older than 3 days"),
               "7": _l("Older than a week"), "14": _l("Older than 2 weeks"), "30": _l("Older than a month")}
# The status filter's choices, as the queue's counts show them (open: reported, in progress or on hold)
STATUS_CHOICES = {"open": _l("Open"), "all": _l("All"), **{s.value: label for s, label in STATUS.items()}}
SORTS = {
    "newest": (Issue.created_at.desc(), Issue.id.desc()),
    "oldest": (Issue.created_at.asc(), Issue.id.asc()),
    "urgent": (sa.case((Issue.urgency == Urgency.URGENT, 0), else_=1), Issue.created_at.asc(), Issue.id.asc()),
    "updated": (Issue.updated_at.desc(), Issue.id.desc()),
    # Nearest deadline first; issues without one (closed) last. Deadlines are kept on the issue (targets.py).
    "due": (Issue.next_due_at.is_(None), Issue.next_due_at.asc(), Issue.id.asc()),
}
SORT_LABELS = {"newest": _l("Newest first"), "oldest": _l("Oldest first"), "urgent": _l("Urgent first"),
               "updated": _l("Recently updated"), "due": _l("Nearest deadline")}


@dataclass
class QueueFilters:
    """The queue's filters, read leniently from request.args: unknown values fall back to the default."""

    house_ids: list[int]
    status: str = "open"
    category: str = ""
    urgency: str = ""
    house: str = ""
    age: str = ""
    assignee: str = ""  # "" anyone, "none" unassigned, or the id of a staff member of the admin's houses
    q: str = ""
    sort: str = "newest"
    overdue: bool = False
    page: int = 1
    problems: list[str] = field(default_factory=list)

    @classmethod
    def from_args(cls, args, house_ids: list[int], staff_ids=()) -> "QueueFilters":
        f = cls(house_ids=house_ids)
        f.status = args.get("status", "open") if args.get("status", "open") in STATUS_CHOICES else "open"
        f.category = args.get("category", "") if args.get("category", "") in {c.value for c in Category} else ""
        f.urgency = args.get("urgency", "") if args.get("urgency", "") in {u.value for u in Urgency} else ""
        house = whole_number(args.get("house", ""))
        f.house = str(house) if house in house_ids else ""
        f.age = args.get("age", "") if args.get("age", "") in AGE_CHOICES else ""
        staff_id = whole_number(args.get("assignee", ""))
        f.assignee = "none" if args.get("assignee") == "none" else str(staff_id) if staff_id in staff_ids else ""
        f.q = args.get("q", "").strip()[:100]
        f.sort = args.get("sort", "newest") if args.get("sort", "newest") in SORTS else "newest"
        f.overdue = args.get("overdue", "") == "1"
        f.page = max(1, whole_number(args.get("page", "1"), 10_000) or 1)
        return f

    def args(self, **changes) -> dict:
        values = {"status": self.status, "category": self.category, "urgency": self.urgency,
                  "house": self.house, "age": self.age, "assignee": self.assignee, "q": self.q, "sort": self.sort,
                  "overdue": "1" if self.overdue else "", **changes}
        return {k: v for k, v in values.items() if v not in ("", None)}

    def conditions(self, with_status: bool = True, with_overdue: bool = True) -> list:
        houses = [int(self.house)] if self.house else self.house_ids
        where = [Issue.house_id.in_(houses)]
        if with_overdue and self.overdue:
            where.append(Issue.next_due_at <= utcnow())  # only open issues have a next deadline
        if with_status and self.status == "open":
            where.append(Issue.status.in_(OPEN_STATUSES))
        elif with_status and self.status != "all":
            where.append(Issue.status == IssueStatus(self.status))
        if self.category:
            where.append(Issue.category == Category(self.category))
        if self.urgency:
            where.append(Issue.urgency == Urgency(self.urgency))
        if self.assignee:
            where.append(Issue.assignee_id.is_(None) if self.assignee == "none"
                         else Issue.assignee_id == int(self.assignee))
        if self.age:
            where.append(Issue.created_at <= utcnow() - timedelta(days=int(self.age)))
        if self.q:
            text = sa.or_(Issue.title.icontains(self.q, autoescape=True),
                          Issue.description.icontains(self.q, autoescape=True))
            issue_id = whole_number(self.q.removeprefix("#"))
            where.append(text if issue_id is None else sa.or_(text, Issue.id == issue_id))
        return where


def _with_relations(query):
    return query.options(joinedload(Issue.house), joinedload(Issue.room), joinedload(Issue.common_area),
                         joinedload(Issue.reporter), joinedload(Issue.assignee))


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One line of the queue with what it shows already worked out, so the template only prints."""

    id: int
    url: str
    title: str
    category: Category
    status: IssueStatus
    urgency: Urgency
    house: str
    location: str
    assignee: str | None
    created_at: datetime
    next_due_at: datetime | None
    due: targets.Standing | None
    old: bool

    @property
    def css(self) -> str:
        """The row's classes: urgent (while open) and old stand out."""
        urgent = "is-urgent" if self.urgency == Urgency.URGENT and self.status in OPEN_STATUSES else ""
        return urgent + (" is-old" if self.old else "")


_ROW_COLUMNS = (Issue.id, Issue.title, Issue.category, Issue.status, Issue.urgency, Issue.created_at,
                Issue.next_due_at, Issue.first_response_at, Issue.respond_by, House.name.label("house"),
                Room.number.label("room"), CommonArea.name.label("area"), User.name.label("assignee"))


def page_of_issues(filters: QueueFilters) -> tuple[list[QueueRow], bool]:
    """The current page and whether there is another after it, in one query: the page's ids are picked from the
    indexed columns alone (a derived table), then only those rows are joined to what the page shows."""
    order, page = SORTS[filters.sort], _page_ids(filters)
    query = (sa.select(*_ROW_COLUMNS).select_from(page).join(Issue, Issue.id == page.c.id)
             .join(House, House.id == Issue.house_id).outerjoin(Room, Room.id == Issue.room_id)
             .outerjoin(CommonArea, CommonArea.id == Issue.common_area_id)
             .outerjoin(User, User.id == Issue.assignee_id).order_by(*order))
    now, link = utcnow(), link_maker("admin.issue_detail", "issue_id")
    rows = [QueueRow(
        id=r.id, url=link(r.id), title=r.title, category=r.category, status=r.status, urgency=r.urgency,
        house=r.house, location=r.area if r.area is not None else _room(r.room),
        assignee=r.assignee, created_at=r.created_at,
        next_due_at=r.next_due_at, due=targets.standing(r, now),
        old=is_old(r, now)) for r in db.session.execute(query)]
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def _room(number: str | None) -> str:
    return _("Room %(number)s", number=number) if number is not None else _("Room")


def _page_ids(filters: QueueFilters):
    """The ids of the page and one more, in the sort's order (a derived table)."""
    where, offset, size = filters.conditions(), (filters.page - 1) * PAGE_SIZE, PAGE_SIZE + 1
    if filters.sort != "due":
        return sa.select(Issue.id).where(*where).order_by(*SORTS[filters.sort]).limit(size).offset(offset).subquery()
    # Those with a deadline, then those without: each part is read in the order of the (house, deadline) index
    # and cut at the page's end, rather than every open issue of the house being sorted.
    parts = [sa.select(Issue.id, Issue.next_due_at).where(*where, has).order_by(*by).limit(offset + size)
             .subquery().select() for has, by in ((Issue.next_due_at.is_not(None), (Issue.next_due_at, Issue.id)),
                                                  (Issue.next_due_at.is_(None), (Issue.id,)))]
    both = sa.union_all(*parts).subquery()
    return (sa.select(both.c.id).order_by(both.c.next_due_at.is_(None), both.c.next_due_at, both.c.id)
            .limit(size).offset(offset).subquery())


def link_maker(endpoint: str, key: str):
    """A function giving url_for(endpoint, key=value) for any value, with the route built once (per page, not
    per row)."""
    marker = "2147483647"
    head, _, tail = url_for(endpoint, **{key: int(marker)}).partition(marker)
    return lambda value: f"{head}{value}{tail}"


def status_counts(filters: QueueFilters) -> dict[str, int]:
    """How many issues per status match every filter but the status one, and under "overdue" how many of the
    chosen status are past their nearest deadline (whether or not that filter is on): one pass over the index."""
    late = sa.func.sum(sa.case((Issue.next_due_at <= utcnow(), 1), else_=0))
    rows = db.session.execute(
        sa.select(Issue.status, sa.func.count(), late).where(*filters.conditions(with_status=False, with_overdue=False))
        .group_by(Issue.status)).all()
    counts = {s.value: 0 for s in IssueStatus}
    overdue = dict(counts)
    for status, count, past in rows:
        counts[status.value], overdue[status.value] = count, int(past or 0)
    counts, overdue = _with_totals(counts), _with_totals(overdue)
    return {**(overdue if filters.overdue else counts), "overdue": overdue[filters.status]}


def _with_totals(per_status: dict[str, int]) -> dict[str, int]:
    return {**per_status, "open": sum(per_status[s.value] for s in OPEN_STATUSES),
            "all": sum(per_status[s.value] for s in IssueStatus)}


def is_old(issue: Issue, now: datetime | None = None) -> bool:
    return issue.status in OPEN_STATUSES and (now or utcnow()) - issue.created_at > OLD_AFTER


CSV_HEADER = ["id", "house", "status", "category", "urgency", "location", "title", "description", "reporter",
              "assignee", "enter_permission", "created_at", "updated_at", "resolved_at", "rating"]


def csv_rows(filters: QueueFilters):
    """Yield the CSV export of every matching issue (all pages), a chunk of lines at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    query = _with_relations(sa.select(Issue).where(*filters.conditions()).order_by(*SORTS[filters.sort]))
    for count, issue in enumerate(db.session.scalars(query).unique(), start=1):
        writer.writerow([safe_cell(v) for v in (
            issue.id, issue.house.name, issue.status.value, issue.category.value, issue.urgency.value,
            issue.location_label, issue.title, issue.description, issue.reporter.email,
            issue.assignee.email if issue.assignee else "", "yes" if issue.enter_permission else "no",
            issue.created_at.isoformat(timespec="seconds"),
            issue.updated_at.isoformat(timespec="seconds"),
            issue.resolved_at.isoformat(timespec="seconds") if issue.resolved_at else "", issue.rating or "")])
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
