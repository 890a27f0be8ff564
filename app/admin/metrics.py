"""Figures for /admin/metrics: per house and category, issues opened and fixed per week, median times to first
response and to fix, shares within target and the average rating, over the last N weeks.

Each figure belongs to the week its event happened in: opened by created_at, fixed (status resolved; won't fix
is not a fix) by resolved_at, responded by first_response_at. "Within target" compares with the deadlines kept
on each issue by app/issues/targets.py (fix_by already includes time on hold); issues stored before targets
existed have none and are left out of those shares. Everything is read from the period's week rows (IssueWeek,
kept by app/issues/weekly.py as issues change): a few hundred rows however many issues, the medians picked in
Python from the rows' packed times.
"""
import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import pgettext

from app.admin.labels import category_label
from app.converters import whole_number
from app.extensions import db
from app.issues import weekly
from app.models.base import utcnow
from app.models.houses import House
from app.models.issues import Category, IssueWeek
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
                f.problems.append(_("That category does not exist: showing every category."))
        raw = args.get("weeks", "")
        if raw:
            weeks = whole_number(raw, MAX_WEEKS)
            if weeks:
                f.weeks = weeks
            else:
                f.problems.append(_("The period must be 1 to %(max)d weeks: showing the last %(default)d.",
                                    max=MAX_WEEKS, default=DEFAULT_WEEKS))
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

    @property
    def house_shown(self) -> str:
        """house_label as the page shows it (the CSV keeps the English labels: values stay data)."""
        return self.house.name if self.house else _("All houses")

    @property
    def category_shown(self) -> str:
        return category_label(self.category) if self.category else _("All categories")

    def args(self) -> dict:
        values = {"house": self.house.slug if self.house else "", "category": self.category or "",
                  "weeks": self.weeks}
        return {k: str(v) for k, v in values.items() if v}


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
    kind: Category | None = None  # the category of a house's row (None for the total)

    COUNTS = weekly.COUNTS  # the fields above, in this order

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


def _median(packed: list[bytes]) -> timedelta | None:
    """The median of the packed times (microseconds), to the second; None when there are none."""
    times = sorted(weekly.unpack(b"".join(packed)))
    if not times:
        return None
    middle = times[(len(times) - 1) // 2:len(times) // 2 + 1]
    return timedelta(seconds=round(sum(middle) / len(middle) / 1e6))


def _week_rows(filters: Filters, start: datetime, weeks: int) -> tuple[dict, list[Week], Row]:
    """{(house_id, category): Row}, the opened and fixed per week, and the selection's total, from the week rows
    of the period (one query; the medians from the rows' packed times)."""
    series = [Week((start + timedelta(weeks=n)).date()) for n in range(weeks)]
    where = [IssueWeek.house_id.in_(filters.house_ids), IssueWeek.week >= start.date()]
    if filters.category:
        where.append(IssueWeek.category == filters.category)
    columns = [getattr(IssueWeek, name) for name in Row.COUNTS]
    rows: dict = {}
    times: dict = {}
    for house_id, category, week, fix_times, response_times, *counts in db.session.execute(
            sa.select(IssueWeek.house_id, IssueWeek.category, IssueWeek.week, IssueWeek.fix_times,
                      IssueWeek.response_times, *columns).where(*where)):
        key = (house_id, Category(category))
        row = rows.setdefault(key, Row("", ""))
        row.add(Row("", "", *counts))
        # events after this week (clocks ahead) count in the last week, as they did
        shown = series[min(weeks - 1, (week - series[0].start).days // 7)]
        shown.opened, shown.fixed = shown.opened + counts[0], shown.fixed + counts[1]
        times.setdefault(("fix", *key), []).append(fix_times)
        times.setdefault(("response", *key), []).append(response_times)
    rows = {key: row for key, row in rows.items() if row.opened or row.fixed or row.responded}  # not emptied ones
    total = Row(filters.house_label, filters.category_label)
    for key, row in rows.items():
        row.median_fix, row.median_response = _median(times[("fix", *key)]), _median(times[("response", *key)])
        total.add(row)
    total.median_fix = _median([part for key in rows for part in times[("fix", *key)]])
    total.median_response = _median([part for key in rows for part in times[("response", *key)]])
    return rows, series, total


def compute(filters: Filters, now: datetime | None = None) -> Metrics:
    """Every figure of the page for `filters`, as of `now`."""
    now = now or utcnow()
    start = period_start(now, filters.weeks)
    found, weeks, total = _week_rows(filters, start, filters.weeks)
    names = {h.id: h.name for h in filters.houses}
    order = {c: n for n, c in enumerate(Category)}
    rows = []
    for key in sorted(found, key=lambda k: (names.get(k[0], ""), order[k[1]])):
        row = found[key]
        row.house, row.category, row.kind = names.get(key[0], ""), key[1].label, key[1]
        rows.append(row)
    return Metrics(filters, start, now, rows, total, weeks)


def hours(span: timedelta | None) -> str:
    return "" if span is None else f"{span.total_seconds() / 3600:.2f}"


def percent(share: float | None) -> str:
    return "" if share is None else f"{share * 100:.0f}"


CSV_HEADER = ["house", "category", "from", "to", "opened", "fixed", "median_first_response_hours",
              "median_fix_hours", "responded_within_target_percent", "fixed_within_target_percent",
              "average_rating", "ratings"]


def csv_header() -> list[str]:
    """CSV_HEADER in the language spoken (English: CSV_HEADER itself)."""
    return [pgettext("metrics CSV column", "house"), pgettext("metrics CSV column", "category"),
            pgettext("metrics CSV column", "from"), pgettext("metrics CSV column", "to"),
            pgettext("metrics CSV column", "opened"), pgettext("metrics CSV column", "fixed"),
            pgettext("metrics CSV column", "median_first_response_hours"),
            pgettext("metrics CSV column", "median_fix_hours"),
            pgettext("metrics CSV column", "responded_within_target_percent"),
            pgettext("metrics CSV column", "fixed_within_target_percent"),
            pgettext("metrics CSV column", "average_rating"), pgettext("metrics CSV column", "ratings")]


def csv_text(metrics: Metrics) -> str:
    """The page's figures as CSV: a row per house and category and the selection's total for the whole period,
    then the selection's opened and fixed per week. Every cell is spreadsheet-safe (house names are typed)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(csv_header())
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
