"""The flask CLI: houses, users, roster import, demo data."""
import sqlalchemy as sa

from app.extensions import db
from app.models import House, OutboxEmail, Role, User


def users(app):
    with app.app_context():
        return {u.email: (u.name, u.room.number if u.room else None, u.role)
                for u in db.session.scalars(sa.select(User))}


def test_houses_create(runner, app):
    result = runner.invoke(args=["houses", "create", "Eendrag", "--slug", "eendrag", "--rooms", "101-140,G1",
                                 "--common-areas", "Kitchen, Laundry"])
    assert result.exit_code == 0, result.output
    assert "41 rooms and 2 common areas" in result.output
    with app.app_context():
        house = db.session.scalar(sa.select(House).where(House.slug == "eendrag"))
        assert [r.number for r in house.rooms][:2] == ["101", "102"]
        assert sorted(a.name for a in house.common_areas) == ["Kitchen", "Laundry"]


def test_houses_create_refuses_bad_slug_and_duplicates(runner, house):
    assert "slug may use" in runner.invoke(args=["houses", "create", "X", "--slug", "Bad Slug", "--rooms", "1"]).output
    assert "already exists" in runner.invoke(args=["houses", "create", "X", "--slug", "acacia", "--rooms", "1"]).output
    assert "bad room range" in runner.invoke(args=["houses", "create", "X", "--slug", "x", "--rooms", "9-1"]).output


def test_users_create_reads_password_from_stdin(runner, app, house):
    result = runner.invoke(args=["users", "create", "Warden@example.ac.za", "--role", "admin", "--house", "acacia"],
                           input="a-long-password\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "warden@example.ac.za"))
        assert user.role == Role.ADMIN and [h.slug for h in user.admin_houses] == ["acacia"]
        assert user.check_password("a-long-password")


def test_users_create_student_needs_room(runner, app, house):
    result = runner.invoke(args=["users", "create", "s@example.ac.za", "--role", "student", "--house", "acacia",
                                 "--room", "999"], input="a-long-password\n")
    assert result.exit_code != 0 and "no room 999" in result.output
    assert users(app) == {}


def test_users_create_rejects_short_password(runner, app):
    result = runner.invoke(args=["users", "create", "d@example.ac.za", "--role", "developer"], input="short\n")
    assert result.exit_code != 0 and "at least 10 characters" in result.output
    assert users(app) == {}


ROSTER = "email,name,room\nAna@example.ac.za,Ana A,101\nben@example.ac.za,Ben B,102\n"


def test_import_roster_then_reimport_changes_nothing(runner, app, house, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER)
    first = runner.invoke(args=["users", "import-roster", str(roster), "--house", "acacia"])
    assert first.exit_code == 0 and "2 created" in first.output
    assert "2 invitation(s) to set a password queued" in first.output
    before = users(app)
    assert before == {"ana@example.ac.za": ("Ana A", "101", Role.STUDENT),
                      "ben@example.ac.za": ("Ben B", "102", Role.STUDENT)}
    second = runner.invoke(args=["users", "import-roster", str(roster), "--house", "acacia"])
    assert second.exit_code == 0 and "0 created, 0 updated, 2 unchanged" in second.output
    assert users(app) == before
    with app.app_context():
        invites = db.session.scalars(sa.select(OutboxEmail).order_by(OutboxEmail.to_address)).all()
        assert [(e.template, e.to_address) for e in invites] == [
            ("account_invite", "ana@example.ac.za"), ("account_invite", "ben@example.ac.za")]
        assert "/password/reset/" in invites[0].context["link"]


def test_invited_student_sets_password_from_link(runner, app, client, house, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER)
    runner.invoke(args=["users", "import-roster", str(roster), "--house", "acacia"])
    with app.app_context():
        link = db.session.scalar(
            sa.select(OutboxEmail).where(OutboxEmail.to_address == "ana@example.ac.za")).context["link"]
    response = client.post(link.removeprefix(app.config["BASE_URL"]),
                           data={"password": "ana-new-password", "confirm": "ana-new-password"})
    assert response.status_code == 302
    assert "Ana A" in client.get("/").get_data(as_text=True)


def test_import_roster_without_invites(runner, app, house, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER)
    result = runner.invoke(args=["users", "import-roster", str(roster), "--house", "acacia", "--no-invite"])
    assert result.exit_code == 0 and "invitation" not in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(OutboxEmail.id))) == 0


