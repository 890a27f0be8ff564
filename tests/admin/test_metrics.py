"""/admin/metrics and its CSV: figures against hand-computed expectations on a small hand-built data set (fixed
times, ratings, a category's own targets, a pause on hold, an issue stored before targets existed), who sees
which houses, CSV-safe cells and odd query strings."""
import csv
import io
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from app.admin import metrics
from app.extensions import db
from app.issues import targets
from app.models import Role
from app.models.issues import Category, EventKind, Issue, IssueEvent, IssueStatus, ResponseTarget, Urgency

NOW = datetime(2026, 11, 26, 12, 0)  # a Thursday; the last 4 weeks start on Monday 2 November
START = datetime(2026, 11, 2)


def tip_row(category: str, chosen: int, shown: int, gave_up: int) -> str:
    """A row of the tip figures table as the page writes it."""
    return (f'<th scope="row">{category}</th><td data-label="Chosen">{chosen}</td>'
            f'<td data-label="Tip shown">{shown}</td><td data-label="Gave up after tip">{gave_up}</td>')


def at(day: int, hour: int = 0, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute)


@pytest.fixture
def clock(monkeypatch):
    monkeypatch.setattr(metrics, "utcnow", lambda: NOW)


@pytest.fixture
def add_issue(app):
    """add_issue(reporter, created, responded_after=hours, fixed_after=hours, ...) -> id; the deadlines are set
    by targets.py as for any stored issue (`hold`: on hold from..to, in hours after the report)."""

    def add(reporter, created, category="plumbing", responded_after=None, fixed_after=None, status=None,
            rating=None, hold=None, no_targets=False, house_id=None):
        with app.app_context():
            hours = timedelta(hours=1)
            resolved = created + fixed_after * hours if fixed_after is not None else None
            issue = Issue(house_id=house_id or reporter.house_id, reporter_id=reporter.id, category=category,
                          title="Leaking tap", description="It drips.",
                          status=IssueStatus(status or ("resolved" if resolved else "reported")),
                          created_at=created, updated_at=created, resolved_at=resolved, rating=rating,
                          first_response_at=created + responded_after * hours if responded_after else None)
            db.session.add(issue)
            db.session.flush()
            if hold:
                for when, to in ((hold[0], IssueStatus.ON_HOLD), (hold[1], IssueStatus.IN_PROGRESS),
                                 (fixed_after, IssueStatus.RESOLVED)):
                    db.session.add(IssueEvent(issue=issue, kind=EventKind.STATUS, to_status=to,
                                              created_at=created + when * hours))
                db.session.flush()
                targets.refresh(issue, now=resolved)
            if no_targets:  # stored before targets existed
                issue.respond_by = issue.fix_by = None
            db.session.commit()
            return issue.id

    return add


@pytest.fixture
def data(app, make_house, make_user, add_issue):
    """Acacia: six plumbing issues (default targets 48 h / 168 h), one electrical (its own 24 h / 72 h);
    Birch: one plumbing issue. The expectations in the tests below are worked out by hand from these."""
    with app.app_context():
        db.session.add(ResponseTarget(category=Category.ELECTRICAL, urgency=Urgency.NORMAL, response_hours=24,
                                      fix_hours=72))
        db.session.commit()
    acacia, birch = make_house("acacia"), make_house("birch")
    a, b = make_user(Role.STUDENT, house=acacia), make_user(Role.STUDENT, house=birch)
    add_issue(a, at(2, 10), responded_after=2, fixed_after=30, rating=4)      # on time, on time
    add_issue(a, at(3, 9), responded_after=60, fixed_after=200, rating=2)     # late, late
    add_issue(a, at(10, 8), responded_after=10, fixed_after=216, rating=5,    # 3 days on hold: fix_by 240 h
              hold=(24, 96))
    add_issue(a, at(24, 9))                                                   # open, no response
    add_issue(a, at(20, 10, month=10), responded_after=24, fixed_after=360)  # reported before the period
    add_issue(a, at(5, 10), responded_after=1, fixed_after=24, status="wont_fix")  # not a fix
    add_issue(a, at(6, 10), fixed_after=24, no_targets=True)                  # no deadlines: not in the shares
    add_issue(a, at(17, 10), category="electrical", responded_after=30, fixed_after=50, rating=3)
    add_issue(b, at(18, 10), responded_after=1, fixed_after=5, rating=1)
    return acacia, birch


