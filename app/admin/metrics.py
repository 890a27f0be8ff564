"""Figures for /admin/metrics: per house and category, issues opened and fixed per week, median times to first
response and to fix, shares within target and the average rating, over the last N weeks.

Each figure belongs to the week its event happened in: opened by created_at, fixed (status resolved; won't fix
is not a fix) by resolved_at, responded by first_response_at. "Within target" compares with the deadlines kept
on each issue by app/issues/targets.py (fix_by already includes time on hold); issues stored before targets
existed have none and are left out of those shares. Counts are SQL GROUP BYs; medians are picked in SQL with
ROW_NUMBER()/COUNT() windows (SQLite 3.25+, MariaDB 10.2+), so no more than two rows per group come back.
"""
import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from app.converters import whole_number
from app.extensions import db
from app.issues.targets import duration
from app.models.base import utcnow
from app.models.houses import House
from app.models.issues import Category, Issue, IssueStatus
from app.text import safe_cell

WEEK_CHOICES = (4, 12, 26, 52)
DEFAULT_WEEKS = 12
MAX_WEEKS = 52


class UnknownHouse(LookupError):
    """The house filter names no house among the user's."""


@dataclass
class Filters:
    """The page's filters, read leniently from request.args: bad values fall back, with a message in `problems`,
    except a house that is not among `houses` (UnknownHouse: the route answers 404)."""

    houses: list[House]
    house: House | None = None
    category: Category | None = None
    weeks: int = DEFAULT_WEEKS
    problems: list[str] = field(default_factory=list)

    @classmethod
    def from_args(cls, args, houses: list[House]) -> "Filters":
        f = cls(houses=houses)
        slug = args.get("house", "")
        if slug:
            f.house = next((h for h in houses if h.slug == slug), None)
            if f.house is None:
                raise UnknownHouse(slug)
        category = args.get("category", "")
        if category:
            f.category = next((c for c in Category if c.value == category), None)
            if f.category is None:
                f.problems.append("That category does not exist: showing every category.")
        raw = args.get("weeks", "")
        if raw:
            weeks = whole_number(raw, MAX_WEEKS)
            if weeks:
                f.weeks = weeks
            else:
                f.problems.append(f"The period must be 1 to {MAX_WEEKS} weeks: showing the last {DEFAULT_WEEKS}.")
        return f

    @property
    def house_ids(self) -> list[int]:
        return [self.house.id] if self.house else [h.id for h in self.houses]

    @property
    def house_label(self) -> str:
        return self.house.name if self.house else "All houses"

    @property
    def category_label(self) -> str:
        return self.category.label if self.category else "All categories"

    def args(self) -> dict:
        values = {"house": self.house.slug if self.house else "", "category": self.category or "",
                  "weeks": self.weeks}
        return {k: str(v) for k, v in values.items() if v}

    def conditions(self) -> list:
        where = [Issue.house_id.in_(self.house_ids)]
        if self.category:
            where.append(Issue.category == self.category)
        return where


@dataclass
class Row:
    """The period's figures for one house and category (or, with both None, the whole selection)."""

    house: str
    category: str
    opened: int = 0
    fixed: int = 0
    fixed_with_target: int = 0
    fixed_on_time: int = 0
    responded: int = 0
    responded_with_target: int = 0
    responded_on_time: int = 0
    rating_sum: int = 0
    ratings: int = 0
    median_response: timedelta | None = None
    median_fix: timedelta | None = None

    COUNTS = ("opened", "fixed", "fixed_with_target", "fixed_on_time", "responded", "responded_with_target",
              "responded_on_time", "rating_sum", "ratings")

    def add(self, other: "Row") -> None:
        for name in self.COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def fixed_share(self) -> float | None:
        return self.fixed_on_time / self.fixed_with_target if self.fixed_with_target else None

    @property
    def response_share(self) -> float | None:
        return self.responded_on_time / self.responded_with_target if self.responded_with_target else None

    @property
    def average_rating(self) -> float | None:
        return self.rating_sum / self.ratings if self.ratings else None


