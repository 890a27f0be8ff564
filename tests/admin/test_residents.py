"""/admin/residents: a house admin lists, adds, renames and moves the students of their houses (room changes kept
with history); an occupied room needs "shared"; other houses' students and rooms are not theirs."""
import threading
from functools import partial

import sqlalchemy as sa

from app.admin import residents
from app.extensions import db
from app.models import Role
from app.models.residents import RoomMove
from tests.auth.accounts import account, accounts_count, mails
from tests.races import race


def moves(app, user_id: int) -> list[tuple]:
    with app.app_context():
        rows = db.session.scalars(sa.select(RoomMove).where(RoomMove.user_id == user_id).order_by(RoomMove.id))
        return [(m.from_room.number if m.from_room else None, m.to_room.number, m.moved_by_id, m.reason)
                for m in rows]


def add_form(**overrides) -> dict:
    return {"name": "Lindiwe Dube", "email": "lindiwe@example.ac.za", "house": "acacia", "room": "105",
            **overrides}


def test_the_list_shows_their_students_with_standing_search_and_house_filter(app, login, make_user, make_house,
                                                                             house):
    birch = make_house("birch")
    admin = make_user(Role.ADMIN, admin_of=[house, birch])
    make_user(Role.STUDENT, house=house, email="ana@example.ac.za", name="Ana Acacia")
    make_user(Role.STUDENT, house=birch, email="ben@example.ac.za", name="Ben Birch")
    make_user(Role.STUDENT, house=make_house("cedar"), email="cai@example.ac.za", name="Cai Cedar")
    make_user(Role.STAFF, staff_of=[house], email="fixit@example.ac.za", name="Fix It")
    client = login(admin)
    page = client.get("/admin/residents").get_data(as_text=True)
    assert "Ana Acacia" in page and "Ben Birch" in page and "Active" in page
    assert "Cai Cedar" not in page and "Fix It" not in page
    page = client.get("/admin/residents?house=birch").get_data(as_text=True)
    assert "Ben Birch" in page and "Ana Acacia" not in page
    page = client.get("/admin/residents?q=ana").get_data(as_text=True)
    assert "Ana Acacia" in page and "Ben Birch" not in page
    assert client.get("/admin/residents?house=cedar").status_code == 404
    assert "Students" in client.get("/admin/").get_data(as_text=True)  # in the admin's navigation


def test_the_list_pages(app, login, admin, house):
    with app.app_context():
        from app.models import User
        db.session.add_all([User(email=f"s{i:03}@example.ac.za", name=f"S {i:03}", role=Role.STUDENT,
                                 house_id=house.id) for i in range(55)])
        db.session.commit()
    client = login(admin)
    first = client.get("/admin/residents").get_data(as_text=True)
    assert "S 000" in first and "S 054" not in first and "55 students" in first and "Next" in first
    second = client.get("/admin/residents?page=2").get_data(as_text=True)
    assert "S 054" in second and "S 000" not in second


def test_adding_a_student_creates_an_unverified_account_and_queues_its_invite(app, login, admin, house):
    client = login(admin)
    response = client.post("/admin/residents/new", data=add_form())
    assert response.status_code == 302
    lindiwe = account(app, "lindiwe@example.ac.za")
    assert response.headers["Location"] == f"/admin/residents/{lindiwe.id}"
    assert (lindiwe.approved, lindiwe.verified, lindiwe.has_password, lindiwe.room) == (True, False, False, "105")
    [invite] = mails(app, "account_invite")
    assert invite.to == "lindiwe@example.ac.za" and invite.context["house"] == "Acacia House"
    assert "/password/reset/" in invite.context["link"]
    assert moves(app, lindiwe.id) == [(None, "105", admin.id, "added by a house admin")]
    page = client.get(f"/admin/residents/{lindiwe.id}").get_data(as_text=True)
    assert "Email not confirmed" in page and "Room history" in page and "added by a house admin" in page