def figures(app, args: dict, houses: str = "acacia") -> metrics.Metrics:
    from app.models.houses import House
    with app.app_context():
        found = list(db.session.scalars(sa.select(House).where(House.slug.in_(houses.split(",")))
                                        .order_by(House.name)))
        return metrics.compute(metrics.Filters.from_args(args, found), now=NOW)


def test_the_hold_moved_the_fix_deadline(app, data):
    with app.app_context():
        held = db.session.scalar(sa.select(Issue).where(Issue.created_at == at(10, 8)))
        assert held.fix_by == at(10, 8) + timedelta(hours=168 + 72)


def test_figures_per_house_and_category(app, data):
    result = figures(app, {"weeks": "4"})
    assert result.start == START
    plumbing, electrical = result.rows
    assert (plumbing.house, plumbing.category) == ("Acacia House", "Plumbing")
    assert (plumbing.opened, plumbing.fixed) == (6, 5)
    assert plumbing.median_fix == timedelta(hours=200)  # 24, 30, 200, 216, 360
    assert plumbing.median_response == timedelta(hours=6)  # 1, 2, 10, 60: between 2 and 10
    assert (plumbing.fixed_on_time, plumbing.fixed_with_target) == (2, 4)
    assert (plumbing.responded_on_time, plumbing.responded_with_target) == (3, 4)
    assert plumbing.average_rating == pytest.approx(11 / 3) and plumbing.ratings == 3
    assert (electrical.opened, electrical.fixed) == (1, 1)
    assert electrical.median_response == timedelta(hours=30)
    assert (electrical.responded_on_time, electrical.responded_with_target) == (0, 1)  # its own 24 h target
    assert (electrical.fixed_on_time, electrical.fixed_with_target) == (1, 1)


def test_the_total_is_over_every_issue_of_the_selection(app, data):
    total = figures(app, {"weeks": "4"}).total
    assert (total.house, total.category, total.opened, total.fixed) == ("All houses", "All categories", 7, 6)
    assert total.median_fix == timedelta(hours=125)  # 24, 30, 50, 200, 216, 360
    assert total.median_response == timedelta(hours=10)  # 1, 2, 10, 30, 60
    assert (total.fixed_share, total.response_share, total.average_rating) == (0.6, 0.6, 3.5)


def test_opened_and_fixed_per_week(app, data):
    weeks = figures(app, {"weeks": "4"}).weeks
    assert [w.start.isoformat() for w in weeks] == ["2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23"]
    assert [(w.opened, w.fixed) for w in weeks] == [(4, 3), (1, 1), (1, 2), (1, 0)]


def test_week_edges(app, make_house, make_user, add_issue):
    a = make_user(Role.STUDENT, house=make_house("acacia"))
    add_issue(a, START - timedelta(microseconds=1))
    add_issue(a, START)
    add_issue(a, at(9) - timedelta(seconds=1))
    add_issue(a, at(9))
    assert [w.opened for w in figures(app, {"weeks": "4"}).weeks] == [2, 1, 0, 0]
    assert [w.opened for w in figures(app, {"weeks": "5"}).weeks] == [1, 2, 1, 0, 0]


def test_filters_by_category_and_house(app, data):
    result = figures(app, {"weeks": "4", "category": "electrical"}, houses="acacia,birch")
    assert [(r.house, r.category) for r in result.rows] == [("Acacia House", "Electrical")]
    both = figures(app, {"weeks": "4"}, houses="acacia,birch")
    assert [(r.house, r.category) for r in both.rows] == [
        ("Acacia House", "Plumbing"), ("Acacia House", "Electrical"), ("Birch House", "Plumbing")]
    assert (both.total.opened, both.total.fixed) == (8, 7)
    assert both.total.median_fix == timedelta(hours=50)  # 5, 24, 30, 50, 200, 216, 360
    assert both.total.median_response == timedelta(hours=6)  # 1, 1, 2, 10, 30, 60
    birch = figures(app, {"weeks": "4", "house": "birch"}, houses="acacia,birch")
    assert [(r.house, r.opened) for r in birch.rows] == [("Birch House", 1)]
    assert birch.total.house == "Birch House"


