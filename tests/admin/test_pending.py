"""Students waiting for approval: the list on /admin/, approve (house and room kept or changed, a held room only
when shared), reject; and what a waiting student may not do."""
from datetime import timedelta
from functools import partial

import pytest
import sqlalchemy as sa

from app.auth.waiting import ApprovalHelp
from app.extensions import db
from app.models import Role
from app.models.accounts import User
from app.models.base import utcnow
from app.models.houses import House
from app.models.issues import Issue, IssueSubscription
from tests.auth.accounts import account, accounts_count, mails, register_and_verify, register_form, set_standing
from tests.conftest import PASSWORD
from tests.issues.conftest import report_data
from tests.races import race


@pytest.fixture
def waiting(app, house):
    """Thandi registered for Acacia room 102 and confirmed her address; her client is logged in."""
    client = app.test_client()
    return register_and_verify(client, app), client


def approve_data(student_id: int, house: str = "acacia", room: str = "102", shared: bool = False) -> dict:
    data = {f"s{student_id}-house": house, f"s{student_id}-room": room}
    if shared:
        data[f"s{student_id}-shared"] = "y"
    return data


def test_the_list_shows_the_admins_houses_only(app, login, admin, make_house, waiting):
    other = make_house("baobab")
    register_and_verify(app.test_client(), app, email="bo@example.ac.za", name="Bo Baobab", house="baobab")
    app.test_client().post("/register", data=register_form(email="unconfirmed@example.ac.za"))
    page = login(admin).get("/admin/").get_data(as_text=True)
    assert "Pending students" in page and "Thandi M" in page and "thandi@example.ac.za" in page
    assert "Bo Baobab" not in page and "unconfirmed@" not in page
    assert f'id="s{waiting[0].id}-room"' in page and 'value="102"' in page
    assert other.id  # Bo waits for Baobab's admin


def test_no_list_when_nobody_waits(login, admin):
    assert "Pending students" not in login(admin).get("/admin/").get_data(as_text=True)


def test_approve_keeps_house_and_room_emails_and_opens_the_student_pages(app, login, admin, waiting):
    student, student_client = waiting
    assert student_client.get("/issues/new").status_code == 403
    response = login(admin).post(f"/admin/students/{student.id}/approve", data=approve_data(student.id))
    assert response.status_code == 302 and response.headers["Location"] == "/admin/#pending"
    assert account(app, student.email).approved
    [mail] = mails(app, "registration_approved")
    assert (mail.to, mail.purpose, mail.context["room"], mail.context["shared"]) == \
        (student.email, "notice", "102", False)
    assert student_client.get("/issues/new").status_code == 200  # the same session, approved now
    assert student_client.post("/issues/new", data=report_data()).status_code == 302


def test_approve_may_change_house_and_room(app, login, make_user, make_house, house, waiting):
    baobab = make_house("baobab", rooms="201-210")
    admin = make_user(Role.ADMIN, admin_of=[house, baobab])
    student = waiting[0]
    client = login(admin)
    bad = client.post(f"/admin/students/{student.id}/approve", data=approve_data(student.id, "baobab", "102"))
    assert bad.status_code == 400 and "There is no room 102 in Baobab House." in bad.get_data(as_text=True)
    assert client.post(f"/admin/students/{student.id}/approve",
                       data=approve_data(student.id, "baobab", "205")).status_code == 302
    moved = account(app, student.email)
    assert (moved.house_id, moved.room, moved.approved) == (baobab.id, "205", True)


def test_a_held_room_is_refused_unless_shared(app, login, admin, make_user, house, waiting):
    make_user(Role.STUDENT, house=house, room="102", name="Lerato Holder")
    student = waiting[0]
    client = login(admin)
    assert "Now held by Lerato Holder" in client.get("/admin/").get_data(as_text=True)
    refused = client.post(f"/admin/students/{student.id}/approve", data=approve_data(student.id))
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "already held by Lerato Holder" in page and 'value="102"' in page
    assert not account(app, student.email).approved and mails(app, "registration_approved") == []
    assert client.post(f"/admin/students/{student.id}/approve",
                       data=approve_data(student.id, shared=True)).status_code == 302
    assert account(app, student.email).approved and mails(app, "registration_approved")[0].context["shared"]


def test_a_room_of_a_deactivated_or_waiting_student_is_free(app, login, admin, make_user, house, waiting):
    gone = make_user(Role.STUDENT, house=house, room="102", email="gone@example.ac.za")
    set_standing(app, gone.id, deactivated_at=utcnow())
    register_and_verify(app.test_client(), app, email="second@example.ac.za", name="Second Waiter")
    student = waiting[0]
    assert login(admin).post(f"/admin/students/{student.id}/approve",
                             data=approve_data(student.id)).status_code == 302


def test_two_admins_approving_two_students_into_one_room_at_once(app, make_user, house, waiting):
    other = register_and_verify(app.test_client(), app, email="other@example.ac.za", name="Other Student")
    students = [waiting[0], other]
    clients = []
    for n in range(2):
        admin = make_user(Role.ADMIN, admin_of=[house], email=f"admin{n}@example.ac.za")
        c = app.test_client()
        assert c.post("/login", data={"email": admin.email, "password": PASSWORD}).status_code == 302
        clients.append(c)
    answers = race((partial(c.post, f"/admin/students/{s.id}/approve", data=approve_data(s.id))
                    for c, s in zip(clients, students, strict=True)), timeout=60)
    assert sorted(r.status_code for r in answers) == [302, 409]
    assert sorted(account(app, s.email).approved for s in students) == [False, True]