def test_import_roster_with_bad_rows_stores_nothing(runner, app, house, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(
        ROSTER + "not-an-email,C,103\nd@gmail.com,D,104\ne@example.ac.za,,999\nana@example.ac.za,Dup,105\n")
    result = runner.invoke(args=["users", "import-roster", str(roster), "--house", "acacia"])
    assert result.exit_code != 0
    assert "line 4: invalid email" in result.output
    assert "line 5: d@gmail.com is not a university address" in result.output
    assert "line 6: name is missing" in result.output and "room '999' is not in Acacia House" in result.output
    assert "line 7: ana@example.ac.za is also on line 2" in result.output
    assert users(app) == {}


def test_import_roster_needs_columns(runner, app, house, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("mail,who\nx@example.ac.za,X\n")
    result = runner.invoke(args=["users", "import-roster", str(roster), "--house", "acacia"])
    assert "missing column(s) email, name, room" in result.output


def test_seed_demo_once(runner, app):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0 and "dev@example.ac.za" in result.output
    assert "18 residents, 5 issues, 5 error groups" in result.output
    seeded = users(app)
    assert len(seeded) == 10 + 18  # a student, an admin and a staff member per house, a developer; residents
    with app.app_context():
        for email, _role in [line.split()[-1:] + [None] for line in result.output.splitlines() if "@" in line]:
            user = db.session.scalar(sa.select(User).where(User.email == email))
            assert user.check_password("demo-rooftop-lantern"), email
    assert "already has houses" in runner.invoke(args=["seed-demo"]).output
    assert users(app) == seeded


def test_houses_create_refuses_what_would_not_fit(runner, app):
    def create(name: str, rooms: str = "1-3", areas: str = "") -> str:
        return runner.invoke(args=["houses", "create", name, "--slug", "birch", "--rooms", rooms,
                                   "--common-areas", areas]).output

    assert "house name 'XXXX" in create("X" * 121) and "1 to 120 characters" in create("X" * 121)
    assert "house name '' must be" in create("  ")
    assert "common area" in create("Birch", areas="A" * 81)
    assert "give at least one room" in create("Birch", rooms=",")
    assert "the same room is listed twice" in create("Birch", rooms="G1,g1")  # MySQL would refuse it
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(House.id))) == 0
    assert "2 common areas" in create("Birch", areas="Kitchen,kitchen, Laundry")
    with app.app_context():
        house = db.session.scalar(sa.select(House))
        assert [a.name for a in house.common_areas] == ["Kitchen", "Laundry"]


def test_users_create_checks_email_and_name(runner, app, house):
    def create(email: str, *extra: str) -> str:
        return runner.invoke(args=["users", "create", email, *extra], input="a-long-password\n").output

    assert "not a valid plain email address" in create("not-an-email", "--role", "developer")
    assert "not a valid plain email address" in create("zoë@example.ac.za", "--role", "developer")
    assert "not a valid plain email address" in create("x" * 250 + "@example.ac.za", "--role", "developer")
    assert "name is longer than 120" in create("d@example.ac.za", "--role", "developer", "--name", "N" * 121)
    assert "not a university address" in create("s@gmail.com", "--role", "student", "--house", "acacia",
                                                "--room", "101")
    assert users(app) == {}
    assert "Created developer ops@gmail.com" in create("ops@gmail.com", "--role", "developer")  # staff: any domain


def test_import_roster_refuses_a_file_that_is_not_utf8(runner, app, house, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_bytes("email,name,room\nzoe@example.ac.za,Zo\xeb,101\n".encode("latin-1"))
    result = runner.invoke(args=["users", "import-roster", str(roster), "--house", "acacia"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)  # a message, no traceback
    assert "is not UTF-8 text" in result.output and "nothing was imported" in result.output
    assert users(app) == {}


def test_import_roster_reports_rows_the_mailer_could_not_use(runner, app, house, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text('email,name,room\nzoë@example.ac.za,Zoë,101\nnul@example.ac.za,"A\x00B",102\n'
                      'ok@example.ac.za,"Multi\nline",103\n')
    result = runner.invoke(args=["users", "import-roster", str(roster), "--house", "acacia"])
    assert result.exit_code == 1
    assert "line 2: 'zoë@example.ac.za' has characters our mail cannot be sent to" in result.output
    assert "line 3: name contains control characters" in result.output
    assert "line 5: name contains control characters" in result.output  # the row ends on line 5
    assert users(app) == {}


def test_import_roster_reports_a_broken_csv_file(runner, app, house, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("email,name,room\nok@example.ac.za,Ok,101\nx@example.ac.za," + "y" * 140_000 + ",102\n")
    result = runner.invoke(args=["users", "import-roster", str(roster), "--house", "acacia"])
    assert result.exit_code == 1 and "not a valid CSV file" in result.output and "line 3" in result.output
    assert users(app) == {}


def test_houses_add_and_remove_rooms_share_the_browser_rules(runner, app, house, student):
    assert "Added 2 room(s) to Acacia House." in runner.invoke(args=["houses", "add-rooms", "acacia", "G1,g2"]).output
    clash = runner.invoke(args=["houses", "add-rooms", "acacia", "110-112"])
    assert clash.exit_code != 0 and "already has room(s) 110; nothing was added" in clash.output
    assert "Removed room G1" in runner.invoke(args=["houses", "remove-room", "acacia", "G1"]).output
    lived_in = runner.invoke(args=["houses", "remove-room", "acacia", "101"])
    assert lived_in.exit_code != 0 and "room 101 cannot be removed: 1 account(s)" in lived_in.output
    assert "no house with slug" in runner.invoke(args=["houses", "add-rooms", "nope", "1"]).output
    with app.app_context():
        rooms = [r.number for r in db.session.scalar(sa.select(House).where(House.slug == "acacia")).rooms]
    assert "g2" in rooms and "G1" not in rooms and "111" not in rooms
