"""Admins' move-in overview: counts, filter, CSV, a student's form, checklist editing, who may see what."""
import csv
import io

import pytest

from app.models import Role
from tests.move_in.conftest import complete_form, make_form


@pytest.fixture
def three_students(make_user, house):
    """Submitted, draft and not started, in rooms 101-103."""
    done = make_user(Role.STUDENT, house=house, room="101", name="Ada Done", email="ada@example.ac.za")
    draft = make_user(Role.STUDENT, house=house, room="102", name="Ben Draft", email="ben@example.ac.za")
    idle = make_user(Role.STUDENT, house=house, room="103", name="=Cy Idle", email="cy@example.ac.za")
    return done, draft, idle


def test_completion_per_house(app, login, admin, three_students, make_house, make_user):
    done, draft, _idle = three_students
    make_form(app, done, "submitted")
    make_form(app, draft, "draft")
    other = make_house("baobab")
    make_user(Role.STUDENT, house=other, email="elsewhere@example.ac.za")
    page = login(admin).get("/admin/move-in").get_data(as_text=True)
    assert "<strong>1</strong> submitted" in page and "<strong>1</strong> draft" in page
    assert "<strong>1</strong> not started" in page and "3 students" in page
    assert 'max="100" value="33"' in page and "Remind 2 who have not submitted" in page
    assert "Baobab" not in page and "elsewhere@" not in page
    for name in ("Ada Done", "Ben Draft", "=Cy Idle"):
        assert name in page


@pytest.mark.parametrize("query, shown, hidden", [
    ("status=submitted", ["Ada Done"], ["Ben Draft", "Cy Idle"]),
    ("status=draft", ["Ben Draft"], ["Ada Done", "Cy Idle"]),
    ("status=not_started", ["Cy Idle"], ["Ada Done", "Ben Draft"]),
    ("q=ben%40", ["Ben Draft"], ["Ada Done", "Cy Idle"]),
    ("q=103", ["Cy Idle"], ["Ada Done", "Ben Draft"]),
    ("q=_", [], ["Ada Done", "Ben Draft", "Cy Idle"]),  # a LIKE wildcard is searched for, not obeyed
    ("q=%25", [], ["Ada Done", "Ben Draft", "Cy Idle"]),
])
def test_filter(app, login, admin, three_students, query, shown, hidden):
    make_form(app, three_students[0], "submitted")
    make_form(app, three_students[1], "draft")
    page = login(admin).get("/admin/move-in?house=acacia&" + query).get_data(as_text=True)
    table = page[page.index("<tbody>"):]
    assert all(name in table for name in shown) and not any(name in table for name in hidden)


def test_csv_export(app, login, admin, three_students):
    make_form(app, three_students[0], "submitted")
    response = login(admin).get("/admin/move-in/export.csv?house=acacia")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(r["Name"], r["Room"], r["Status"]) for r in rows] == [
        ("Ada Done", "101", "Submitted"), ("Ben Draft", "102", "Not started"), ("'=Cy Idle", "103", "Not started")]
    assert rows[0]["Submitted (UTC)"] and rows[1]["Submitted (UTC)"] == ""
    only = login(admin).get("/admin/move-in/export.csv?house=acacia&status=submitted").get_data(as_text=True)
    assert len(list(csv.DictReader(io.StringIO(only)))) == 1


def test_student_form_visible_once_submitted(app, client, login, admin, three_students):
    done, draft, _ = three_students
    login(draft).post("/move-in/", data=complete_form(action="draft", comment_0="private draft note"))
    client.post("/logout")
    login(done).post("/move-in/", data=complete_form(condition_2="damaged", comment_2="Scuffed wall"))
    client.post("/logout")
    login(admin)
    page = client.get(f"/admin/move-in/students/{done.id}").get_data(as_text=True)
    assert "Submitted " in page and "Scuffed wall" in page and "Report this as a maintenance issue" not in page
    page = client.get(f"/admin/move-in/students/{draft.id}").get_data(as_text=True)
    assert "Draft" in page and "private draft note" not in page


def test_earlier_years_forms(app, login, admin, three_students):
    from app.move_in.checklist import academic_year

    with app.app_context():
        last_year = academic_year() - 1
    done = three_students[0]
    make_form(app, done, "submitted", year=last_year)
    client = login(admin)
    page = client.get(f"/admin/move-in/students/{done.id}").get_data(as_text=True)
    assert "Not started" in page and f"year={last_year}" in page
    page = client.get(f"/admin/move-in/students/{done.id}?year={last_year}").get_data(as_text=True)
    assert f"Move-in form {last_year}" in page and "Submitted " in page


