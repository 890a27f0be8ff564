"""Issue 21 item 1 and 4: a house admin cannot take over another house's staff account. An existing staff
account joins an admin's house only when its owner accepts while signed in; shared staff accounts are managed by
developers only; an address change is told to the old address and ends the password links sent there."""
import sqlalchemy as sa

from app.extensions import db
from app.models import Role, User
from app.models.staff_invitations import StaffInvitation
from tests.auth.accounts import mails, path_of
from tests.conftest import PASSWORD
from tests.races import race
from tests.staff.test_staff_accounts import add, staff_houses

NEW_PASSWORD = "maroon-ladder-quietly-77"


def invitations(app) -> list[tuple[str, str]]:
    with app.app_context():
        return [(i.user.email, i.house.slug) for i in db.session.scalars(sa.select(StaffInvitation))]


def attempts(client, staff_id: int) -> dict[str, int]:
    """What a manager would do to the account, and the status each answer had."""
    return {"email": client.post(f"/admin/accounts/{staff_id}/email",
                                 data={"email": "mine@example.ac.za"}).status_code,
            "deactivate": client.post(f"/admin/accounts/{staff_id}/deactivate").status_code,
            "anonymise": client.post(f"/admin/accounts/{staff_id}/anonymise").status_code}


def test_adding_another_houses_staff_only_invites_them(app, client, auth, make_user, make_house, house):
    birch = make_house("birch")
    theirs = make_user(Role.STAFF, email="birch.staff@example.ac.za", name="Birch Staff", staff_of=[birch])
    intruder = make_user(Role.ADMIN, admin_of=[house], name="Acacia Admin")
    auth.login(intruder)
    response = add(client, email=theirs.email, name="Anything")
    assert response.status_code == 302
    assert "invited to the staff of Acacia House" in client.get("/admin/staff").get_data(as_text=True)
    assert staff_houses(app, theirs.email) == ["birch"]
    assert invitations(app) == [(theirs.email, "acacia")]
    [notice] = mails(app, "staff_join")
    assert notice.to == theirs.email and notice.context["by"] == "Acacia Admin"
    assert attempts(client, theirs.id) == {"email": 404, "deactivate": 404, "anonymise": 404}
    assert "Birch Staff" not in client.get("/admin/accounts").get_data(as_text=True)
    again = add(client, email=theirs.email)
    assert again.status_code == 400 and "already invited" in again.get_data(as_text=True)
    with app.app_context():
        user = db.session.get(User, theirs.id)
        assert user.email == theirs.email and not user.is_deactivated


def test_the_staff_member_accepts_and_the_shared_account_is_for_developers(app, client, auth, make_user,
                                                                          make_house, house):
    birch = make_house("birch")
    theirs = make_user(Role.STAFF, email="birch.staff@example.ac.za", name="Birch Staff", staff_of=[birch])
    acacia_admin = make_user(Role.ADMIN, admin_of=[house])
    birch_admin = make_user(Role.ADMIN, admin_of=[birch])
    developer = make_user(Role.DEVELOPER)
    auth.login(acacia_admin)
    add(client, email=theirs.email)
    auth.logout()
    auth.login(theirs)
    page = client.get("/jobs/").get_data(as_text=True)
    assert "Join the staff of Acacia House?" in page
    with app.app_context():
        invitation_id = db.session.scalar(sa.select(StaffInvitation.id))
    assert client.post(f"/jobs/invitations/{invitation_id}", data={"answer": "accept"}).status_code == 302
    assert staff_houses(app, theirs.email) == ["acacia", "birch"] and invitations(app) == []
    assert "no longer open" in client.post(f"/jobs/invitations/{invitation_id}", data={"answer": "accept"},
                                           follow_redirects=True).get_data(as_text=True)
    for admin in (acacia_admin, birch_admin):
        auth.logout()
        auth.login(admin)
        assert "Birch Staff" in client.get("/admin/staff").get_data(as_text=True)  # both still assign jobs
        assert attempts(client, theirs.id) == {"email": 404, "deactivate": 404, "anonymise": 404}
    auth.logout()
    auth.login(developer)
    assert client.post(f"/admin/accounts/{theirs.id}/deactivate").status_code == 302


def test_decline_and_nobody_answers_for_another(app, client, auth, make_user, make_house, house):
    birch = make_house("birch")
    theirs = make_user(Role.STAFF, email="birch.staff@example.ac.za", staff_of=[birch])
    other = make_user(Role.STAFF, email="other.staff@example.ac.za", staff_of=[birch])
    auth.login(make_user(Role.ADMIN, admin_of=[house]))
    add(client, email=theirs.email)
    auth.logout()
    with app.app_context():
        invitation_id = db.session.scalar(sa.select(StaffInvitation.id))
    auth.login(other)
    client.post(f"/jobs/invitations/{invitation_id}", data={"answer": "accept"})
    assert staff_houses(app, other.email) == ["birch"] and staff_houses(app, theirs.email) == ["birch"]
    assert invitations(app) == [(theirs.email, "acacia")]
    auth.logout()
    auth.login(theirs)
    client.post(f"/jobs/invitations/{invitation_id}", data={"answer": "decline"})
    assert staff_houses(app, theirs.email) == ["birch"] and invitations(app) == []


def test_parallel_accepts_link_once(app, make_user, make_house, house):
    birch = make_house("birch")
    theirs = make_user(Role.STAFF, email="birch.staff@example.ac.za", staff_of=[birch])
    admin = make_user(Role.ADMIN, admin_of=[house])
    client = app.test_client()
    client.post("/login", data={"email": admin.email, "password": PASSWORD})
    add(client, email=theirs.email)
    with app.app_context():
        invitation_id = db.session.scalar(sa.select(StaffInvitation.id))
    clients = [app.test_client() for _ in range(4)]
    for each in clients:
        each.post("/login", data={"email": theirs.email, "password": PASSWORD})
    statuses = race([lambda c=c: c.post(f"/jobs/invitations/{invitation_id}",
                                                 data={"answer": "accept"}).status_code for c in clients])
    assert all(status == 302 for status in statuses), statuses
    assert staff_houses(app, theirs.email) == ["acacia", "birch"] and invitations(app) == []


def test_staff_of_the_admins_houses_alone_are_linked_at_once(app, login, make_user, make_house, house):
    birch = make_house("birch")
    ours = make_user(Role.STAFF, email="ours@example.ac.za", staff_of=[house])
    client = login(make_user(Role.ADMIN, admin_of=[house, birch]))
    assert add(client, email=ours.email, house="birch").status_code == 302
    assert staff_houses(app, ours.email) == ["acacia", "birch"] and invitations(app) == []
    assert attempts(client, ours.id)["deactivate"] == 302


def test_address_change_tells_the_old_address_and_ends_its_links(app, client, auth, admin, student):
    auth.logout()
    client.post("/password/forgot", data={"email": student.email})
    [reset] = mails(app, "password_reset")
    auth.login(admin)
    assert client.post(f"/admin/accounts/{student.id}/email",
                       data={"email": "new.address@example.ac.za"}).status_code == 302
    [moved] = mails(app, "address_moved")
    assert moved.to == student.email and moved.purpose == "security" and moved.context["new"] == "n***@example.ac.za"
    assert [m.to for m in mails(app, "address_changed")] == ["new.address@example.ac.za"]
    auth.logout()
    response = client.post(path_of(reset.context["link"]), data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.location.endswith("/password/forgot")  # "expired"
    with app.app_context():
        assert not db.session.get(User, student.id).check_password(NEW_PASSWORD)
