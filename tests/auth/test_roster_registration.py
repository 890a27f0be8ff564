"""Roster students: unverified until they set a password from an emailed link; registering uses their roster
account (house and room from the roster, no duplicate); the roster approves a student waiting for approval."""
import pytest

from app.models import Role
from tests.auth.accounts import account, accounts_count, last_link, mails, register_and_verify, register_form
from tests.conftest import PASSWORD
from tests.issues.conftest import report_data


@pytest.fixture
def import_roster(runner, tmp_path):
    def run(*rows: str, house: str = "acacia", invite: bool = True):
        path = tmp_path / "roster.csv"
        path.write_text("email,name,room\n" + "\n".join(rows) + "\n", encoding="utf-8")
        args = ["users", "import-roster", str(path), "--house", house] + ([] if invite else ["--no-invite"])
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
        return result.output

    return run


def test_roster_students_are_approved_but_unverified(app, house, import_roster):
    import_roster("ana@example.ac.za,Ana Roster,105")
    ana = account(app, "ana@example.ac.za")
    assert (ana.approved, ana.verified, ana.has_password, ana.room) == (True, False, False, "105")


def test_registering_with_a_roster_address_uses_the_roster_account(app, client, house, make_house, import_roster):
    make_house("baobab")
    import_roster("ana@example.ac.za,Ana Roster,105", invite=False)
    response = client.post("/register", data=register_form(email="ana@example.ac.za", name="Someone Else",
                                                            house="baobab", room="101"))
    assert response.status_code == 302 and response.headers["Location"] == "/verify"
    ana = account(app, "ana@example.ac.za")
    assert accounts_count(app) == 1 and (ana.name, ana.room, ana.has_password) == ("Ana Roster", "105", False)
    [mail] = mails(app, "verify_email")
    assert mail.context["set_password"] and (mail.context["house"], mail.context["room"]) == ("Acacia House", "105")
    link = last_link(app)
    assert link.startswith("/password/reset/")
    assert client.post(link, data={"password": PASSWORD, "confirm": PASSWORD}).status_code == 302
    ana = account(app, "ana@example.ac.za")
    assert ana.verified and ana.approved and ana.password_ok
    assert client.get("/issues/new").status_code == 200  # no wait for approval: the roster said where she lives
    assert client.post("/issues/new", data=report_data()).status_code == 302


def test_the_roster_invite_link_verifies_too(app, client, house, import_roster):
    import_roster("ben@example.ac.za,Ben Roster,106")
    link = last_link(app, "account_invite")
    assert client.post(link, data={"password": PASSWORD, "confirm": PASSWORD}).status_code == 302
    assert account(app, "ben@example.ac.za").verified


def test_a_roster_student_cannot_log_in_before_setting_a_password(app, auth, house, import_roster):
    import_roster("ana@example.ac.za,Ana Roster,105", invite=False)
    assert auth.login("ana@example.ac.za", PASSWORD).status_code == 400


def test_the_roster_approves_a_student_waiting_for_approval(app, house, make_house, import_roster):
    make_house("baobab")
    register_and_verify(app.test_client(), app, email="cai@example.ac.za", name="Cai Waiting", house="baobab")
    output = import_roster("cai@example.ac.za,Cai Roster,107", invite=False)
    assert "1 updated" in output
    cai = account(app, "cai@example.ac.za")
    assert (cai.approved, cai.house_id, cai.room, cai.name) == (True, house.id, "107", "Cai Roster")


def test_the_roster_does_not_take_an_approved_student_of_another_house(app, runner, make_user, make_house, house,
                                                                      tmp_path):
    other = make_user(Role.STUDENT, house=make_house("baobab"), email="dee@example.ac.za")
    path = tmp_path / "roster.csv"
    path.write_text("email,name,room\ndee@example.ac.za,Dee,101\n", encoding="utf-8")
    result = runner.invoke(args=["users", "import-roster", str(path), "--house", "acacia"])
    assert result.exit_code != 0 and "already registered with another house" in result.output
    assert account(app, other.email).house_id != house.id
