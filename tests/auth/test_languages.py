"""The accounts' pages in Afrikaans and isiXhosa: WTForms' own messages through our catalog (WTForms ships none
for af or xh), the error pages in the language chosen, and the QR poster in all three languages at once."""
from html import unescape

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from tests.main.test_database_down import dead_app


def page_of(response) -> str:
    return " ".join(unescape(response.get_data(as_text=True)).split())


def test_wtforms_own_message_reads_in_afrikaans(client):
    client.set_cookie("language", "af")
    page = page_of(client.post("/login", data={"email": "", "password": ""}))
    assert "Hierdie veld is verpligtend." in page and "This field is required." not in page
    assert '<html lang="af"' in page and "Meld aan" in page
    client.set_cookie("language", "en")
    assert "This field is required." in page_of(client.post("/login", data={"email": "", "password": ""}))


def test_every_flask_form_of_the_app_uses_our_catalog(app):
    """Not only the accounts' forms: any FlaskForm, with WTForms' plural messages too."""
    class Probe(FlaskForm):
        name = StringField(validators=[DataRequired(), Length(min=3)])

    with app.test_request_context("/", method="POST", data={"name": "ab"}, headers={"Cookie": "language=xh"}):
        app.preprocess_request()
        form = Probe()
        assert not form.validate()
        assert form.name.errors == ["Le ndawo kufuneka ibe nobuncinane boonobumba abangama-3."]


def test_our_own_validation_and_flash_messages_are_translated(client, student):
    client.set_cookie("language", "xh")
    page = page_of(client.post("/login", data={"email": student.email, "password": "not-the-password"}))
    assert "I-imeyile okanye igama lokugqitha alichanekanga." in page
    page = page_of(client.post("/register", data={"email": "x@example.ac.za", "name": "X", "house": "acacia",
                                                  "room": "999", "password": "short", "confirm": "other"}))
    assert "Akukho gumbi 999 e-Acacia House." in page  # a sentence with its placeholders
    assert "Sebenzisa ubuncinane oonobumba abangama-10." in page  # the password rule
    assert "La magama mabini okugqitha akafani." in page  # EqualTo's message of ours


def test_the_error_pages_speak_the_language_chosen(client, house):
    client.set_cookie("language", "xh")
    response = client.get("/no-such-page")
    page = page_of(response)
    assert response.status_code == 404 and '<html lang="xh"' in page
    assert "404 · Ayifumanekanga" in page and "Asikwazanga ukulifumana elo khasi." in page
    client.set_cookie("language", "af")
    page = page_of(client.get("/r/nowhere"))  # an abort's own message
    assert "404 · Nie gevind nie" in page and "Daar is geen koshuis met daardie adres nie." in page
    page = page_of(client.get("/houses/acacia/poster", follow_redirects=True))  # the login's flash
    assert "Meld asseblief aan om daardie bladsy te sien." in page


def test_the_database_down_page_speaks_the_language_chosen(tmp_path):
    client = dead_app(tmp_path).test_client()
    client.set_cookie("language", "af")
    response = client.get("/r/acacia")
    page = page_of(response)
    assert response.status_code == 503 and '<html lang="af"' in page
    assert "Terug binne 'n oomblik" in page and "Probeer asseblief weer oor 30 sekondes." in page


def test_the_poster_carries_the_three_languages_whatever_the_page_speaks(login, admin, house):
    client = login(admin)
    client.set_cookie("language", "xh")
    page = page_of(client.get("/houses/acacia/poster"))
    assert '<html lang="xh"' in page and "Printa le powusta" in page  # the admin's controls: the page's language
    titles = {"af": "Iets stukkend in Acacia House?", "en": "Something broken in Acacia House?",
              "xh": "Ingaba kukho into eyaphukileyo e-Acacia House?"}
    positions = [page.index(f'<section class="poster-language" lang="{code}">') for code in titles]
    assert positions == sorted(positions)  # af, en, xh: the same order on every poster
    assert all(title in page for title in titles.values())
    assert "Skandeer om dit binne 'n minuut te rapporteer" in page and "Scan to report it in a minute" in page
    assert page.count('class="poster-emergency"') == 3
