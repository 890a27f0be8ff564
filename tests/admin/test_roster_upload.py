"""/admin/residents/roster: upload a roster CSV, see what would change (new, moved, missing, bad rows) with nothing
stored, then apply it (the text carried signed, planned again), optionally retiring the students missing from it;
and the CLI import shares the same parser."""
import io
import re

import sqlalchemy as sa

from app.extensions import db
from app.models import Issue, Role, User
from app.models.residents import RoomMove
from tests.auth.accounts import account, accounts_count, mails

HEADER = "email,name,room\n"


def upload(client, text: str | bytes, house: str = "acacia"):
    data = text.encode() if isinstance(text, str) else text
    return client.post("/admin/residents/roster", data={"house": house, "file": (io.BytesIO(data), "roster.csv")},
                       content_type="multipart/form-data")


def token_of(response) -> str:
    return re.search(r'name="plan" type="hidden" value="([^"]+)"|type="hidden" name="plan" value="([^"]+)"|'
                     r'id="plan" name="plan" type="hidden" value="([^"]+)"', response.get_data(as_text=True)) \
        .group(0).rsplit('value="', 1)[1][:-1]


def snapshot(app) -> tuple:
    with app.app_context():
        users = db.session.execute(sa.select(User.email, User.name, User.room_id, User.deactivated_at)
                                   .order_by(User.email)).all()
        return tuple(users), db.session.scalar(sa.select(sa.func.count(RoomMove.id)))


def section(page: str, heading: str) -> str:
    start = page.index(heading)
    end = page.find("</section>", start)
    return page[start:end]


def residents(make_user, house):
    """Ana stays in 101, Ben moves from 102 to 103, Cai is not on the file."""
    return (make_user(Role.STUDENT, house=house, room="101", email="ana@example.ac.za", name="Ana A"),
            make_user(Role.STUDENT, house=house, room="102", email="ben@example.ac.za", name="Ben B"),
            make_user(Role.STUDENT, house=house, room="104", email="cai@example.ac.za", name="Cai C"))


ROSTER = HEADER + "ana@example.ac.za,Ana A,101\nBen@example.ac.za,Ben B,103\ndee@example.ac.za,Dee D,105\n"


def test_the_preview_shows_new_moved_and_missing_and_stores_nothing(app, login, admin, house, make_user):
    residents(make_user, house)
    client = login(admin)
    before = snapshot(app)
    response = upload(client, ROSTER)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "1 new, 1 moved, 0 other changes, 1 unchanged, 1 missing from the file" in page
    assert "dee@example.ac.za" in section(page, "New students (1)")
    moved = section(page, "Moved (1)")
    assert "ben@example.ac.za" in moved and "102 → 103" in moved
    assert "cai@example.ac.za" in section(page, "Missing from the file (1)")
    assert "Retire the students missing from the file" in page
    assert snapshot(app) == before and mails(app) == []


def test_a_roster_with_bad_rows_lists_them_and_offers_no_apply(app, login, admin, house, make_user):
    residents(make_user, house)
    client = login(admin)
    before = snapshot(app)
    response = upload(client, ROSTER + "not-an-email,X,101\nzed@example.ac.za,,999\nana@example.ac.za,Dup,106\n")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "3 problems; nothing was stored" in page
    assert "line 5: invalid email" in page and "line 6: name is missing" in page
    assert "room &#39;999&#39; is not in Acacia House" in page and "line 7: ana@example.ac.za is also on line 2" in page
    assert "Apply the roster" not in page
    assert snapshot(app) == before


def test_applying_stores_the_plan_with_history_and_invites(app, login, admin, house, make_user):
    ana, ben, cai = residents(make_user, house)
    client = login(admin)
    response = client.post("/admin/residents/roster/apply", data={"plan": token_of(upload(client, ROSTER))})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/residents?house=acacia"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Roster stored: 1 new, 1 updated, 1 unchanged." in page and "Dee D" in page
    dee = account(app, "dee@example.ac.za")
    assert (dee.room, dee.approved, dee.verified) == ("105", True, False)
    assert account(app, ben.email).room == "103"
    assert not account(app, cai.email).deactivated  # not retired unless asked
    assert [m.to for m in mails(app, "account_invite")] == ["dee@example.ac.za"]
    with app.app_context():
        [move] = db.session.scalars(sa.select(RoomMove).where(RoomMove.user_id == ben.id)).all()
        assert (move.from_room.number, move.to_room.number, move.moved_by_id, move.reason) == \
            ("102", "103", admin.id, "roster import")
    assert "roster import" in client.get(f"/admin/residents/{ben.id}").get_data(as_text=True)


def test_retiring_deactivates_the_missing_students_and_keeps_their_issues(app, login, admin, house, make_user,
                                                                        make_issue):
    ana, ben, cai = residents(make_user, house)
    issue_id = make_issue(cai, title="Cai's window")
    client = login(admin)
    token = token_of(upload(client, ROSTER))
    response = client.post("/admin/residents/roster/apply", data={"plan": token, "retire": "y"}, follow_redirects=True)
    assert "1 retired" in response.get_data(as_text=True)
    retired = account(app, cai.email)
    assert retired is not None and retired.deactivated  # never deleted
    assert not account(app, ana.email).deactivated
    with app.app_context():
        assert db.session.get(Issue, issue_id).reporter_id == cai.id