def test_the_period_counts_back_from_this_week(app, data):
    one = figures(app, {"weeks": "1"})
    assert one.start == at(23) and (one.total.opened, one.total.fixed) == (1, 0)
    year = figures(app, {"weeks": "52"})
    assert len(year.weeks) == 52 and (year.total.opened, year.total.fixed) == (8, 6)


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_the_csv_has_the_page_figures(client, login, make_user, data, clock):
    acacia, _ = data
    login(make_user(Role.ADMIN, admin_of=[acacia]))
    rows = rows_of(client.get("/admin/metrics.csv?weeks=4"))
    assert rows[0] == metrics.CSV_HEADER
    assert rows[1:] == [
        ["Acacia House", "Plumbing", "2026-11-02", "2026-11-26", "6", "5", "6.00", "200.00", "75", "50", "3.67", "3"],
        ["Acacia House", "Electrical", "2026-11-02", "2026-11-26", "1", "1", "30.00", "50.00", "0", "100", "3.00",
         "1"],
        ["All houses", "All categories", "2026-11-02", "2026-11-26", "7", "6", "10.00", "125.00", "60", "60", "3.50",
         "4"],
        ["All houses", "All categories", "2026-11-02", "2026-11-08", "4", "3", "", "", "", "", "", ""],
        ["All houses", "All categories", "2026-11-09", "2026-11-15", "1", "1", "", "", "", "", "", ""],
        ["All houses", "All categories", "2026-11-16", "2026-11-22", "1", "2", "", "", "", "", "", ""],
        ["All houses", "All categories", "2026-11-23", "2026-11-26", "1", "0", "", "", "", "", "", ""],
    ]
    electrical = rows_of(client.get("/admin/metrics.csv?weeks=4&category=electrical"))
    assert [r[:6] for r in electrical[1:3]] == [
        ["Acacia House", "Electrical", "2026-11-02", "2026-11-26", "1", "1"],
        ["All houses", "Electrical", "2026-11-02", "2026-11-26", "1", "1"]]


def test_the_page_shows_the_figures_chart_and_table(client, login, make_user, data, clock):
    acacia, _ = data
    login(make_user(Role.ADMIN, admin_of=[acacia]))
    page = client.get("/admin/metrics?weeks=4").get_data(as_text=True)
    assert 'role="img" aria-labelledby="weekly-chart-title weekly-chart-desc"' in page
    assert "<desc id=\"weekly-chart-desc\">7 opened and 6 fixed in 4 weeks from 02 Nov 2026" in page
    assert page.count('<rect class="series-1"') == 4 and page.count('<rect class="series-2"') == 3
    assert "<title>Fixed: 2</title>" in page
    assert ('<th scope="row"><time datetime="2026-11-16">Mon 16 Nov 2026</time></th><td data-label="Opened">1</td>'
            '<td data-label="Fixed">2</td>') in page
    assert "50 % <span class=\"muted\">(2 of 4)</span>" in page  # plumbing fixed within target
    assert "8 d" in page  # the plumbing median fix, 200 h
    assert "Birch" not in page
    assert 'href="/admin/metrics.csv?weeks=4"' in page
    assert 'href="/admin/metrics"' in page  # in the navigation


def test_an_admin_sees_only_their_houses(client, login, make_user, data, clock):
    acacia, birch = data
    login(make_user(Role.ADMIN, admin_of=[acacia]))
    assert client.get("/admin/metrics?house=birch").status_code == 404
    assert client.get("/admin/metrics.csv?house=birch").status_code == 404
    assert client.get("/admin/metrics?house=nowhere").status_code == 404
    rows = rows_of(client.get("/admin/metrics.csv?weeks=4&house=acacia"))
    assert {r[0] for r in rows[1:]} == {"Acacia House"}


def test_a_developer_sees_every_house(client, login, make_user, data, clock):
    login(make_user(Role.DEVELOPER))
    rows = rows_of(client.get("/admin/metrics.csv?weeks=4"))
    assert [r[:2] + r[4:6] for r in rows[1:5]] == [
        ["Acacia House", "Plumbing", "6", "5"], ["Acacia House", "Electrical", "1", "1"],
        ["Birch House", "Plumbing", "1", "1"], ["All houses", "All categories", "8", "7"]]
    page = client.get("/admin/metrics?house=birch").get_data(as_text=True)
    assert "Birch House" in page and 'value="acacia"' in page


def test_csv_cells_are_spreadsheet_safe(client, login, make_user, make_house, add_issue, clock):
    house = make_house("formula", name="=HYPERLINK(\"http://x\")")
    add_issue(make_user(Role.STUDENT, house=house), at(24, 9))
    login(make_user(Role.ADMIN, admin_of=[house]))
    rows = rows_of(client.get("/admin/metrics.csv?weeks=1"))
    assert rows[1][0] == "'=HYPERLINK(\"http://x\")"


