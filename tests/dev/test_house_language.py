"""The house's default language (issue 23), set on the developers' house page: emails to its students who chose
no language are written in it; a student's own choice still wins; a bad value is refused with nothing stored."""
import sqlalchemy as sa

from app.extensions import db
from app.languages import of_recipients
from app.models import Role, User
from app.models.houses import House


def house_language(app) -> str | None:
    with app.app_context():
        return db.session.scalar(sa.select(House.language).where(House.slug == "acacia"))


def test_the_house_language_is_set_on_its_page_and_speaks_to_students_who_chose_none(app, login, developer, house,
                                                                                     make_user):
    quiet = make_user(Role.STUDENT, house=house, email="quiet@example.ac.za")
    chooser = make_user(Role.STUDENT, house=house, room="102", email="chooser@example.ac.za")
    with app.app_context():
        db.session.get(User, chooser.id).language = "xh"
        db.session.commit()
        assert of_recipients([quiet.email, chooser.email]) == {chooser.email: "xh"}  # quiet: DEFAULT_LANGUAGE
    client = login(developer)
    page = client.get("/dev/houses/acacia").get_data(as_text=True)
    assert 'name="language-language"' in page and "Save the language" in page
    assert '<option selected value="">None: the default (English)</option>' in page

    response = client.post("/dev/houses/acacia/language", data={"language-language": "af"}, follow_redirects=True)
    assert response.status_code == 200 and "now in Afrikaans" in response.get_data(as_text=True)
    assert house_language(app) == "af"
    assert '<option selected value="af">Afrikaans</option>' in client.get("/dev/houses/acacia").get_data(as_text=True)
    with app.app_context():
        assert of_recipients([quiet.email, chooser.email]) == {quiet.email: "af", chooser.email: "xh"}

    refused = client.post("/dev/houses/acacia/language", data={"language-language": "fr"})
    assert refused.status_code == 400
    assert "The language must be one of af, en, xh, or none." in refused.get_data(as_text=True)
    assert house_language(app) == "af"  # nothing stored

    assert client.post("/dev/houses/acacia/language", data={"language-language": ""}).status_code == 302
    assert house_language(app) is None
    with app.app_context():
        assert of_recipients([quiet.email]) == {}


def test_only_developers_set_the_house_language(app, login, admin, house):
    response = login(admin).post("/dev/houses/acacia/language", data={"language-language": "af"})
    assert response.status_code in (403, 404) and house_language(app) is None
