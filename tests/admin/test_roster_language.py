"""The roster's optional `language` column (issue 23): af, en, xh or the language's name in itself, any case, sets
the account's language (the language of its pages and emails); a bad value is a bad row like any other (nothing
stored); an empty cell or a file without the column leaves the account's language as it is."""
import sqlalchemy as sa

from app.extensions import db
from app.languages import of_recipients
from app.models import Role, User
from tests.admin.test_roster_upload import section, snapshot, token_of, upload
from tests.auth.accounts import mails


def languages(app) -> dict[str, str | None]:
    with app.app_context():
        return dict(db.session.execute(sa.select(User.email, User.language).where(User.role == Role.STUDENT)).all())


def set_language(app, email: str, language: str | None) -> None:
    with app.app_context():
        db.session.scalar(sa.select(User).where(User.email == email)).language = language
        db.session.commit()


def students(make_user, house):
    """Ana in 101, Ben in 102 (who chose isiXhosa)."""
    ana = make_user(Role.STUDENT, house=house, room="101", email="ana@example.ac.za", name="Ana A")
    ben = make_user(Role.STUDENT, house=house, room="102", email="ben@example.ac.za", name="Ben B")
    return ana, ben


def test_the_language_column_sets_the_language_of_new_and_known_students(app, login, admin, house, make_user):
    students(make_user, house)
    set_language(app, "ben@example.ac.za", "xh")
    client = login(admin)
    roster = ("email,name,room,Language\n"
              "ana@example.ac.za,Ana A,101,AF\n"        # a known student: her language changes (an "other change")
              "ben@example.ac.za,Ben B,102,\n"          # empty: Ben keeps isiXhosa
              "dee@example.ac.za,Dee D,103,isiXhosa\n"  # a new student, by the language's name
              "eve@example.ac.za,Eve E,104,english\n")
    before = snapshot(app)
    preview = upload(client, roster)
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200, page
    assert "2 new, 0 moved, 1 other change, 1 unchanged, 0 missing from the file" in page
    assert "language: Afrikaans" in section(page, "Other changes (1)")
    assert snapshot(app) == before and languages(app)["ana@example.ac.za"] is None  # a preview stores nothing

    assert client.post("/admin/residents/roster/apply", data={"plan": token_of(preview)}).status_code == 302
    assert languages(app) == {"ana@example.ac.za": "af", "ben@example.ac.za": "xh", "dee@example.ac.za": "xh",
                              "eve@example.ac.za": "en"}
    assert sorted(mail.to for mail in mails(app, "account_invite")) == ["dee@example.ac.za", "eve@example.ac.za"]
    with app.app_context():  # the invitations leave in each new student's language
        assert of_recipients(["dee@example.ac.za", "eve@example.ac.za"]) == {"dee@example.ac.za": "xh",
                                                                           "eve@example.ac.za": "en"}


def test_a_bad_language_is_a_bad_row_and_nothing_is_stored(app, login, admin, house, make_user):
    students(make_user, house)
    client = login(admin)
    before = snapshot(app)
    response = upload(client, "email,name,room,language\nana@example.ac.za,Ana A,101,fr\n"
                              "ben@example.ac.za,Ben B,102,Klingon\ndee@example.ac.za,Dee D,103,af\n")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "2 problems; nothing was stored" in page
    assert "line 2: language &#39;fr&#39; is not one of af, en, xh (or their names: Afrikaans, English, " \
           "isiXhosa)" in page
    assert "line 3: language &#39;Klingon&#39; is not one of" in page and "line 4" not in page
    assert "Apply the roster" not in page
    assert snapshot(app) == before and languages(app) == {"ana@example.ac.za": None, "ben@example.ac.za": None}
    assert mails(app) == []


def test_without_the_column_languages_stay_as_they_are(app, login, admin, house, make_user):
    students(make_user, house)
    set_language(app, "ana@example.ac.za", "af")
    client = login(admin)
    preview = upload(client, "email,name,room\nana@example.ac.za,Ana A,101\nben@example.ac.za,Ben B,102\n"
                             "dee@example.ac.za,Dee D,103\n")
    assert "1 new, 0 moved, 0 other changes, 2 unchanged" in preview.get_data(as_text=True)
    assert client.post("/admin/residents/roster/apply", data={"plan": token_of(preview)}).status_code == 302
    assert languages(app) == {"ana@example.ac.za": "af", "ben@example.ac.za": None, "dee@example.ac.za": None}


def test_the_preview_speaks_the_admins_language(app, login, admin, house, make_user):
    students(make_user, house)
    client = login(admin)
    client.post("/language", data={"language": "af"})
    page = upload(client, "email,name,room,language\nana@example.ac.za,Ana A,101,fr\n").get_data(as_text=True)
    assert "reël 2: taal &#39;fr&#39; is nie een van af, en, xh nie" in page
    assert "Die lêer het 1 fout; niks is gestoor nie." in page
    page = upload(client, "email,name,room\ndee@example.ac.za,Dee D,103\n").get_data(as_text=True)
    assert "Nuwe studente (1)" in page and "1 e-pos: " in page  # the delivery estimate too