def test_applying_plans_again_when_the_students_changed_meanwhile(app, login, admin, house, make_user):
    residents(make_user, house)
    client = login(admin)
    token = token_of(upload(client, ROSTER))
    make_user(Role.STUDENT, house=house, room="107", email="eve@example.ac.za", name="Eve E")  # after the preview
    before = snapshot(app)
    response = client.post("/admin/residents/roster/apply", data={"plan": token, "retire": "y"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "changed since your preview" in page
    assert "eve@example.ac.za" in section(page, "Missing from the file (2)")
    assert snapshot(app) == before
    assert client.post("/admin/residents/roster/apply", data={"plan": token_of(response)}).status_code == 302
    assert account(app, "dee@example.ac.za") is not None


def test_a_forged_or_foreign_preview_is_refused(app, login, admin, house, make_user, make_house):
    client = login(admin)
    token = token_of(upload(client, ROSTER))
    head, _, rest = token.partition(".")
    forged = client.post("/admin/residents/roster/apply", data={"plan": head[:-2] + "xx." + rest})
    assert forged.status_code == 400 and "upload the roster again" in forged.get_data(as_text=True)
    other = make_user(Role.ADMIN, admin_of=[make_house("birch")], email="other@example.ac.za")
    other_client = app.test_client()
    other_client.post("/login", data={"email": other.email, "password": other.password})
    assert other_client.post("/admin/residents/roster/apply", data={"plan": token}).status_code == 400
    assert client.post("/admin/residents/roster/apply", data={"plan": ""}).status_code == 400
    big = client.post("/admin/residents/roster/apply", data={"plan": "x" * 300_000})  # a 512 KB file's size
    assert big.status_code == 400 and "upload the roster again" in big.get_data(as_text=True)
    assert accounts_count(app) == 2


def test_odd_files_get_a_clear_message(app, login, admin, house):
    client = login(admin)
    before = snapshot(app)
    for data, message in [("email,name,room\nzoe@example.ac.za,Zo\xeb,101\n".encode("latin-1"), "not UTF-8 text"),
                          (b"email,name,room\nx@example.ac.za,A\x00B,101\n", "NUL bytes"),
                          (b"", "The file is empty"),
                          (b"x" * (512 * 1024 + 1), "larger than 512 KB"),
                          (b"mail,who\nx@example.ac.za,X\n", "missing column(s) email, name, room"),
                          (b'email,name,room\n"x@example.ac.za,X,101\n', "")]:
        response = upload(client, data)
        assert response.status_code == 400 and message in response.get_data(as_text=True), message
    assert upload(client, ROSTER, house="birch").status_code == 400  # not a house of theirs
    assert snapshot(app) == before


def test_a_bom_and_windows_line_ends_are_fine(app, login, admin, house):
    client = login(admin)
    response = upload(client, "\ufeff" + ROSTER.replace("\n", "\r\n"))
    assert response.status_code == 200 and "3 new" in response.get_data(as_text=True)


def test_the_cli_import_retires_missing_students_when_asked(app, runner, house, make_user, tmp_path):
    ana, ben, cai = residents(make_user, house)
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER)
    result = runner.invoke(args=["users", "import-roster", str(path), "--house", "acacia", "--retire-missing"])
    assert result.exit_code == 0, result.output
    assert "1 created, 1 updated, 1 unchanged. 1 retired." in result.output
    assert account(app, cai.email).deactivated and account(app, ben.email).room == "103"
    with app.app_context():
        move = db.session.scalar(sa.select(RoomMove).where(RoomMove.user_id == ben.id))
        assert (move.moved_by_id, move.reason) == (None, "roster import")


def test_students_placed_in_occupied_rooms_are_flagged_and_need_shared_rooms(app, login, admin, house, make_user):
    """A newcomer placed in Ana's room, Ben moved into Cai's (Cai not on the file, so staying): both flagged as
    approval flags a shared room; applying asks for 'shared rooms' first and stores nothing without it."""
    residents(make_user, house)
    client = login(admin)
    roster = HEADER + "ana@example.ac.za,Ana A,101\nben@example.ac.za,Ben B,104\nfay@example.ac.za,Fay F,101\n"
    page = upload(client, roster).get_data(as_text=True)
    assert "1 new, 1 moved, 0 other changes, 1 unchanged, 1 missing from the file. 2 shared rooms." in page
    shared = section(page, "Shared rooms: the file places a student where another lives (2)")
    assert "<td>101</td><td>Fay F</td><td>Ana A</td>" in shared and "<td>104</td><td>Ben B</td><td>Cai C</td>" in shared
    before = snapshot(app)
    refused = client.post("/admin/residents/roster/apply", data={"plan": token_of(upload(client, roster))})
    assert refused.status_code == 409 and snapshot(app) == before
    assert "Nothing was stored: this file places students in rooms another student lives" in refused.get_data(
        as_text=True) and "The students changed since your preview" not in refused.get_data(as_text=True)
    response = client.post("/admin/residents/roster/apply", data={"plan": token_of(refused), "shared": "y"})
    assert response.status_code == 302
    assert account(app, "fay@example.ac.za").room == "101" and account(app, "ben@example.ac.za").room == "104"


def test_two_newcomers_in_an_empty_room_are_a_shared_room_and_a_vacated_room_is_not(app, login, admin, house,
                                                                                   make_user):
    residents(make_user, house)
    client = login(admin)
    roster = HEADER + ("ana@example.ac.za,Ana A,106\nben@example.ac.za,Ben B,101\ncai@example.ac.za,Cai C,104\n"
                       "gus@example.ac.za,Gus G,107\nhal@example.ac.za,Hal H,107\n")
    page = upload(client, roster).get_data(as_text=True)
    assert "1 shared room." in page  # Ben takes 101 as Ana leaves it: not shared
    assert "<td>107</td><td>Gus G, Hal H</td><td>–</td>" in section(page, "Shared rooms")
