"""A status email through the real worker and SMTP server (aiosmtpd), in each recipient's language: a student
whose account reads Afrikaans gets it in Afrikaans (subject, both parts, Content-Language) from the af catalog,
a student who reads English gets English, though the same admin's request queued both."""
from pathlib import Path

import pytest
from babel.support import Translations

from app.extensions import db
from app.models.accounts import Role, User
from tests.issues.test_email_flow import NO_DELAY, drain, html_of, mails_to, text_of, update

CATALOGS = Path(__file__).resolve().parents[2] / "app" / "translations"


def afrikaans(message: str, same: bool = False, **values) -> str:
    """`message` from the af catalog (`same`: it may read as in English, like a pattern of placeholders)."""
    text = Translations.load(str(CATALOGS), ["af"]).gettext(message)
    assert same or text != message, f"no Afrikaans for {message!r}"  # so the test tells the languages apart
    return text % values if values else text


@pytest.mark.parametrize("app", NO_DELAY, indirect=True)
def test_a_status_email_speaks_each_students_language(app, client, auth, runner, smtp_server, house, student,
                                                      admin, make_user, make_issue):
    housemate = make_user(Role.STUDENT, house=house, room="107")
    issue_id = make_issue(student, area_id=house.common_area_ids[0], title="Leaking tap")  # a housemate joins it
    with app.app_context():
        db.session.get(User, student.id).language = "af"
        db.session.get(User, housemate.id).language = "en"
        db.session.commit()
    auth.login(housemate)
    client.post(f"/issues/{issue_id}/me-too")
    auth.logout()
    auth.login(admin)
    update(client, issue_id, "in_progress", "The plumber comes tomorrow")
    drain(runner)

    (mail,) = mails_to(smtp_server, student.email)
    status = afrikaans("In progress")
    assert mail["Subject"] == afrikaans("[#%(id)s] %(title)s: %(status)s", True, id=issue_id, title="Leaking tap",
                                        status=status)
    text, html = text_of(mail), html_of(mail)
    assert afrikaans("Hello %(name)s,", name=student.name) in text
    assert afrikaans('The issue "%(title)s" in %(house)s is now: %(status)s.', title="Leaking tap",
                     house=house.name, status=status) in text
    assert afrikaans("See the whole timeline:") in text and "The plumber comes tomorrow" in text  # data as typed
    assert afrikaans("See the timeline") in html and '<html lang="af">' in html
    assert "is now" not in text + html and mail["Content-Language"] == "af"

    (english,) = mails_to(smtp_server, housemate.email)
    assert english["Subject"] == f"[#{issue_id}] Leaking tap: In progress"
    assert 'The issue "Leaking tap" in' in text_of(english) and english["Content-Language"] == "en"
