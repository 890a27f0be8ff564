"""The student's form: validation, draft then submit, read-only after submit, one form per year."""
import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Role
from app.models.mail import OutboxEmail, Purpose
from app.models.move_in import Condition, FormStatus, MoveInForm
from app.move_in.checklist import DEFAULT_CHECKLIST, DEFAULT_TERMS, academic_year
from tests.move_in.conftest import complete_form


def stored_form(app, user_id):
    with app.app_context():
        form = db.session.scalar(sa.select(MoveInForm).where(MoveInForm.user_id == user_id))
        if form is None:
            return None
        return {"status": form.status, "submitted_at": form.submitted_at, "terms": list(form.accepted_terms),
                "answers": {a.item_label: (a.condition, a.comment) for a in form.answers}}


def outbox(app):
    with app.app_context():
        return db.session.scalars(sa.select(OutboxEmail).order_by(OutboxEmail.id)).all()


def test_form_lists_default_checklist_and_terms(login, student):
    page = login(student).get("/move-in/").get_data(as_text=True)
    for label in DEFAULT_CHECKLIST + DEFAULT_TERMS:
        assert label in page
    assert 'name="condition_13"' in page and 'value="missing"' in page


def test_draft_then_come_back_then_submit(app, login, student):
    client = login(student)
    response = client.post("/move-in/", data={"action": "draft", "condition_0": "damaged",
                                              "comment_0": "Lock sticks", "term_1": "y"})
    assert response.status_code == 302
    saved = stored_form(app, student.id)
    assert saved["status"] == FormStatus.DRAFT
    assert saved["answers"]["Door and lock"] == (Condition.DAMAGED, "Lock sticks")
    assert saved["answers"]["Window"] == (None, "")
    assert saved["terms"] == [DEFAULT_TERMS[1]]
    assert outbox(app) == []

    page = client.get("/move-in/").get_data(as_text=True)  # coming back: the draft is filled in
    assert "Lock sticks" in page and "Draft last saved" in page
    assert 'id="condition_0-1" name="condition_0" type="radio" value="damaged"' in page.replace(" checked", "")
    assert 'checked id="condition_0-1"' in page or 'value="damaged" checked' in page

    response = client.post("/move-in/", data=complete_form(condition_0="damaged", comment_0="Lock sticks"))
    assert response.status_code == 302
    saved = stored_form(app, student.id)
    assert saved["status"] == FormStatus.SUBMITTED and saved["submitted_at"] is not None
    assert saved["terms"] == DEFAULT_TERMS
    emails = outbox(app)
    assert [(e.template, e.to_address, e.purpose) for e in emails] == [
        ("move_in_submitted", student.email, Purpose.NOTICE)]
    assert emails[0].context["items"][0] == {"label": "Door and lock", "condition": "damaged",
                                             "comment": "Lock sticks", "photos": 0}


@pytest.mark.parametrize("overrides, message", [
    ({"condition_3": "damaged"}, "Describe what is damaged or missing."),
    ({"condition_5": "missing", "comment_5": "   "}, "Describe what is damaged or missing."),
    ({"condition_7": None}, "Choose the condition of the bed."),
    ({"term_2": None}, "Tick this box to accept it."),
    ({"condition_1": "shattered"}, "Not a valid choice"),
])
def test_submit_validation_keeps_input_and_stores_nothing(app, login, student, overrides, message):
    client = login(student)
    response = client.post("/move-in/", data=complete_form(comment_0="kept comment", **overrides))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page and "kept comment" in page
    assert stored_form(app, student.id) is None
    assert outbox(app) == []


def test_draft_may_be_incomplete_but_not_invalid(app, login, student):
    client = login(student)
    assert client.post("/move-in/", data={"action": "draft", "comment_2": "x" * 2001}).status_code == 400
    assert stored_form(app, student.id) is None
    assert client.post("/move-in/", data={"action": "draft", "condition_2": "missing"}).status_code == 302
    assert stored_form(app, student.id)["answers"]["Walls"] == (Condition.MISSING, "")


def test_failed_submit_leaves_the_draft_as_it_was(app, login, student):
    client = login(student)
    client.post("/move-in/", data={"action": "draft", "comment_0": "first"})
    response = client.post("/move-in/", data=complete_form(comment_0="second", term_0=None))
    assert response.status_code == 400
    saved = stored_form(app, student.id)
    assert saved["status"] == FormStatus.DRAFT and saved["answers"]["Door and lock"] == (None, "first")


def test_read_only_after_submit(app, login, student):
    client = login(student)
    assert client.post("/move-in/", data=complete_form()).status_code == 302
    before = stored_form(app, student.id)
    page = client.get("/move-in/").get_data(as_text=True)
    local = before["submitted_at"] + timedelta(hours=2)  # the residence's time (Africa/Johannesburg)
    assert "Submitted " + local.strftime("%d %b %Y, %H:%M") + " SAST" in page
    assert 'type="radio"' not in page and "Save draft" not in page

    for action in ("draft", "submit"):
        response = client.post("/move-in/", data=complete_form(action=action, condition_0="damaged",
                                                               comment_0="changed my mind"))
        assert response.status_code == 409
        assert "already submitted" in response.get_data(as_text=True)
    assert stored_form(app, student.id) == before
    assert len(outbox(app)) == 1  # one copy, not one per attempt


