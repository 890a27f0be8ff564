"""The students' and staff pages in Afrikaans and isiXhosa: labels of enumerations, flashes, form errors and times
come from the real catalogs (app/translations); what people typed stays as typed."""
import pytest

from app.issues import labels
from app.models.issues import Category, HoldReason, IssueStatus, Urgency
from app.models.visits import DayPart
from tests.issues.conftest import report_data


def speaking(client, language: str):
    client.post("/language", data={"language": language, "next": "/"})
    return client


@pytest.mark.parametrize("language", ["af", "xh"])
def test_every_label_has_a_translation(app, language):
    functions = ((labels.status_label, IssueStatus), (labels.urgency_label, Urgency), (labels.category_label, Category),
                 (labels.hold_reason_label, HoldReason), (labels.day_part_label, DayPart))
    said = {}
    for code in ("en", language):
        with app.test_request_context(headers={"Accept-Language": code}):
            said[code] = [(label(value), label(value.value)) for label, values in functions for value in values]
    same_word = {("Internet", "Internet")}  # the same in Afrikaans
    pairs = zip(said["en"], said[language], strict=True)
    assert [pair for pair in pairs if pair[0] == pair[1] and pair[0] not in same_word] == []
    assert all(member == stored for member, stored in said[language])  # stored values work as well as members


def test_the_report_flow_speaks_afrikaans(app, login, student):
    client = speaking(login(student), "af")
    page = client.get("/issues/new").get_data(as_text=True)
    assert "Rapporteer 'n probleem" in page and "Loodgieterswerk" in page and "Dringend" in page
    bad = client.post("/issues/new", data=report_data(title="x")).get_data(as_text=True)
    assert "Die titel moet 3 tot 120 karakters hê." in bad
    response = client.post("/issues/new", data=report_data(title="Geyser lek", category="plumbing"),
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Dankie: jou probleem is gerapporteer." in page
    assert "Gerapporteer" in page and "Loodgieterswerk" in page and "Kamer 101" in page
    assert "Geyser lek" in page  # as typed
    assert "so pas" in page  # how long ago, in words


def test_the_issue_list_speaks_isixhosa(app, login, student):
    client = speaking(login(student), "xh")
    client.post("/issues/new", data=report_data(), follow_redirects=True)
    page = client.get("/issues/").get_data(as_text=True)
    assert "Iingxaki zam" in page and "Ixeliwe" in page and "Igumbi 101" in page


def test_the_move_in_form_speaks_afrikaans(app, login, student):
    page = speaking(login(student), "af").get("/move-in/").get_data(as_text=True)
    assert "Intrekvorm" in page and "Deur en slot" in page and "Beskadig" in page
    assert "Ek het die koshuisreëls gelees en aanvaar dit." in page
    assert 'name="seen_item" value="Door and lock"' in page  # items are matched by their English text


def test_an_admins_own_checklist_is_shown_as_typed(app, login, student, house):
    from app.extensions import db
    from app.move_in.checklist import replace_lists

    with app.app_context():
        replace_lists(house.id, ["<b>Bunk</b>", "Bed"], ["I agree & <i>sign</i>"])
        db.session.commit()
    page = speaking(login(student), "af").get("/move-in/").get_data(as_text=True)
    assert "&lt;b&gt;Bunk&lt;/b&gt;" in page and "<b>Bunk</b>" not in page and "<i>sign</i>" not in page
    assert "<legend>Bed</legend>" in page  # the same word in Afrikaans; an admin's item is looked up all the same