def test_reject_removes_the_registration_and_emails(app, login, admin, waiting):
    student, student_client = waiting
    response = login(admin).post(f"/admin/students/{student.id}/reject")
    assert response.status_code == 302 and account(app, student.email) is None
    [mail] = mails(app, "registration_rejected")
    assert (mail.to, mail.purpose, mail.context["house"]) == (student.email, "notice", "Acacia House")
    assert student_client.get("/issues/").status_code == 302  # the session is gone with the account
    app.config["ACCOUNT_MAIL_COOLDOWN_MINUTES"] = 0
    assert app.test_client().post("/register", data=register_form()).status_code == 302  # may register again


def test_a_decision_is_taken_once(app, login, admin, waiting):
    student = waiting[0]
    client = login(admin)
    assert client.post(f"/admin/students/{student.id}/approve", data=approve_data(student.id)).status_code == 302
    assert client.post(f"/admin/students/{student.id}/reject").status_code == 404
    assert client.post(f"/admin/students/{student.id}/approve", data=approve_data(student.id)).status_code == 404
    assert accounts_count(app) == 2 and len(mails(app, "registration_approved")) == 1


def test_another_houses_admin_cannot_decide(app, login, make_user, make_house, waiting):
    stranger = make_user(Role.ADMIN, admin_of=[make_house("baobab")])
    student = waiting[0]
    client = login(stranger)
    assert client.get(f"/admin/students/{student.id}/approve").status_code == 404
    assert client.post(f"/admin/students/{student.id}/approve", data=approve_data(student.id)).status_code == 404
    assert client.post(f"/admin/students/{student.id}/reject").status_code == 404
    assert not account(app, student.email).approved


@pytest.mark.parametrize("field, value", [("room", "%00"), ("room", "1" * 50), ("room", "%FF%FE"),
                                          ("house", "nowhere"), ("house", "%ED%B3%BF"), ("room", ""),
                                          ("room", "10%0A2"), ("house", "acacia%00")])
def test_odd_approval_input_is_a_400(app, login, admin, waiting, field, value):
    student = waiting[0]
    fields = {"house": "acacia", "room": "102", field: value}
    body = "&".join(f"s{student.id}-{name}={raw}" for name, raw in fields.items()) + f"&s{student.id}-shared=%FF"
    response = login(admin).post(f"/admin/students/{student.id}/approve", data=body,
                                 content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and not account(app, student.email).approved


def test_a_waiting_student_cannot_act_and_is_told_why(app, make_user, make_issue, house, waiting):
    student, client = waiting
    neighbour = make_user(Role.STUDENT, house=house, room="105")
    issue_id = make_issue(neighbour, area_id=house.common_area_ids[0], title="Kitchen tap")
    for method, url, data in [("GET", "/issues/", None), ("GET", "/issues/new", None),
                              ("POST", "/issues/new", report_data()), ("GET", "/move-in/", None),
                              ("POST", f"/issues/{issue_id}/me-too", {}),
                              ("POST", f"/issues/{issue_id}/comment", {"body": "Same here"})]:
        response = client.open(url, method=method, data=data)
        assert response.status_code == 403, url
        assert "waiting for a house admin's approval" in response.get_data(as_text=True)
    landing = client.get("/r/acacia").get_data(as_text=True)
    assert "Kitchen tap" not in landing
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Issue.id))) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(IssueSubscription)) == 1
    home = client.get("/").get_data(as_text=True)
    assert "Waiting for approval" in home and "Acacia House, room 102" in home.replace("\n  ", " ")


def test_the_waiting_page_says_how_long_approval_usually_takes_and_whom_to_ask(app, make_user, admin, house, waiting):
    _student, client = waiting
    make_user(Role.ADMIN, admin_of=[house], email="zola@example.ac.za", name="Zola Admin")
    gone = make_user(Role.ADMIN, admin_of=[house], email="gone@example.ac.za", name="Gone Admin")
    set_standing(app, gone.id, deactivated_at=utcnow())
    page = " ".join(client.get("/issues/new").get_data(as_text=True).split())
    assert "Approval usually comes within a few working days." in page  # no approvals in the house yet
    assert f'<li>{admin.name} (<a href="mailto:{admin.email}">{admin.email}</a>)</li><li>Zola Admin (' in page
    assert "gone@" not in page
    now = utcnow()
    for hours in (2, 5, 30, 1000):  # three recent waits (median 5 h) and one too old to count
        user = make_user(Role.STUDENT, house=house, email=f"w{hours}@example.ac.za")
        with app.app_context():
            db.session.execute(sa.update(User).where(User.id == user.id).values(
                email_verified_at=now - timedelta(days=400 if hours == 1000 else 1, hours=hours),
                approved_at=now - timedelta(days=400 if hours == 1000 else 1)))
            db.session.commit()
    make_user(Role.STUDENT, house=house, email="roster@example.ac.za")  # approved when made: no wait
    page = " ".join(client.get("/").get_data(as_text=True).split())
    assert "In this house, approval usually takes about 5 hours after you confirm your address." in page
    with app.app_context():  # the house's own admin address, when set, comes first
        db.session.execute(sa.update(House).values(admin_email="desk@acacia.example.ac.za"))
        db.session.commit()
    page = " ".join(client.get("/").get_data(as_text=True).split())
    assert ('<li><a href="mailto:desk@acacia.example.ac.za">desk@acacia.example.ac.za</a></li> '
            f"<li>{admin.name}</li><li>Zola Admin</li>") in page


@pytest.mark.parametrize("hours, text", [(0.2, "less than an hour"), (1, "about 1 hour"), (35, "about 35 hours"),
                                         (60, "about 2 days")])
def test_usual_wait_sentence(app, hours, text):
    with app.test_request_context():
        assert ApprovalHelp(timedelta(hours=hours), []).usual_wait_sentence == \
            f"In this house, approval usually takes {text} after you confirm your address."
