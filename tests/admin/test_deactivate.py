"""Deactivating an account (browser and CLI): sessions end at once, queued mail is cancelled, reactivation."""
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Role
from app.models.mail import MailStatus, OutboxEmail
from tests.auth.accounts import account, mails
from tests.conftest import PASSWORD


def session_cookie(client) -> str:
    return client.get_cookie("session").value


def with_cookie(app, value: str):
    fresh = app.test_client()
    fresh.set_cookie("session", value)
    return fresh


def queue_mail(app, *addresses: str, status: MailStatus = MailStatus.QUEUED) -> None:
    with app.app_context():
        for address in addresses:
            db.session.add(OutboxEmail(template="issue_update", to_address=address, status=status))
        db.session.commit()


def test_admin_deactivates_a_student_sessions_end_and_mail_is_cancelled(app, login, admin, student):
    student_client = app.test_client()
    assert student_client.post("/login", data={"email": student.email, "password": PASSWORD}).status_code == 302
    old_cookie = session_cookie(student_client)
    queue_mail(app, student.email, student.email, "someone@example.ac.za")
    queue_mail(app, student.email, status=MailStatus.SENT)
    response = login(admin).post(f"/admin/accounts/{student.id}/deactivate", follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "is deactivated: their sessions ended and 2 queued emails were cancelled" in page
    assert student_client.get("/issues/").status_code == 302  # at once, in the session they had
    assert with_cookie(app, old_cookie).get("/issues/").status_code == 302  # a copied cookie too
    by_status = sorted((m.to, m.status, m.last_error) for m in mails(app))
    assert by_status == [("someone@example.ac.za", "queued", None),
                         (student.email, "failed", "account deactivated"),
                         (student.email, "failed", "account deactivated"),
                         (student.email, "sent", None)]
    refused = app.test_client().post("/login", data={"email": student.email, "password": PASSWORD})
    assert refused.status_code == 403 and "This account is deactivated" in refused.get_data(as_text=True)


def test_reactivation_lets_them_log_in_again_but_old_sessions_stay_ended(app, login, admin, student):
    student_client = app.test_client()
    student_client.post("/login", data={"email": student.email, "password": PASSWORD})
    old_cookie = session_cookie(student_client)
    client = login(admin)
    client.post(f"/admin/accounts/{student.id}/deactivate")
    assert "Reactivate" in client.get("/admin/accounts").get_data(as_text=True)
    client.post(f"/admin/accounts/{student.id}/reactivate")
    assert not account(app, student.email).deactivated
    assert with_cookie(app, old_cookie).get("/issues/").status_code == 302
    fresh = app.test_client()
    assert fresh.post("/login", data={"email": student.email, "password": PASSWORD}).status_code == 302
    assert fresh.get("/issues/").status_code == 200


def test_an_admin_manages_the_students_of_their_houses_only(app, login, admin, make_user, make_house, house):
    elsewhere = make_user(Role.STUDENT, house=make_house("baobab"), email="elsewhere@example.ac.za")
    colleague = make_user(Role.ADMIN, admin_of=[house], email="colleague@example.ac.za")
    client = login(admin)
    page = client.get("/admin/accounts").get_data(as_text=True)
    assert "elsewhere@" not in page and "colleague@" not in page
    for target in (elsewhere, colleague, admin):
        assert client.post(f"/admin/accounts/{target.id}/deactivate").status_code == 404
        assert not account(app, target.email).deactivated


def test_a_developer_manages_anyone_but_themselves(app, login, developer, admin, student):
    client = login(developer)
    page = client.get("/admin/accounts").get_data(as_text=True)
    assert admin.email in page and student.email in page
    assert client.post(f"/admin/accounts/{admin.id}/deactivate").status_code == 302
    assert account(app, admin.email).deactivated
    assert client.post(f"/admin/accounts/{developer.id}/deactivate").status_code == 404
    assert not account(app, developer.email).deactivated


def test_students_may_not_deactivate(app, login, student, make_user, house):
    other = make_user(Role.STUDENT, house=house, room="103")
    client = login(student)
    assert client.get("/admin/accounts").status_code == 403
    assert client.post(f"/admin/accounts/{other.id}/deactivate").status_code == 403


def test_the_accounts_page_searches_and_survives_odd_input(app, login, admin, student, make_user, house):
    make_user(Role.STUDENT, house=house, room="104", name="Zanele Khumalo", email="zanele@example.ac.za")
    client = login(admin)
    page = client.get("/admin/accounts?q=zanele").get_data(as_text=True)
    assert "Zanele Khumalo" in page and student.email not in page
    for query in ("%00", "%FF%FE", "%25_%5C", "a" * 500, "page=-1", "page=99999999999"):
        assert client.get(f"/admin/accounts?q={query}").status_code == 200
        assert client.get(f"/admin/accounts?{query}").status_code == 200


@pytest.mark.parametrize("url", ["/admin/accounts/0/deactivate", "/admin/accounts/99999999999/deactivate",
                                 "/admin/accounts/abc/reactivate", "/admin/accounts/%FF/deactivate"])
def test_made_up_account_ids_are_404(login, admin, url):
    assert login(admin).post(url).status_code == 404


def test_cli_deactivates_and_reactivates(app, runner, student):
    queue_mail(app, student.email)
    result = runner.invoke(args=["users", "deactivate", student.email.upper()])
    assert result.exit_code == 0 and "sessions ended, 1 queued email(s) cancelled" in result.output
    assert account(app, student.email).deactivated
    result = runner.invoke(args=["users", "reactivate", student.email])
    assert result.exit_code == 0 and not account(app, student.email).deactivated
    missing = runner.invoke(args=["users", "deactivate", "nobody@example.ac.za"])
    assert missing.exit_code != 0 and "no account with email" in missing.output
    with app.app_context():
        assert db.session.scalar(sa.select(OutboxEmail.status)) == MailStatus.FAILED  # reactivating sends nothing
