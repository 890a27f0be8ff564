"""Developers manage houses in the browser (/dev/houses): create, rename, rooms one by one and in bulk, common
areas, admins (linked or invited by email), removal refused while something refers to the house or its parts;
bad input keeps the form and stores nothing."""
import sqlalchemy as sa

from app.extensions import db
from app.models import Role, User
from app.models.houses import CommonArea, House, Room
from app.models.issues import Issue
from tests.auth.accounts import account, accounts_count, mails, path_of

NEW_PASSWORD = "maroon-ladder-quietly-77"


def snapshot(app) -> dict:
    """Everything about houses, as plain data (to show nothing changed)."""
    with app.app_context():
        houses = db.session.scalars(sa.select(House).order_by(House.slug)).all()
        return {h.slug: (h.name, sorted(r.number for r in h.rooms), sorted(a.name for a in h.common_areas),
                         sorted(u.email for u in db.session.scalars(sa.select(User).where(User.role == Role.ADMIN))
                                if h in u.admin_houses))
                for h in houses}


def rooms_of(app, slug: str = "acacia") -> list[str]:
    return snapshot(app)[slug][1]


def part_id(app, model, house_slug: str, **where) -> int:
    with app.app_context():
        query = sa.select(model.id).join(House).where(House.slug == house_slug)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return db.session.scalar(query)


def in_room(app, issue_id: int, number: str) -> None:
    """Put an issue in a room of its house (make_issue makes them without one)."""
    with app.app_context():
        issue = db.session.get(Issue, issue_id)
        issue.room_id = db.session.scalar(sa.select(Room.id).where(Room.house_id == issue.house_id,
                                                                   Room.number == number))
        db.session.commit()


def test_developer_lists_houses_with_counts(app, login, developer, house, student, admin, make_house, make_issue):
    make_house("birch", rooms="1-3", common_areas=())
    make_issue(student, title="Tap drips")
    page = login(developer).get("/dev/houses").get_data(as_text=True)
    acacia = page[page.index("Acacia House"):page.index("Birch House")]
    assert [cell for cell in acacia.split("<td>")[1:5]] and "<td>10</td><td>1</td>" in acacia
    assert acacia.count("<td>1</td>") == 3  # one student, one admin, one open issue
    birch = page[page.index("Birch House"):]
    assert "<td>3</td><td>0</td>" in birch and "none" in birch  # no admin yet
    assert 'href="/dev/houses"' in login(developer).get("/dev/errors").get_data(as_text=True)  # in the navigation


def test_create_house_then_rename(app, login, developer):
    client = login(developer)
    response = client.post("/dev/houses", data={"name": " Eendrag ", "slug": "eendrag", "rooms": "101-103, G1",
                                                "areas": "Kitchen, Laundry, kitchen"})
    assert response.status_code == 302 and response.headers["Location"] == "/dev/houses/eendrag"
    assert snapshot(app)["eendrag"] == ("Eendrag", ["101", "102", "103", "G1"], ["Kitchen", "Laundry"], [])
    assert "Eendrag was created with 4 room(s)." in client.get("/dev/houses/eendrag").get_data(as_text=True)
    assert client.post("/dev/houses/eendrag/name", data={"house-name": "Eendrag Residence"}).status_code == 302
    assert snapshot(app)["eendrag"][0] == "Eendrag Residence"
    for bad in ["", "   ", "R" * 121, "Eendrag\x1bResidence"]:
        response = client.post("/dev/houses/eendrag/name", data={"house-name": bad})
        text = response.get_data(as_text=True)
        assert response.status_code == 400 and "must be 1 to 120 characters without control characters" in text
        if bad.strip() and "\x1b" not in bad:
            assert f'value="{bad}"' in text
    assert snapshot(app)["eendrag"][0] == "Eendrag Residence"
    assert client.post("/dev/houses", data={"name": "Birch", "slug": "birch"}).status_code == 302  # rooms later
    assert snapshot(app)["birch"][1] == []


def test_bad_new_house_keeps_the_form_and_stores_nothing(app, login, developer, house):
    client = login(developer)
    good = {"name": "Eendrag", "slug": "eendrag", "rooms": "101-103", "areas": "Kitchen"}
    before = snapshot(app)
    cases = [({"slug": "acacia"}, "already exists"),
             ({"slug": "Bad Slug"}, "slug may use lower-case letters"),
             ({"slug": "x" * 61}, "slug may use lower-case letters"),
             ({"slug": "a\x00b"}, "slug may use lower-case letters"),
             ({"name": ""}, "The house name &#39;&#39; must be 1 to 120 characters"),
             ({"name": "N" * 121}, "must be 1 to 120 characters"),
             ({"name": "Bad\x00Name"}, "without control characters"),
             ({"rooms": "9-1"}, "Bad room range"),
             ({"rooms": "101,101"}, "The same room is listed twice"),
             ({"rooms": "1\r\n2"}, "Bad room number"),
             ({"areas": "Kitchen," + "K" * 81}, "common area"),
             ({"areas": "Kit\x07chen"}, "without control characters")]
    for overrides, message in cases:
        response = client.post("/dev/houses", data={**good, **overrides})
        text = response.get_data(as_text=True)
        assert response.status_code == 400, overrides
        assert message in text, (overrides, text[-3000:])
        for name, value in good.items():
            if name not in overrides:
                assert f'value="{value}"' in text, (overrides, name)
        assert 'aria-invalid="true"' in text, overrides  # the message sits on the field at fault
    assert snapshot(app) == before


