"""The admin queue: filters, search, sort, counts, paging, CSV export, highlighting."""
import csv
import io

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models.accounts import Role
from app.models.issues import Issue


@pytest.fixture
def queue(make_house, make_user, make_issue, login):
    acacia, baobab = make_house("acacia"), make_house("baobab")
    student = make_user(Role.STUDENT, house=acacia)
    other = make_user(Role.STUDENT, house=baobab)
    admin = make_user(Role.ADMIN, admin_of=[acacia, baobab])
    make_issue(student, title="Blocked sink", category="plumbing", age_days=10)
    make_issue(student, title="Sparking socket", category="electrical", urgency="urgent", age_days=1)
    make_issue(student, title="Wobbly desk", category="furniture", status="in_progress", age_days=2)
    make_issue(student, title="Fixed door", category="doors_locks", status="resolved", resolved_days_ago=1)
    make_issue(other, title="Baobab wifi down", category="internet", age_days=4)
    return login(admin), acacia, baobab


def titles(client, query=""):
    html = client.get("/admin/" + query).get_data(as_text=True)
    order = ["Blocked sink", "Sparking socket", "Wobbly desk", "Fixed door", "Baobab wifi down"]
    return sorted((t for t in order if t in html), key=html.index)


def test_default_is_open_issues_newest_first(queue):
    client, *_ = queue
    assert titles(client) == ["Sparking socket", "Wobbly desk", "Baobab wifi down", "Blocked sink"]


@pytest.mark.parametrize("query, expected", [
    ("?status=resolved", ["Fixed door"]),
    ("?status=all&sort=oldest", ["Blocked sink", "Baobab wifi down", "Wobbly desk", "Sparking socket", "Fixed door"]),
    ("?category=electrical", ["Sparking socket"]),
    ("?urgency=urgent", ["Sparking socket"]),
    ("?age=3", ["Baobab wifi down", "Blocked sink"]),
    ("?q=WIFI", ["Baobab wifi down"]),
    ("?q=all+night", ["Sparking socket", "Wobbly desk", "Baobab wifi down", "Blocked sink"]),
    ("?q=100%25", []),
    ("?q=_", []),
    ("?sort=urgent", ["Sparking socket", "Blocked sink", "Baobab wifi down", "Wobbly desk"]),
    ("?status=nonsense&sort=nonsense&age=nonsense&page=x", ["Sparking socket", "Wobbly desk", "Baobab wifi down",
                                                            "Blocked sink"]),
])
def test_filters_search_and_sort(queue, query, expected):
    client, *_ = queue
    assert titles(client, query) == expected


def test_house_filter_and_counts(queue):
    client, acacia, baobab = queue
    assert titles(client, f"?house={baobab.id}") == ["Baobab wifi down"]
    html = client.get(f"/admin/?house={acacia.id}&status=resolved").get_data(as_text=True)
    assert 'Reported <span class="count">2</span>' in html
    assert 'In progress <span class="count">1</span>' in html
    assert 'Resolved <span class="count">1</span>' in html
    assert 'Open <span class="count">3</span>' in html


def test_urgent_and_old_stand_out(queue):
    client, *_ = queue
    html = client.get("/admin/").get_data(as_text=True)
    assert html.count('class="is-urgent"') == 1
    assert html.count("is-old") == 1 and 'badge old' in html


def test_search_by_id(queue, app):
    client, *_ = queue
    with app.app_context():
        issue_id = db.session.scalar(sa.select(Issue.id).where(Issue.title == "Wobbly desk"))
    assert titles(client, f"?status=all&q=%23{issue_id}") == ["Wobbly desk"]


def test_csv_export_follows_the_filters(queue):
    client, *_ = queue
    response = client.get("/admin/issues.csv?status=all&sort=oldest")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["title"] for r in rows] == ["Blocked sink", "Baobab wifi down", "Wobbly desk", "Sparking socket",
                                          "Fixed door"]
    assert rows[0]["status"] == "reported" and rows[0]["house"] == "Acacia House"
    only = list(csv.DictReader(io.StringIO(client.get("/admin/issues.csv?category=internet").get_data(as_text=True))))
    assert [r["title"] for r in only] == ["Baobab wifi down"]


def test_paging(app, make_issue, login, house, student, admin):
    for n in range(55):
        make_issue(student, title=f"Issue number {n:02d}")
    client = login(admin)
    first = client.get("/admin/").get_data(as_text=True)
    assert "Issue number 54" in first and "Issue number 04" not in first and "Next" in first
    second = client.get("/admin/?page=2").get_data(as_text=True)
    assert "Issue number 04" in second and "Issue number 54" not in second and "Next" not in second