def test_adding_refuses_bad_input_keeping_it(app, login, admin, house, make_user):
    make_user(Role.STUDENT, house=house, email="taken@example.ac.za")
    client = login(admin)
    before = accounts_count(app)
    for data, message in [(add_form(email="x@gmail.com"), "is not a university address"),
                          (add_form(name=""), "Name is missing"),
                          (add_form(name="A\x00B"), "control characters"),
                          (add_form(room="999"), "There is no room 999 in Acacia House"),
                          (add_form(house="birch"), "There is no such house among yours"),
                          (add_form(email="taken@example.ac.za"), "already has an account")]:
        response = client.post("/admin/residents/new", data=data)
        page = response.get_data(as_text=True)
        assert response.status_code in (400, 409) and message in page, message
        assert 'value="Lindiwe Dube"' in page or data["name"] != "Lindiwe Dube"
    assert accounts_count(app) == before and mails(app) == []


def test_an_occupied_room_needs_the_shared_box(app, login, admin, house, make_user):
    make_user(Role.STUDENT, house=house, room="105", email="ana@example.ac.za", name="Ana Here")
    client = login(admin)
    refused = client.post("/admin/residents/new", data=add_form())
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "already home to Ana Here" in page and 'value="lindiwe@example.ac.za"' in page
    assert account(app, "lindiwe@example.ac.za") is None and mails(app) == []
    assert client.post("/admin/residents/new", data=add_form(shared="y")).status_code == 302
    assert account(app, "lindiwe@example.ac.za").room == "105"


def test_renaming_a_student(app, login, admin, student):
    client = login(admin)
    assert client.post(f"/admin/residents/{student.id}/name", data={"name": "  New Name "}).status_code == 302
    assert account(app, student.email).name == "New Name"
    response = client.post(f"/admin/residents/{student.id}/name", data={"name": "N" * 121})
    assert response.status_code == 400 and "longer than 120" in response.get_data(as_text=True)
    assert account(app, student.email).name == "New Name"


def test_moving_a_student_keeps_the_history(app, login, make_user, student, house, make_house):
    birch = make_house("birch", rooms="1-5")
    admin = make_user(Role.ADMIN, admin_of=[house, birch])
    client = login(admin)
    response = client.post(f"/admin/residents/{student.id}/move",
                           data={"house": "acacia", "room": "107", "reason": "Leak in 101"})
    assert response.status_code == 302
    assert client.post(f"/admin/residents/{student.id}/move", data={"house": "birch", "room": "3"}).status_code == 302
    moved = account(app, student.email)
    assert (moved.house_id, moved.room) == (birch.id, "3")
    assert moves(app, student.id) == [("101", "107", admin.id, "Leak in 101"), ("107", "3", admin.id, "")]
    page = client.get(f"/admin/residents/{student.id}").get_data(as_text=True)
    assert page.index("→ Birch House 3") < page.index("→ Acacia House 107") and "Leak in 101" in page
    same = client.post(f"/admin/residents/{student.id}/move", data={"house": "birch", "room": "3"})
    assert same.status_code == 409 and "already lives in room 3" in same.get_data(as_text=True)