def test_rooms_one_by_one_and_in_bulk_and_removal_rules(app, login, developer, house, student, make_issue, make_user):
    client = login(developer)
    assert client.post("/dev/houses/acacia/rooms", data={"rooms-rooms": "G1"}).status_code == 302
    assert client.post("/dev/houses/acacia/rooms", data={"rooms-rooms": "201-205,B2"}).status_code == 302
    assert rooms_of(app) == sorted([str(n) for n in range(101, 111)] + ["G1", "B2"] + [str(n) for n in range(201, 206)])
    before = snapshot(app)
    for spec, message in [("205-207", "already has room(s) 205; nothing was added"), ("g1", "already has room(s) G1"),
                          ("", "give at least one room number".capitalize()), ("1-9999", "Bad room range"),
                          ("x" * 2001, "longer than 2000 characters"), ("a\x00", "Bad room number")]:
        response = client.post("/dev/houses/acacia/rooms", data={"rooms-rooms": spec})
        assert response.status_code == 400 and message in response.get_data(as_text=True), spec
        if spec and "\x00" not in spec and len(spec) < 100:
            assert f'value="{spec}"' in response.get_data(as_text=True)
    assert snapshot(app) == before

    in_room(app, make_issue(student, title="Window stuck"), "101")
    make_user(Role.STUDENT, house=house, room="102", email="other@example.ac.za")
    make_issue(student, title="Tap", area_id=house.common_area_ids[0])
    lived_in = client.post(f"/dev/houses/acacia/rooms/{part_id(app, Room, 'acacia', number='102')}/remove")
    assert lived_in.status_code == 409 and "Room 102 cannot be removed: 1 account(s)" in lived_in.get_data(as_text=True)
    with app.app_context():  # the student moved out of 101: the issue still refers to it
        db.session.execute(sa.update(User).where(User.id == student.id).values(room_id=None))
        db.session.commit()
    referred = client.post(f"/dev/houses/acacia/rooms/{part_id(app, Room, 'acacia', number='101')}/remove")
    assert referred.status_code == 409 and "1 issue(s) refer to it" in referred.get_data(as_text=True)
    g1 = part_id(app, Room, "acacia", number="G1")
    assert client.post(f"/dev/houses/acacia/rooms/{g1}/remove").status_code == 302
    assert "G1" not in rooms_of(app) and {"101", "102"} <= set(rooms_of(app))


def test_common_areas_add_rename_remove(app, login, developer, house, student, make_issue):
    client = login(developer)
    assert client.post("/dev/houses/acacia/areas", data={"new-area": " Study room "}).status_code == 302
    study = part_id(app, CommonArea, "acacia", name="Study room")
    kitchen = house.common_area_ids[0]
    for area_id, name in [(study, "Quiet study"), (kitchen, "kitchen")]:  # a change of case is no clash with itself
        assert client.post(f"/dev/houses/acacia/areas/{area_id}", data={f"area{area_id}-area": name}).status_code == 302
    assert snapshot(app)["acacia"][2] == ["Laundry", "Quiet study", "kitchen"]
    before = snapshot(app)
    for url, data, message in [
            ("/dev/houses/acacia/areas", {"new-area": "LAUNDRY"}, "already has a common area called"),
            ("/dev/houses/acacia/areas", {"new-area": ""}, "must be 1 to 80 characters"),
            ("/dev/houses/acacia/areas", {"new-area": "A" * 81}, "must be 1 to 80 characters"),
            (f"/dev/houses/acacia/areas/{study}", {f"area{study}-area": "Laundry"}, "already has a common area"),
            (f"/dev/houses/acacia/areas/{study}", {f"area{study}-area": "Tab\there"}, "without control characters")]:
        response = client.post(url, data=data)
        text = response.get_data(as_text=True)
        assert response.status_code == 400 and message in text, (data, text[-2000:])
        value = next(iter(data.values()))
        if "\t" not in value:
            assert f'value="{value}"' in text
    assert snapshot(app) == before
    make_issue(student, title="Tap", area_id=kitchen)
    refused = client.post(f"/dev/houses/acacia/areas/{kitchen}/remove")
    assert refused.status_code == 409 and "rename it instead" in refused.get_data(as_text=True)
    assert client.post(f"/dev/houses/acacia/areas/{study}/remove").status_code == 302
    assert snapshot(app)["acacia"][2] == ["Laundry", "kitchen"]