def test_admins_see_only_their_houses(app, client, login, make_house, make_user, three_students):
    other = make_house("baobab")
    outsider = make_user(Role.ADMIN, admin_of=[other], email="outsider@example.ac.za")
    make_form(app, three_students[0], "submitted")
    login(outsider)
    page = client.get("/admin/move-in").get_data(as_text=True)
    assert "Baobab" in page and "Ada Done" not in page
    assert client.get("/admin/move-in?house=acacia").status_code == 404
    assert client.get("/admin/move-in?house=nope").status_code == 404
    assert client.get("/admin/move-in/export.csv?house=acacia").status_code == 404
    assert client.get(f"/admin/move-in/students/{three_students[0].id}").status_code == 404
    assert client.post("/admin/move-in/reminders", data={"house": "acacia"}).status_code == 404
    assert client.get("/admin/move-in/acacia/checklist").status_code == 404


def test_students_may_not_use_admin_pages(login, three_students):
    client = login(three_students[0])
    for url in ("/admin/move-in", "/admin/move-in/export.csv?house=acacia", "/admin/move-in/acacia/checklist"):
        assert client.get(url).status_code == 403
    assert client.post("/admin/move-in/reminders", data={"house": "acacia"}).status_code == 403


def test_edit_checklist_and_terms(app, client, login, admin, student):
    login(admin)
    page = client.get("/admin/move-in/acacia/checklist").get_data(as_text=True)
    assert "Door and lock\nWindow" in page
    response = client.post("/admin/move-in/acacia/checklist",
                           data={"items": "Bunk bed\n\n  Fridge  \n", "terms": "No candles."})
    assert response.status_code == 302
    client.post("/logout")
    login(student)
    page = client.get("/move-in/").get_data(as_text=True)
    assert "Bunk bed" in page and "Fridge" in page and "No candles." in page and "Window" not in page
    response = client.post("/move-in/", data={"action": "submit", "condition_0": "good", "condition_1": "missing",
                                              "comment_1": "No fridge", "term_0": "y"})
    assert response.status_code == 302
    assert "No fridge" in client.get("/move-in/").get_data(as_text=True)


@pytest.mark.parametrize("items, terms, message", [
    ("", "A term", "List at least one checklist item."),
    ("Bed\nbed", "A term", "The same checklist item is listed twice."),
    ("Bed", "", "List at least one term."),
    ("x" * 81, "A term", "under 80 characters"),
])
def test_checklist_validation(app, login, admin, items, terms, message):
    response = login(admin).post("/admin/move-in/acacia/checklist", data={"items": items, "terms": terms})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    page = login(admin).get("/admin/move-in/acacia/checklist").get_data(as_text=True)
    assert "Door and lock" in page  # nothing stored


@pytest.mark.parametrize("url, status", [
    ("/admin/move-in?house=acacia&page=99999999999999999999", 200),  # page 1, not an overflow
    ("/admin/move-in?house=acacia&page=-3", 200),
    ("/admin/move-in/students/{id}?year=99999999999999999999", 404),
    ("/admin/move-in/students/{id}?year=-1", 404),
    ("/admin/move-in/students/99999999999999999999", 404),
    ("/move-in/photos/99999999999999999999", 404),
])
def test_mangled_numbers_in_urls(app, login, admin, three_students, url, status):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # an overflow would show as the 500 page
    response = login(admin).get(url.format(id=three_students[0].id))
    assert response.status_code == status
    if status == 200:
        page = response.get_data(as_text=True)
        assert "Ada Done" in page and "Page " not in page  # one page of three students


def test_last_page_when_the_page_number_is_too_high(app, login, admin, house, make_user, monkeypatch):
    from app.move_in import overview

    monkeypatch.setattr(overview, "PER_PAGE", 2)
    for i in range(5):
        make_user(Role.STUDENT, house=house, room=str(101 + i), name=f"Student {i}", email=f"s{i}@example.ac.za")
    page = login(admin).get("/admin/move-in?house=acacia&page=40").get_data(as_text=True)
    assert "Page 3 of 3" in page and "Student 4" in page and "Student 0" not in page


def test_a_form_from_another_house_stays_with_that_house(app, login, make_house, make_user, admin, three_students):
    """A student who moved: the new house's admin sees them, but not the form they filled in at the old house."""
    from app.extensions import db
    from app.models.accounts import User
    from app.move_in.checklist import academic_year

    with app.app_context():
        last_year = academic_year() - 1
    done = three_students[0]
    make_form(app, done, "submitted", year=last_year)  # at acacia
    baobab = make_house("baobab")
    with app.app_context():
        db.session.get(User, done.id).house_id = baobab.id
        db.session.commit()
    new_admin = make_user(Role.ADMIN, admin_of=[baobab], email="baobab-admin@example.ac.za")
    client = login(new_admin)
    page = client.get(f"/admin/move-in/students/{done.id}").get_data(as_text=True)
    assert "Ada Done" in page and f"year={last_year}" not in page
    page = client.get(f"/admin/move-in/students/{done.id}?year={last_year}").get_data(as_text=True)
    assert "Filled in at Acacia House before the student moved" in page and "Submitted " not in page
