"""The odd inputs of issue 11 that made a 500, and one control-character rule for free text (line breaks as a
browser sends them, CRLF, pass; NUL and the other control characters do not)."""
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models.issues import Issue
from app.models.move_in import MoveInAnswer, MoveInForm
from app.move_in.checklist import checklist_for
from tests.issues.conftest import report_data


def test_a_welcome_link_with_non_ascii_characters_is_an_expired_link(client):
    response = client.get("/move-in/welcome/1.1.%C3%A9")
    assert response.status_code == 302 and response.headers["Location"] == "/password/forgot"


@pytest.mark.parametrize("value", ["²", "9" * 5000, "-1", "", "1.5"])
def test_an_odd_remove_photo_value_removes_nothing(app, login, student, value):
    response = login(student).post("/move-in/", data={"action": "draft", "comment_0": "Kept",
                                                      "remove_photo": value})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(MoveInAnswer.comment).where(MoveInAnswer.position == 0)) == "Kept"


@pytest.mark.parametrize("text", ["a\x00b", "bell\x07", "esc\x1b[31m", "del\x7f"])
def test_a_move_in_comment_refuses_control_characters(app, login, student, text):
    response = login(student).post("/move-in/", data={"action": "draft", "comment_0": text,
                                                      "comment_1": "Kept as typed"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "This contains characters we cannot store." in page and "Kept as typed" in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(MoveInForm.id))) == 0


def test_the_checklist_editor_refuses_control_characters(app, login, admin, house):
    response = login(admin).post(f"/admin/move-in/{house.slug}/checklist",
                                 data={"items": "Door\x00\r\nWindow", "terms": "Be kind"})
    assert response.status_code == 400 and "This contains characters we cannot store." in \
        response.get_data(as_text=True)


def test_line_breaks_as_a_browser_sends_them_pass(app, login, student, admin, house):
    """Browsers send a textarea's line breaks as CRLF: a multi-line description, comment or list is fine."""
    client = login(student)
    data = report_data(description="The tap drips.\r\nSince Monday.\r\n\tEven at night.")
    assert client.post("/issues/new", data=data).status_code == 302
    assert client.post("/move-in/", data={"action": "draft", "comment_0": "Two\r\nlines"}).status_code == 302
    client.post("/logout")
    response = login(admin).post(f"/admin/move-in/{house.slug}/checklist",
                                 data={"items": "Door\r\nWindow\r\n", "terms": "Be kind\r\nBe quiet"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(Issue.description)) == "The tap drips.\r\nSince Monday.\r\n\tEven at night."
        assert checklist_for(house.id) == ["Door", "Window"]