def test_one_form_per_student_per_year(app, login, student):
    client = login(student)
    client.post("/move-in/", data={"action": "draft"})
    client.post("/move-in/", data={"action": "draft", "comment_0": "again"})
    client.post("/move-in/", data=complete_form())
    with app.app_context():
        forms = db.session.scalars(sa.select(MoveInForm)).all()
        assert [(f.user_id, f.academic_year) for f in forms] == [(student.id, academic_year())]
        db.session.add(MoveInForm(user_id=student.id, house_id=student.house_id, academic_year=academic_year()))
        with pytest.raises(sa.exc.IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_a_new_academic_year_starts_a_new_form(app):
    with app.app_context():
        assert academic_year(datetime(2027, 1, 15)) == 2027
        app.config["MOVE_IN_YEAR_START_MONTH"] = 2
        assert academic_year(datetime(2027, 1, 15)) == 2026
        assert academic_year(datetime(2027, 2, 1)) == 2027


def test_damaged_item_offers_a_prefilled_issue(login, student):
    client = login(student)
    client.post("/move-in/", data=complete_form(condition_1="damaged", comment_1="Cracked pane"))
    page = client.get("/move-in/").get_data(as_text=True)
    assert "/issues/new?category=other&amp;location=room&amp;title=Window+is+damaged" in page
    assert "Cracked+pane" in page
    assert page.count("Report this as a maintenance issue") == 1
    link = re.search(r'href="(/issues/new\?[^"]+)"', page)[1].replace("&amp;", "&")
    report = client.get(link).get_data(as_text=True)  # the issues form arrives filled in
    assert 'value="Window is damaged"' in report and "Recorded on my move-in form: Cracked pane" in report


def test_only_students_with_a_house(app, client, login, admin, make_user):
    assert client.get("/move-in/").status_code == 302  # to the login page
    assert login(admin).get("/move-in/").status_code == 403
    client.post("/logout")
    homeless = make_user(Role.STUDENT, email="nohouse@example.ac.za")
    assert login(homeless).get("/move-in/").status_code == 404


def seen(labels=DEFAULT_CHECKLIST, terms=DEFAULT_TERMS) -> dict:
    """The hidden fields the page sends back: the checklist and terms the student was shown."""
    return {"seen_item": list(labels), "seen_term": list(terms)}


def test_page_sends_back_the_checklist_it_showed(login, student):
    page = login(student).get("/move-in/").get_data(as_text=True)
    assert page.count('name="seen_item"') == len(DEFAULT_CHECKLIST)
    assert '<input type="hidden" name="seen_term" value="%s">' % DEFAULT_TERMS[0] in page


def test_checklist_edited_while_filling_in_saves_nothing_and_moves_answers(app, client, login, admin, student):
    login(admin).post("/admin/move-in/acacia/checklist",  # an item inserted at the top, a term reworded
                      data={"items": "Fridge\n" + "\n".join(DEFAULT_CHECKLIST),
                            "terms": "\n".join(["Reworded."] + DEFAULT_TERMS[1:])})
    client.post("/logout")
    login(student)
    data = {**complete_form(condition_0="damaged", comment_0="Lock sticks"), **seen()}
    response = client.post("/move-in/", data=data)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "checklist or terms changed while you were filling in the form" in page
    assert stored_form(app, student.id) is None and outbox(app) == []
    # "Door and lock" is item 1 now: its answer moved with it; the new item and the reworded term start empty.
    assert 'checked id="condition_1-1"' in page and "Lock sticks" in page
    assert 'id="condition_0-0"' in page and 'checked id="condition_0-' not in page
    assert '<input id="term_0" name="term_0"' in page and '<input checked id="term_1"' in page
    assert page.count('name="seen_item"') == len(DEFAULT_CHECKLIST) + 1  # the next post matches


def test_unchanged_checklist_saves_as_usual(app, login, student):
    response = login(student).post("/move-in/", data={**complete_form(), **seen()})
    assert response.status_code == 302
    assert stored_form(app, student.id)["status"] == FormStatus.SUBMITTED


def test_failed_submit_points_at_each_item_and_says_photos_are_gone(login, student, png_bytes):
    import io

    data = complete_form(condition_3="damaged", term_2=None, photos_0=(io.BytesIO(png_bytes), "door.png"))
    response = login(student).post("/move-in/", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    summary = page[page.index("Needs your attention:"):page.index("Your room</h2>")]
    assert '<a href="#item-3">Floor</a>' in summary and '<a href="#terms">Terms and conditions</a>' in summary
    assert "Window" not in summary
    assert 'id="item-3"' in page and 'id="terms"' in page
    assert "The photos you chose were not saved: choose them again." in page


def test_a_draft_follows_a_student_who_moves(app, login, student, make_house):
    from app.models.accounts import User
    from app.models.houses import Room

    client = login(student)
    client.post("/move-in/", data={"action": "draft", "comment_0": "at acacia"})
    baobab = make_house("baobab", rooms="201-202")
    with app.app_context():
        user = db.session.get(User, student.id)
        user.house_id = baobab.id
        user.room = db.session.scalar(sa.select(Room).where(Room.house_id == baobab.id, Room.number == "202"))
        db.session.commit()
    assert client.post("/move-in/", data={"action": "draft", "comment_0": "at baobab"}).status_code == 302
    with app.app_context():
        form = db.session.scalar(sa.select(MoveInForm).where(MoveInForm.user_id == student.id))
        assert (form.house_id, form.room_number) == (baobab.id, "202")