@dataclass
class Week:
    start: date
    opened: int = 0
    fixed: int = 0


@dataclass
class Metrics:
    filters: Filters
    start: datetime
    end: datetime
    rows: list[Row]
    total: Row
    weeks: list[Week]


def period_start(now: datetime, weeks: int) -> datetime:
    """Monday 00:00 (UTC) of the oldest of the last `weeks` weeks, the current one included."""
    monday = datetime.combine(now.date() - timedelta(days=now.weekday()), datetime.min.time())
    return monday - timedelta(weeks=weeks - 1)


def _seconds(dialect: str, start, end):
    """SQL for the seconds from `start` to `end` (the one place that differs between SQLite and MariaDB)."""
    if dialect == "sqlite":
        return (sa.func.julianday(end) - sa.func.julianday(start)) * 86400.0
    return sa.func.timestampdiff(sa.text("MICROSECOND"), start, end) / 1e6


def _week_of(column, start: datetime, weeks: int):
    """SQL for the week index (0 = oldest) of `column`, compared as datetimes: portable and exact."""
    return sa.case(*[(column < start + timedelta(weeks=n), n - 1) for n in range(1, weeks + 1)], else_=weeks - 1)


def _grouped(filters: Filters, column, start: datetime, weeks: int, figures: list, *where):
    """(house_id, category, week index, *figures) per group and week of `column`, from `start` on: one range of
    that column's metrics index (migration 0017), read without touching the rows."""
    week = _week_of(column, start, weeks)
    return db.session.execute(
        sa.select(Issue.house_id, Issue.category, week, *figures)
        .where(*filters.conditions(), column >= start, *where)
        .group_by(Issue.house_id, Issue.category, week))


def _counts(filters: Filters, start: datetime, weeks: int) -> tuple[dict, list[Week]]:
    """{(house_id, category): Row} of the counts, and the opened and fixed per week of the whole selection."""
    series = [Week((start + timedelta(weeks=n)).date()) for n in range(weeks)]
    rows: dict = {}

    def row(house_id, category) -> Row:
        return rows.setdefault((house_id, Category(category)), Row("", ""))

    def whole(value) -> int:
        return int(value or 0)

    for house_id, category, week, opened in _grouped(filters, Issue.created_at, start, weeks, [sa.func.count()]):
        row(house_id, category).opened += whole(opened)
        series[int(week)].opened += whole(opened)
    on_time = sa.func.sum(sa.case((Issue.resolved_at <= Issue.fix_by, 1), else_=0))
    for house_id, category, week, fixed, with_target, in_time, rating_sum, ratings in _grouped(
            filters, Issue.resolved_at, start, weeks,
            [sa.func.count(), sa.func.count(Issue.fix_by), on_time, sa.func.sum(Issue.rating),
             sa.func.count(Issue.rating)], Issue.status == IssueStatus.RESOLVED):
        found = row(house_id, category)
        found.fixed += whole(fixed)
        found.fixed_with_target += whole(with_target)
        found.fixed_on_time += whole(in_time)
        found.rating_sum += whole(rating_sum)
        found.ratings += whole(ratings)
        series[int(week)].fixed += whole(fixed)
    on_time = sa.func.sum(sa.case((Issue.first_response_at <= Issue.respond_by, 1), else_=0))
    for house_id, category, _, responded, with_target, in_time in _grouped(
            filters, Issue.first_response_at, start, 1,
            [sa.func.count(), sa.func.count(Issue.respond_by), on_time]):
        found = row(house_id, category)
        found.responded += whole(responded)
        found.responded_with_target += whole(with_target)
        found.responded_on_time += whole(in_time)
    return rows, series