def test_parts_of_another_house_are_not_found(app, login, developer, house, make_house):
    birch = make_house("birch")
    client = login(developer)
    birch_room = part_id(app, Room, "birch", number="101")
    assert client.post(f"/dev/houses/acacia/rooms/{birch_room}/remove").status_code == 404
    assert client.post(f"/dev/houses/acacia/areas/{birch.common_area_ids[0]}/remove").status_code == 404
    assert client.post(f"/dev/houses/acacia/areas/{birch.common_area_ids[0]}", data={}).status_code == 404
    assert client.get("/dev/houses/no-such-house").status_code == 404
    assert len(snapshot(app)["birch"][1]) == 10


def test_new_admin_is_invited_sets_a_password_and_sees_the_house(app, client, auth, developer, house):
    auth.login(developer)
    response = client.post("/dev/houses/acacia/admins", data={"admin-email": "Warden@Example.com",
                                                              "admin-name": "Wanda Warden"})
    assert response.status_code == 302
    assert "emailed a link to choose their password" in client.get("/dev/houses/acacia").get_data(as_text=True)
    created = account(app, "warden@example.com")
    assert created.has_password is False and created.verified is False
    [invite] = mails(app, "admin_invite")
    assert invite.to == "warden@example.com" and invite.purpose == "security"
    assert invite.context["house"] == "Acacia House" and invite.cause == f"developer:{developer.id}"
    auth.logout()
    assert client.post(path_of(invite.context["link"]),
                       data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    auth.logout()
    assert auth.login("warden@example.com", NEW_PASSWORD).status_code == 302
    assert client.get("/admin/").status_code == 200 and client.get("/houses/acacia/poster").status_code == 200
    assert client.get("/dev/houses").status_code == 403


def test_existing_admin_is_linked_and_removed(app, login, developer, house, admin, make_house):
    make_house("birch")
    client = login(developer)
    assert client.post("/dev/houses/birch/admins", data={"admin-email": admin.email}).status_code == 302
    assert snapshot(app)["birch"][3] == [admin.email] and mails(app) == []  # no new account, no email
    again = client.post("/dev/houses/birch/admins", data={"admin-email": admin.email})
    assert again.status_code == 400 and "already an admin of Birch House" in again.get_data(as_text=True)
    removed = client.post(f"/dev/houses/birch/admins/{admin.id}/remove")
    assert removed.status_code == 302
    assert "has no admin now" in client.get("/dev/houses/birch").get_data(as_text=True)
    assert snapshot(app)["birch"][3] == [] and snapshot(app)["acacia"][3] == [admin.email]
    assert client.post(f"/dev/houses/birch/admins/{admin.id}/remove").status_code == 404  # not its admin any more


def test_bad_admin_input_keeps_the_form_and_stores_nothing(app, login, developer, house, student):
    client = login(developer)
    before, count = snapshot(app), accounts_count(app)
    good = {"admin-email": "new.admin@example.com", "admin-name": "New Admin"}
    cases = [({"admin-email": "not-an-address"}, "plain email address"),
             ({"admin-email": ""}, "plain email address"),
             ({"admin-email": "é@example.com"}, "plain email address"),
             ({"admin-name": ""}, "needs a name: name is missing"),
             ({"admin-name": "N" * 121}, "longer than 120"),
             ({"admin-name": "Bad\x00Name"}, "control characters"),
             ({"admin-email": student.email}, "already has a student account, not an admin account")]
    for overrides, message in cases:
        response = client.post("/dev/houses/acacia/admins", data={**good, **overrides})
        text = response.get_data(as_text=True)
        assert response.status_code == 400 and message in text, (overrides, text[-2000:])
        for name, value in good.items():
            if name not in overrides:
                assert f'value="{value}"' in text, (overrides, name)
    assert snapshot(app) == before and accounts_count(app) == count and mails(app) == []


def test_invite_over_the_mail_share_stores_no_account(app, login, developer, house):
    app.config["MAIL_DAILY_LIMIT"] = 20  # a developer's share: 1 email a day
    client = login(developer)
    assert client.post("/dev/houses/acacia/admins", data={"admin-email": "one@example.com",
                                                          "admin-name": "One"}).status_code == 302
    count = accounts_count(app)
    response = client.post("/dev/houses/acacia/admins", data={"admin-email": "two@example.com", "admin-name": "Two"})
    assert response.status_code == 400 and "nothing was stored" in response.get_data(as_text=True)
    assert accounts_count(app) == count and account(app, "two@example.com") is None
    assert [m.to for m in mails(app, "admin_invite")] == ["one@example.com"]


def test_remove_house_only_when_nothing_refers_to_it(app, login, developer, house, student, make_issue, make_house,
                                                     admin):
    birch = make_house("birch")
    client = login(developer)
    assert client.post("/dev/houses/birch/admins", data={"admin-email": admin.email}).status_code == 302
    wrong = client.post("/dev/houses/birch/remove", data={"remove-confirm": "acacia"})
    assert wrong.status_code == 400 and "Type birch to confirm." in wrong.get_data(as_text=True)
    make_issue(student, title="Door")
    with_issue = client.post("/dev/houses/acacia/remove", data={"remove-confirm": "acacia"})
    assert with_issue.status_code == 409
    assert "Acacia House cannot be removed: 1 issue(s) were reported in it" in with_issue.get_data(as_text=True)
    assert client.post("/dev/houses/birch/remove", data={"remove-confirm": "birch"}).status_code == 302
    assert "birch" not in snapshot(app) and "acacia" in snapshot(app)
    with app.app_context():
        assert [h.slug for h in db.session.get(User, admin.id).admin_houses] == ["acacia"]
        assert db.session.scalar(sa.select(sa.func.count(Room.id)).where(Room.house_id == birch.id)) == 0


def test_house_with_residents_is_not_removed(app, login, developer, house, student):
    response = login(developer).post("/dev/houses/acacia/remove", data={"remove-confirm": "acacia"})
    assert response.status_code == 409 and "1 account(s) belong to it" in response.get_data(as_text=True)
    assert "acacia" in snapshot(app)


def test_expired_form_changes_nothing(app, login, developer, house):
    client = login(developer)
    app.config["WTF_CSRF_ENABLED"] = True
    before = snapshot(app)
    assert client.post("/dev/houses/acacia/rooms", data={"rooms-rooms": "900"}).status_code == 400
    assert client.post(f"/dev/houses/acacia/areas/{house.common_area_ids[1]}/remove").status_code == 400
    assert client.post("/dev/houses", data={"name": "X", "slug": "x"}).status_code == 400
    assert snapshot(app) == before


def test_a_slug_taken_between_check_and_write_is_a_clear_refusal(app, login, developer, house, monkeypatch):
    """Two developers creating the same slug at once: the database's unique key refuses the second."""
    monkeypatch.setattr("app.house_setup._check_slug", lambda slug: None)  # as if the other one had not committed yet
    before = snapshot(app)
    response = login(developer).post("/dev/houses", data={"name": "Second Acacia", "slug": "acacia"})
    assert response.status_code == 400 and "at the same moment; nothing was stored" in response.get_data(as_text=True)
    assert 'value="Second Acacia"' in response.get_data(as_text=True) and snapshot(app) == before


def test_contacts_are_saved_checked_and_cleared(app, login, developer, house):
    client = login(developer)
    page = client.get("/dev/houses/acacia").get_data(as_text=True)
    assert "Save contacts" in page and 'name="contacts-admin_email"' in page
    response = client.post("/dev/houses/acacia/contacts", data={
        "contacts-admin_email": " maintenance@acacia.example.ac.za ", "contacts-emergency_phone": "+27 21 555 0100"})
    assert response.status_code == 302
    with app.app_context():
        saved = db.session.scalar(sa.select(House).where(House.slug == "acacia"))
        assert (saved.admin_email, saved.emergency_phone) == ("maintenance@acacia.example.ac.za", "+27 21 555 0100")
    assert 'value="+27 21 555 0100"' in client.get("/dev/houses/acacia").get_data(as_text=True)
    for field, bad, says in [("admin_email", "two@a.za, three@b.za", "one email address"),
                             ("admin_email", "x@y.za\r\nBcc: all@y.za", "one email address"),
                             ("emergency_phone", "call 911 now", "may hold digits"),
                             ("emergency_phone", "1" * 41, "at most 40")]:
        data = {"contacts-admin_email": "", "contacts-emergency_phone": "", f"contacts-{field}": bad}
        refused = client.post("/dev/houses/acacia/contacts", data=data)
        assert refused.status_code == 400 and says in refused.get_data(as_text=True)
        with app.app_context():
            kept = db.session.scalar(sa.select(House.emergency_phone).where(House.slug == "acacia"))
            assert kept == "+27 21 555 0100"  # nothing half-stored
    assert client.post("/dev/houses/acacia/contacts", data={"contacts-admin_email": "",
                                                            "contacts-emergency_phone": ""}).status_code == 302
    with app.app_context():
        saved = db.session.scalar(sa.select(House).where(House.slug == "acacia"))
        assert (saved.admin_email, saved.emergency_phone) == (None, None)