@pytest.mark.parametrize("query, message", [
    ("weeks=0", "The period must be 1 to 52 weeks"),
    ("weeks=53", "The period must be 1 to 52 weeks"),
    ("weeks=-4", "The period must be 1 to 52 weeks"),
    ("weeks=%C2%B2", "The period must be 1 to 52 weeks"),
    ("weeks=%00", "The period must be 1 to 52 weeks"),
    ("weeks=" + "9" * 5000, "The period must be 1 to 52 weeks"),
    ("weeks=%EF%BC%94", "The period must be 1 to 52 weeks"),  # a fullwidth 4
    ("category=%00", "That category does not exist"),
    ("category=%0D%0AX:y", "That category does not exist"),
    ("category=" + "x" * 6000, "That category does not exist"),
])
def test_odd_query_strings_fall_back_with_a_message(client, login, make_user, data, clock, query, message):
    acacia, _ = data
    login(make_user(Role.ADMIN, admin_of=[acacia]))
    page = client.get("/admin/metrics?" + query)
    assert page.status_code == 200
    assert message in page.get_data(as_text=True)
    assert client.get("/admin/metrics.csv?" + query).status_code == 200


@pytest.mark.parametrize("house", ["%00", "%0D%0A", "x" * 3000, "%C3%A9", "..%2F"])
def test_odd_house_values_are_404(client, login, make_user, data, house):
    acacia, _ = data
    login(make_user(Role.ADMIN, admin_of=[acacia]))
    assert client.get(f"/admin/metrics?house={house}").status_code == 404


def test_no_issues_at_all(client, login, make_user, house):
    login(make_user(Role.ADMIN, admin_of=[house]))
    page = client.get("/admin/metrics").get_data(as_text=True)
    assert "No issues were opened, answered or fixed in this period." in page
    rows = rows_of(client.get("/admin/metrics.csv"))
    assert rows[1][:6] == ["All houses", "All categories", rows[1][2], rows[1][3], "0", "0"] and len(rows) == 14


def test_the_page_shows_the_tip_figures_of_its_houses_category_and_period(app, client, login, make_user, data,
                                                                           clock):
    from app.models.tips import ReportStart, ReportStartCategory

    acacia, birch = data
    students = {house.id: make_user(Role.STUDENT, house=house).id for house in (acacia, birch)}
    with app.app_context():
        for n, (house, created, reported, chosen) in enumerate([
                (acacia, at(20, 9), None, {"plumbing": True, "electrical": False}),  # gave up after the tip
                (acacia, at(24, 9), at(24, 10), {"plumbing": True}),                   # sent
                (acacia, at(20, 9, month=10), None, {"plumbing": True}),              # before the period
                (birch, at(20, 9), None, {"plumbing": True})]):                         # another house
            start = ReportStart(token=f"start-{n}", user_id=students[house.id], house_id=house.id, created_at=created,
                                reported_at=reported)
            db.session.add(start)
            db.session.flush()
            db.session.add_all([ReportStartCategory(start_id=start.id, category=category, tip_shown=shown)
                                for category, shown in chosen.items()])
        db.session.commit()
    login(make_user(Role.ADMIN, admin_of=[acacia]))
    page = client.get("/admin/metrics?weeks=4").get_data(as_text=True)
    tips_table = page[page.index('id="tips-heading"'):]
    assert tip_row("Plumbing", 2, 2, 1) in tips_table
    assert tip_row("Electrical", 1, 0, 0) in tips_table
    electrical = client.get("/admin/metrics?weeks=4&category=electrical").get_data(as_text=True)
    tips_table = electrical[electrical.index('id="tips-heading"'):]
    assert tip_row("Electrical", 1, 0, 0) in tips_table
    assert "Plumbing" not in tips_table
    client.post("/logout")
    login(make_user(Role.DEVELOPER))
    both = client.get("/admin/metrics?weeks=4").get_data(as_text=True)
    assert tip_row("Plumbing", 3, 3, 2) in both[both.index('id="tips-heading"'):]
    year = client.get("/admin/metrics?weeks=52&house=acacia").get_data(as_text=True)
    assert tip_row("Plumbing", 3, 3, 2) in year[year.index('id="tips-heading"'):]
