"""House admins add and remove staff in the browser; `flask users create --role staff`."""
import sqlalchemy as sa

from app.extensions import db
from app.models import Role, User
from app.models.issues import Issue
from tests.auth.accounts import account, accounts_count, mails, path_of
from tests.conftest import PASSWORD
from tests.staff.conftest import assign

NEW_PASSWORD = "maroon-ladder-quietly-77"


def add(client, **overrides):
    data = {"name": "Lindiwe Plumber", "email": "lindiwe@contractor.example.com", "house": "acacia"}
    data.update(overrides)
    return client.post("/admin/staff", data=data)


def staff_houses(app, email):
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        return sorted(h.slug for h in user.staff_houses) if user else None


def test_admin_adds_staff_who_sets_a_password_and_sees_my_jobs(app, client, auth, admin, house):
    auth.login(admin)
    response = add(client)
    assert response.status_code == 302
    assert "emailed a link" in client.get("/admin/staff").get_data(as_text=True)
    created = account(app, "lindiwe@contractor.example.com")
    assert created.has_password is False and created.verified is False  # until they use the link
    assert staff_houses(app, "lindiwe@contractor.example.com") == ["acacia"]
    [invite] = mails(app, "staff_invite")
    assert invite.to == "lindiwe@contractor.example.com" and invite.purpose == "security"
    assert invite.context["house"] == "Acacia House"
    auth.logout()
    assert client.post(path_of(invite.context["link"]),
                       data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    auth.logout()
    assert auth.login("lindiwe@contractor.example.com", NEW_PASSWORD).status_code == 302
    page = client.get("/jobs/")
    assert page.status_code == 200 and "My jobs" in page.get_data(as_text=True)
    assert client.get("/admin/").status_code == 403 and client.get("/issues/").status_code == 403


def test_bad_input_keeps_the_form_and_stores_nothing(app, login, admin, student, make_house):
    make_house("birch")  # not this admin's
    client = login(admin)
    before = accounts_count(app)
    cases = [({"email": "not-an-address"}, "plain email address"),
             ({"email": ""}, "Give their email address"),
             ({"name": ""}, "Give their name"),
             ({"house": "birch"}, "Not a valid choice"),
             ({"email": student.email}, "not a staff account"),
             ({"name": "Bad\x00Name"}, "cannot store")]
    for overrides, message in cases:
        response = add(client, **overrides)
        text = response.get_data(as_text=True)
        assert response.status_code == 400, overrides
        assert message in text, (overrides, text[:2000])
        if "name" not in overrides:  # the input is kept
            assert 'value="Lindiwe Plumber"' in text, overrides
        if "email" not in overrides:
            assert 'value="lindiwe@contractor.example.com"' in text, overrides
    assert accounts_count(app) == before
    assert mails(app) == []


def test_existing_staff_is_linked_to_another_house_without_a_new_email(app, login, make_user, make_house, house):
    birch = make_house("birch")
    admin = make_user(Role.ADMIN, admin_of=[house, birch])
    client = login(admin)
    assert add(client).status_code == 302
    assert add(client, house="birch").status_code == 302
    assert staff_houses(app, "lindiwe@contractor.example.com") == ["acacia", "birch"]
    assert len(mails(app, "staff_invite")) == 1
    response = add(client, house="birch")
    assert response.status_code == 400 and "already on the staff" in response.get_data(as_text=True)


def test_remove_from_house_puts_open_jobs_back_unassigned(app, login, admin, student, house, make_user, make_issue):
    staff = make_user(Role.STAFF, email="sipho@example.com", name="Sipho Fixit", staff_of=[house])
    open_job, done_job = make_issue(student), make_issue(student)
    client = login(admin)
    assign(client, open_job, staff.id)
    assign(client, done_job, staff.id)
    client.post(f"/admin/issues/{done_job}", data={"status": "resolved", "comment": "", "visibility": "public"})
    listing = client.get("/admin/staff").get_data(as_text=True)
    assert "Sipho Fixit" in listing and "sipho@example.com" in listing
    response = client.post(f"/admin/staff/{staff.id}/remove", data={"house": "acacia"})
    assert response.status_code == 302
    assert staff_houses(app, staff.email) == []
    with app.app_context():
        assert db.session.get(Issue, open_job).assignee_id is None
        assert db.session.get(Issue, done_job).assignee_id == staff.id  # a closed job keeps its history
    page = client.get("/admin/staff").get_data(as_text=True)
    assert "1 open job went back to the queue" in page and "sipho@example.com" not in page
    assert client.post(f"/admin/staff/{staff.id}/remove", data={"house": "acacia"}).status_code == 404


def test_admins_manage_only_their_houses_staff(app, login, make_user, make_house, house):
    birch = make_house("birch")
    theirs = make_user(Role.STAFF, email="birch.staff@example.com", name="Birch Staff", staff_of=[birch])
    admin = make_user(Role.ADMIN, admin_of=[house])
    client = login(admin)
    assert "Birch Staff" not in client.get("/admin/staff").get_data(as_text=True)
    assert client.post(f"/admin/staff/{theirs.id}/remove", data={"house": "birch"}).status_code == 404
    assert client.post(f"/admin/staff/{theirs.id}/remove", data={"house": "acacia"}).status_code == 404
    assert client.post(f"/admin/staff/{theirs.id}/remove", data={}).status_code == 404
    assert staff_houses(app, theirs.email) == ["birch"]


def test_cli_creates_staff_for_houses(runner, app, house, make_house):
    make_house("birch")
    result = runner.invoke(args=["users", "create", "fix@example.com", "--role", "staff", "--house", "acacia",
                                 "--house", "birch", "--name", "Fix It"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert staff_houses(app, "fix@example.com") == ["acacia", "birch"]
    result = runner.invoke(args=["users", "create", "nohouse@example.com", "--role", "staff"], input=PASSWORD + "\n")
    assert result.exit_code != 0 and "needs at least one --house" in result.output
    assert account(app, "nohouse@example.com") is None


def test_invite_over_the_mail_share_stores_no_account(app, login, admin, house):
    app.config["MAIL_DAILY_LIMIT"] = 20  # an admin's share: 1 email a day
    client = login(admin)
    assert add(client, email="one@contractor.example.com").status_code == 302
    count = accounts_count(app)
    response = add(client, email="two@contractor.example.com")
    assert response.status_code == 400 and "nothing was stored" in response.get_data(as_text=True)
    assert accounts_count(app) == count and account(app, "two@contractor.example.com") is None
    assert [m.to for m in mails(app, "staff_invite")] == ["one@contractor.example.com"]


def test_a_deactivated_staff_account_is_not_linked(app, login, make_user, make_house, house):
    """As for admins (app/dev/houses.py): a deactivated account joins no house until a developer reactivates it."""
    from app.models.base import utcnow

    birch = make_house("birch")
    admin = make_user(Role.ADMIN, admin_of=[house, birch])
    client = login(admin)
    assert add(client).status_code == 302
    with app.app_context():
        lindiwe = db.session.scalar(sa.select(User).where(User.email == "lindiwe@contractor.example.com"))
        lindiwe.deactivated_at = utcnow()
        db.session.commit()
    response = add(client, house="birch")
    assert response.status_code == 400 and "is deactivated" in response.get_data(as_text=True)
    assert staff_houses(app, "lindiwe@contractor.example.com") == ["acacia"]
