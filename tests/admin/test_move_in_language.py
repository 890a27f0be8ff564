"""The admin's move-in page in the admin's language (issue 23): the reminder button's answer (page and JSON), its
plural forms, and the CSV export's column headers and statuses. English is asserted by the other move-in tests."""
import csv
import html
import io

from tests.admin.test_move_in import three_students  # noqa: F401  (a fixture)


def speaking(client, language: str):
    client.post("/language", data={"language": language})
    return client


def test_the_reminder_answer_is_in_the_admins_language(app, login, admin, three_students):  # noqa: F811
    client = speaking(login(admin), "af")
    page = client.get("/admin/move-in").get_data(as_text=True)
    assert "Herinner 3 wat nog nie ingedien het nie" in page and "3 e-posse: " in page
    data = client.post("/admin/move-in/reminders", data={"house": "acacia"},
                       headers={"Accept": "application/json"}).get_json()
    assert data["queued"] == 3
    assert data["message"].startswith("3 herinneringe is in die tou; teen die huidige begroting gaan die laaste teen ")
    again = client.post("/admin/move-in/reminders", data={"house": "acacia"}, follow_redirects=True)
    assert "Geen herinneringe in die tou geplaas nie. 3 studente nie herinner nie: in die afgelope 24 uur" in \
        again.get_data(as_text=True)


def test_isiXhosa_plural_forms(app, login, admin, three_students):  # noqa: F811
    client = speaking(login(admin), "xh")
    data = client.post("/admin/move-in/reminders", data={"house": "acacia"},
                       headers={"Accept": "application/json"}).get_json()
    assert data["message"].startswith("3 izikhumbuzi zilindile ukuthunyelwa; ")
    page = client.get("/admin/move-in").get_data(as_text=True)
    assert "3 abafundi bayahambelana." in page and "Iifomu zokungena" in page


def test_the_csv_headers_are_in_the_admins_language(app, login, admin, three_students):  # noqa: F811
    client = speaking(login(admin), "af")
    text = client.get("/admin/move-in/export.csv?house=acacia").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == ["Koshuis", "Naam", "E-pos", "Kamer", "Status", "Ingedien (UTC)", "Herinneringe vanjaar",
                             "Laas herinner (UTC)"]
    assert {row["Status"] for row in rows} == {"Nie begin nie"}


def test_the_default_terms_are_edited_in_the_admins_language_and_kept_for_every_reader(app, login, admin):
    from app.extensions import db
    from app.models.move_in import HouseTerm
    from app.move_in.checklist import DEFAULT_TERMS

    client = speaking(login(admin), "af")
    page = client.get("/admin/move-in/acacia/checklist").get_data(as_text=True)
    assert DEFAULT_TERMS[0] not in page and "Hierdie vorm" in page
    items, terms = (page.split(f'name="{name}"', 1)[1].split(">", 1)[1].split("</textarea>", 1)[0]
                    for name in ("items", "terms"))
    saved = client.post("/admin/move-in/acacia/checklist", data={
        "items": html.unescape(items), "terms": html.unescape(terms) + "\nOwn Afrikaans term"})
    assert saved.status_code == 302
    with app.app_context():
        stored = db.session.scalars(db.select(HouseTerm.text).order_by(HouseTerm.position)).all()
    assert stored == [*DEFAULT_TERMS, "Own Afrikaans term"]  # the defaults stay msgids: each student's language