def _medians(filters: Filters, start: datetime) -> dict:
    """{(measure, house_id, category): median, (measure, None, None): the selection's median} of the time from the
    report to the first response ("response") and to the fix ("fix"), over those that happened from `start` on.

    One statement of four parts: the groups and the total are separate parts because MariaDB 10.11 numbers a
    second, unpartitioned ROW_NUMBER() in the first one's order (tests/admin/test_metrics.py on MariaDB)."""
    connection = db.session.connection()
    measures = {"response": (Issue.first_response_at, Issue.first_response_at >= start),
                "fix": (Issue.resolved_at, sa.and_(Issue.resolved_at >= start, Issue.status == IssueStatus.RESOLVED))}
    parts = []
    for measure, (until, condition) in measures.items():
        seconds = _seconds(connection.dialect.name, Issue.created_at, until)
        for group in ((Issue.house_id, Issue.category), ()):
            ranked = sa.select(
                Issue.house_id, Issue.category, seconds.label("seconds"),
                sa.func.row_number().over(partition_by=group or None, order_by=seconds).label("rank"),
                sa.func.count().over(partition_by=group or None).label("size"),
            ).where(*filters.conditions(), condition).subquery()
            # the one or two middle rows: 2 * rank in [size, size + 2] (no division, whose rounding differs)
            parts.append(sa.select(sa.literal(f"{measure}-{'group' if group else 'all'}"), ranked.c.house_id,
                                   ranked.c.category, ranked.c.seconds)
                         .where(2 * ranked.c.rank >= ranked.c.size, 2 * ranked.c.rank <= ranked.c.size + 2))
    found: dict = {}
    for part, house_id, category, value in connection.execute(sa.union_all(*parts)):
        measure, _, level = part.partition("-")
        key = (measure, house_id, Category(category)) if level == "group" else (measure, None, None)
        found.setdefault(key, []).append(float(value))
    # to the second: SQLite's julianday() is exact to about a millisecond only
    return {key: timedelta(seconds=round(sum(values) / len(values))) for key, values in found.items()}


def compute(filters: Filters, now: datetime | None = None) -> Metrics:
    """Every figure of the page for `filters`, as of `now`."""
    now = now or utcnow()
    start = period_start(now, filters.weeks)
    counts, weeks = _counts(filters, start, filters.weeks)
    medians = _medians(filters, start)
    names = {h.id: h.name for h in filters.houses}
    order = {c: n for n, c in enumerate(Category)}
    rows, total = [], Row(filters.house_label, filters.category_label)
    for key in sorted(counts, key=lambda k: (names.get(k[0], ""), order[k[1]])):
        row = counts[key]
        row.house, row.category = names.get(key[0], ""), key[1].label
        row.median_response, row.median_fix = medians.get(("response", *key)), medians.get(("fix", *key))
        total.add(row)
        rows.append(row)
    total.median_response = medians.get(("response", None, None))
    total.median_fix = medians.get(("fix", None, None))
    return Metrics(filters, start, now, rows, total, weeks)


def hours(span: timedelta | None) -> str:
    return "" if span is None else f"{span.total_seconds() / 3600:.2f}"


def percent(share: float | None) -> str:
    return "" if share is None else f"{share * 100:.0f}"


def shown_duration(span: timedelta | None) -> str:
    return "–" if span is None else duration(span)


CSV_HEADER = ["house", "category", "from", "to", "opened", "fixed", "median_first_response_hours",
              "median_fix_hours", "responded_within_target_percent", "fixed_within_target_percent",
              "average_rating", "ratings"]


def csv_text(metrics: Metrics) -> str:
    """The page's figures as CSV: a row per house and category and the selection's total for the whole period,
    then the selection's opened and fixed per week. Every cell is spreadsheet-safe (house names are typed)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    first, last = metrics.start.date().isoformat(), metrics.end.date().isoformat()
    for row in [*metrics.rows, metrics.total]:
        writer.writerow([safe_cell(v) for v in (
            row.house, row.category, first, last, row.opened, row.fixed, hours(row.median_response),
            hours(row.median_fix), percent(row.response_share), percent(row.fixed_share),
            "" if row.average_rating is None else f"{row.average_rating:.2f}", row.ratings)])
    for week in metrics.weeks:
        until = min(week.start + timedelta(days=6), metrics.end.date())
        writer.writerow([safe_cell(v) for v in (
            metrics.total.house, metrics.total.category, week.start.isoformat(), until.isoformat(), week.opened,
            week.fixed, "", "", "", "", "", "")])
    return out.getvalue()