OPEN = ["Sparking socket", "Wobbly desk", "Baobab wifi down", "Blocked sink"]


@pytest.mark.parametrize("query, expected", [
    ("?q=" + "9" * 40, []), ("?q=%23" + "9" * 30, []), ("?q=%C2%B2", []), ("?house=%C2%B2", OPEN),
    ("?house=" + "9" * 30, OPEN), ("?page=%C2%B2", OPEN), ("?page=" + "9" * 30, OPEN), ("?age=%C2%B2", OPEN),
])
def test_odd_numbers_in_the_query_string_are_ignored_not_a_500(queue, query, expected):
    client, *_ = queue
    assert titles(client, query) == expected
    assert client.get("/admin/issues.csv" + query).status_code == 200


@pytest.fixture
def assigned_queue(queue, app, make_user):
    """The queue above with staff: Sam (Acacia) has "Blocked sink", Bo (Baobab and Acacia) has "Baobab wifi
    down", and "Wobbly desk" is with Zed, who is staff of no house of this admin."""
    client, acacia, baobab = queue
    sam = make_user(Role.STAFF, name="Sam Plumber", staff_of=[acacia], password=None)
    bo = make_user(Role.STAFF, name="Bo Electrician", staff_of=[baobab, acacia], password=None)
    elsewhere = make_user(Role.STAFF, name="Zed Elsewhere", password=None)
    with app.app_context():
        for title, staff in (("Blocked sink", sam), ("Baobab wifi down", bo), ("Wobbly desk", elsewhere)):
            db.session.scalar(sa.select(Issue).where(Issue.title == title)).assignee_id = staff.id
        db.session.commit()
    return client, sam, bo, elsewhere


def test_assignee_column_and_filter(assigned_queue):
    client, sam, bo, elsewhere = assigned_queue
    html = client.get("/admin/").get_data(as_text=True)
    assert '<th scope="col" class="col-assignee">Assigned to</th>' in html
    assert '<td class="col-assignee">Sam Plumber</td>' in html
    assert '<td class="col-assignee">Bo Electrician</td>' in html
    assert html.count('<td class="col-assignee"><span class="muted">Nobody</span></td>') == 1  # the sparking socket
    # the filter lists the staff of the admin's houses, each once, and not the stranger
    assert html.count(f'<option value="{bo.id}"') == 1 and f'<option value="{sam.id}"' in html
    assert "Zed Elsewhere</option>" not in html
    assert titles(client, f"?assignee={sam.id}") == ["Blocked sink"]
    assert titles(client, f"?assignee={bo.id}&status=all") == ["Baobab wifi down"]
    assert titles(client, "?assignee=none") == ["Sparking socket"]
    assert titles(client, "?assignee=none&status=all") == ["Fixed door", "Sparking socket"]
    selected = client.get(f"/admin/?assignee={sam.id}").get_data(as_text=True)
    assert f'<option value="{sam.id}" selected>' in selected and "Filters and sort (1 active)" in selected


@pytest.mark.parametrize("value", ["elsewhere", "", "nobody", "%C2%B2", "9" * 30, "-1"])
def test_an_assignee_outside_the_houses_or_odd_value_is_ignored(assigned_queue, value):
    client, sam, bo, elsewhere = assigned_queue
    value = str(elsewhere.id) if value == "elsewhere" else value
    assert titles(client, f"?assignee={value}") == OPEN
    assert "(1 active)" not in client.get(f"/admin/?assignee={value}").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(client.get(f"/admin/issues.csv?assignee={value}").get_data(as_text=True))))
    assert len(rows) == len(OPEN)


def test_csv_has_the_assignee_and_follows_its_filter(assigned_queue):
    client, sam, bo, elsewhere = assigned_queue
    rows = list(csv.DictReader(io.StringIO(client.get("/admin/issues.csv?status=all").get_data(as_text=True))))
    by_title = {r["title"]: r["assignee"] for r in rows}
    assert by_title["Blocked sink"] == sam.email and by_title["Baobab wifi down"] == bo.email
    assert by_title["Sparking socket"] == "" and by_title["Fixed door"] == ""
    only = list(csv.DictReader(io.StringIO(
        client.get(f"/admin/issues.csv?assignee={sam.id}").get_data(as_text=True))))
    assert [(r["title"], r["assignee"]) for r in only] == [("Blocked sink", sam.email)]
    unassigned = list(csv.DictReader(io.StringIO(client.get("/admin/issues.csv?assignee=none").get_data(as_text=True))))
    assert [r["title"] for r in unassigned] == ["Sparking socket"]