def test_moving_into_an_occupied_room_needs_confirmation(app, login, admin, student, house, make_user):
    make_user(Role.STUDENT, house=house, room="108", email="ana@example.ac.za", name="Ana Here")
    client = login(admin)
    refused = client.post(f"/admin/residents/{student.id}/move",
                          data={"house": "acacia", "room": "108", "reason": "Swap"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "already home to Ana Here" in page
    assert 'value="108"' in page and 'value="Swap"' in page  # the input is kept
    assert account(app, student.email).room == "101" and moves(app, student.id) == []
    shared = client.post(f"/admin/residents/{student.id}/move",
                         data={"house": "acacia", "room": "108", "reason": "Swap", "shared": "y"})
    assert shared.status_code == 302 and account(app, student.email).room == "108"


def test_other_houses_students_and_rooms_are_not_theirs(app, login, admin, house, make_house, make_user):
    birch = make_house("birch")
    elsewhere = make_user(Role.STUDENT, house=birch, email="elsewhere@example.ac.za")
    mine = make_user(Role.STUDENT, house=house, email="mine@example.ac.za")
    colleague = make_user(Role.ADMIN, admin_of=[house], email="colleague@example.ac.za")
    client = login(admin)
    for target in (elsewhere, colleague):
        assert client.get(f"/admin/residents/{target.id}").status_code == 404
        assert client.post(f"/admin/residents/{target.id}/name", data={"name": "X"}).status_code == 404
        assert client.post(f"/admin/residents/{target.id}/move",
                           data={"house": "acacia", "room": "102"}).status_code == 404
    response = client.post(f"/admin/residents/{mine.id}/move", data={"house": "birch", "room": "102"})
    assert response.status_code == 400 and "no such house among yours" in response.get_data(as_text=True)
    assert account(app, mine.email).house_id == house.id and moves(app, mine.id) == []
    assert account(app, elsewhere.email).name == "Test User"


def test_deactivating_from_the_students_page_comes_back_to_it(app, login, admin, student):
    client = login(admin)
    page = client.get(f"/admin/residents/{student.id}").get_data(as_text=True)
    assert f'action="/admin/accounts/{student.id}/deactivate"' in page
    response = client.post(f"/admin/accounts/{student.id}/deactivate",
                           data={"next": f"/admin/residents/{student.id}"})
    assert response.headers["Location"] == f"/admin/residents/{student.id}"
    assert account(app, student.email).deactivated
    assert "Reactivate" in client.get(f"/admin/residents/{student.id}").get_data(as_text=True)
    response = client.post(f"/admin/accounts/{student.id}/reactivate", data={"next": "//evil.example/"})
    assert response.headers["Location"].startswith("/admin/accounts")  # only a local page
    assert not account(app, student.email).deactivated


def test_an_admin_may_deactivate_their_houses_staff_but_no_admin(app, login, admin, house, make_house, make_user):
    ours = make_user(Role.STAFF, staff_of=[house], email="ours@example.ac.za")
    theirs = make_user(Role.STAFF, staff_of=[make_house("birch")], email="theirs@example.ac.za")
    colleague = make_user(Role.ADMIN, admin_of=[house], email="colleague@example.ac.za")
    developer = make_user(Role.DEVELOPER, email="dev@example.ac.za")
    client = login(admin)
    page = client.get("/admin/accounts").get_data(as_text=True)
    assert "ours@" in page and "theirs@" not in page and "colleague@" not in page
    assert client.post(f"/admin/accounts/{ours.id}/deactivate").status_code == 302
    assert account(app, ours.email).deactivated
    for target in (theirs, colleague, developer):
        assert client.post(f"/admin/accounts/{target.id}/deactivate").status_code == 404
        assert not account(app, target.email).deactivated


def test_anonymising_clears_the_reasons_in_the_room_history(app, login, admin, student):
    client = login(admin)
    client.post(f"/admin/residents/{student.id}/move", data={"house": "acacia", "room": "107",
                                                            "reason": "Test User asked for quiet"})
    assert client.post(f"/admin/accounts/{student.id}/anonymise").status_code == 302
    assert moves(app, student.id) == [("101", "107", admin.id, "")]


def test_the_students_data_download_holds_their_room_history(app, login, admin, student, auth, client):
    login(admin).post(f"/admin/residents/{student.id}/move", data={"house": "acacia", "room": "107", "reason": "Leak"})
    auth.logout()
    data = login(student).get("/account/data.json").get_json()
    assert [(m["from"], m["to"], m["reason"]) for m in data["room_history"]] == [("101", "107", "Leak")]


def test_two_admins_moving_two_students_into_one_empty_room_at_once(app, make_user, house, monkeypatch):
    """Each move waits, after looking who lives in the room, for the other to look too (a while at most: with the
    room locked, the other cannot look until the first has stored its move)."""
    students = [make_user(Role.STUDENT, house=house, room=room, email=f"s{room}@example.ac.za") for room in
                ("101", "102")]
    clients = []
    for n in range(2):
        admin = make_user(Role.ADMIN, admin_of=[house], email=f"admin{n}@example.ac.za")
        c = app.test_client()
        assert c.post("/login", data={"email": admin.email, "password": admin.password}).status_code == 302
        clients.append(c)
    looked = threading.Barrier(2)
    real_occupants = residents.occupants

    def occupants(*args, **kwargs):
        found = real_occupants(*args, **kwargs)
        try:
            looked.wait(timeout=2)
        except threading.BrokenBarrierError:
            pass
        return found

    monkeypatch.setattr(residents, "occupants", occupants)

    answers = race((partial(c.post, f"/admin/residents/{s.id}/move", data={"house": "acacia", "room": "109"})
                    for c, s in zip(clients, students, strict=True)), timeout=60)
    assert sorted(r.status_code for r in answers) == [302, 409]
    assert sorted(account(app, s.email).room for s in students) in (["101", "109"], ["102", "109"])
