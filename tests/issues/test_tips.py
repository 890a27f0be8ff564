"""Self-help tips: admins and developers edit them, the report form shows them, and report starts count who
gave up after reading one (a flood of tip-seen posts stores nothing more)."""
import re
from datetime import timedelta

import sqlalchemy as sa

from app.extensions import db
from app.issues import tips
from app.models import Role
from app.models.base import utcnow
from app.models.issues import Category
from app.models.tips import ReportStart, ReportStartCategory, SelfHelpTip
from tests.issues.conftest import report_data

PLUNGER = "Try the plunger first.\nCheck the plug-point switch."


def stored(app):
    with app.app_context():
        return {Category(t.category): t.body for t in db.session.scalars(sa.select(SelfHelpTip))}


def tip_form(**by_category) -> dict:
    return {f"tip-{c.value}": by_category.get(c.value, "") for c in Category}


def start_token(client) -> str:
    page = client.get("/issues/new").get_data(as_text=True)
    return re.search(r'name="start" type="hidden" value="([^"]+)"|type="hidden" name="start" value="([^"]+)"',
                     page).group(0).rsplit('value="', 1)[1].rstrip('"')


def test_admins_and_developers_edit_tips(app, client, login, admin, developer):
    login(admin)
    response = client.post("/admin/tips", data=tip_form(plumbing="  Try the plunger first.  \n\n"
                                                                  "Check the plug-point switch.\n"))
    assert response.status_code == 302
    assert stored(app) == {Category.PLUMBING: PLUNGER}
    client.post("/logout")
    login(developer)
    assert client.post("/admin/tips", data=tip_form(electrical="Reset the breaker.")).status_code == 302
    assert stored(app) == {Category.ELECTRICAL: "Reset the breaker."}  # plumbing emptied: no tips
    assert "Reset the breaker." in client.get("/admin/tips").get_data(as_text=True)


def test_bad_tips_store_nothing_and_keep_the_input(app, client, login, admin):
    login(admin)
    client.post("/admin/tips", data=tip_form(plumbing=PLUNGER))
    for bad, message in (("a\x00b", "characters we cannot store"), ("x" * 700, "at most 600 characters"),
                         ("\n".join("line" for _ in range(9)), "at most 8 lines")):
        response = client.post("/admin/tips", data=tip_form(plumbing="Changed", electrical=bad))
        page = response.get_data(as_text=True)
        assert response.status_code == 400 and message in page and "Nothing was saved" in page
        assert ">Changed</textarea>" in page
    assert stored(app) == {Category.PLUMBING: PLUNGER}


def test_report_form_shows_tips_and_reuses_its_start(app, client, login, student, admin):
    login(admin)
    client.post("/admin/tips", data=tip_form(plumbing=PLUNGER))
    client.post("/logout")
    login(student)
    page = client.get("/issues/new").get_data(as_text=True)
    assert 'data-tip-category="plumbing"' in page and "Try the plunger first." in page and "<details" in page
    first, again = start_token(client), start_token(client)
    assert first == again  # a reload is the same start
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ReportStart)) == 1


def test_tip_counting(app, client, login, student, admin, make_user, house):
    login(admin)
    client.post("/admin/tips", data=tip_form(plumbing=PLUNGER, electrical="Reset the breaker."))
    client.post("/logout")
    login(student)
    token = start_token(client)
    for category in ("electrical", "plumbing", "plumbing", "furniture"):
        assert client.post("/issues/new/tip-seen", data={"start": token, "category": category}).status_code == 204
    assert client.post("/issues/new", data=report_data(category="plumbing", start=token)).status_code == 302
    assert start_token(client) != token  # reported: the next form is a new start
    abandoned = start_token(client)
    client.post("/issues/new/tip-seen", data={"start": abandoned, "category": "electrical"})
    client.post("/logout")
    other = make_user(Role.STUDENT, house=house, room="104")
    login(other)
    assert client.post("/issues/new/tip-seen", data={"start": abandoned, "category": "plumbing"}).status_code == 204
    with app.app_context():  # someone else's start is not theirs to mark
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ReportStartCategory)) == 4
        since = utcnow() - timedelta(days=1)
        assert tips.tip_figures([house.id], since)[Category.ELECTRICAL] == {
            "started": 2, "saw_tip": 2, "abandoned_after_tip": 0}  # not 24 hours yet
        later = utcnow() + timedelta(hours=25)
        figures = tips.tip_figures([house.id], since, now=later)
        assert figures[Category.ELECTRICAL] == {"started": 2, "saw_tip": 2, "abandoned_after_tip": 1}
        assert figures[Category.PLUMBING] == {"started": 1, "saw_tip": 1, "abandoned_after_tip": 0}
        assert figures[Category.FURNITURE] == {"started": 1, "saw_tip": 0, "abandoned_after_tip": 0}
        assert tips.tip_figures([], since) == {c: {"started": 0, "saw_tip": 0, "abandoned_after_tip": 0}
                                               for c in Category}
        assert tips.start_totals([house.id], since) == {"started": 2, "reported": 1}
    client.post("/logout")
    login(admin)
    page = client.get("/admin/tips").get_data(as_text=True)
    assert "2 report forms opened, 1 sent." in page
    assert ('<th scope="row">Electrical</th><td data-label="Chosen">2</td><td data-label="Tip shown">2</td>'
            '<td data-label="Gave up after tip">0</td>') in page


def test_reporting_never_depends_on_the_start(app, client, login, student):
    login(student)
    for start in ("", "nonsense\x00", "x" * 500):
        assert client.post("/issues/new", data=report_data(start=start)).status_code == 302


def test_bad_tip_seen_posts(client, login, student):
    login(student)
    token = start_token(client)
    assert client.post("/issues/new/tip-seen", data={"start": token, "category": "nope"}).status_code == 400
    assert client.post("/issues/new/tip-seen", data={"start": "a\x00", "category": "plumbing"}).status_code == 400


def test_a_flood_of_tip_seen_posts_is_capped(app, client, login, student):
    login(student)
    token = start_token(client)
    codes = [client.post("/issues/new/tip-seen", data={"start": token, "category": category.value}).status_code
             for _ in range(10) for category in Category]
    assert codes.count(204) == tips.TIP_SEEN_PER_HOUR and set(codes[tips.TIP_SEEN_PER_HOUR:]) == {429}
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ReportStartCategory)) == len(Category)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ReportStart)) == 1
