"""A person's data (app/auth/privacy.py): the JSON download, and anonymisation by the student, an admin of
their house, a developer or the CLI, after which nothing of the person is left in any table."""
import io
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image
from werkzeug.datastructures import FileStorage

from app.auth.privacy import FORMER
from app.errorlog.recorder import record
from app.extensions import db
from app.models import Base, Role, User
from app.models.issues import Issue, IssuePhoto
from app.models.mail import MailStatus, OutboxEmail
from app.models.move_in import Condition, MoveInAnswer, MoveInForm, MoveInPhoto
from app.photos import clean_image, store
from tests.conftest import PASSWORD
from tests.issues.conftest import make_issue, photo_file, report_data  # noqa: F401 - make_issue is a fixture

NAME, EMAIL = "Zanele Khumalo-Ngubane", "zanele.kn@example.ac.za"


@pytest.fixture
def zanele(make_user, house):
    return make_user(Role.STUDENT, email=EMAIL, name=NAME, house=house, room="101")


@pytest.fixture
def her_traces(app, client, login, zanele, admin, make_user, house):
    """Zanele reports with a photo, comments, drafts a move-in form with a photo, asks for a password link;
    an error is recorded during her request. Returns the stored photo keys."""
    login(zanele)
    data = report_data(description=f"Signed {NAME}, reach me at {EMAIL}")
    data["photos"] = [photo_file()]
    assert client.post("/issues/new", data=data, content_type="multipart/form-data").status_code == 302
    with app.app_context():
        issue = db.session.scalar(sa.select(Issue))
        assert client.post(f"/issues/{issue.id}/comment", data={"body": "Still dripping, Zanele"}).status_code == 302
        image = io.BytesIO()
        Image.new("RGB", (40, 30), (0, 120, 0)).save(image, "PNG")
        photo = store(clean_image(FileStorage(io.BytesIO(image.getvalue()), filename="wall.png")))
        form = MoveInForm(user_id=zanele.id, house_id=zanele.house_id, academic_year=2026, room_number="101")
        answer = MoveInAnswer(item_label="Walls", condition=Condition.DAMAGED, comment="Crack by Zanele's bed")
        answer.photos.append(MoveInPhoto(key=photo.key, mime=photo.mime, size=photo.size))
        form.answers.append(answer)
        db.session.add(form)
        db.session.commit()
        keys = [p.key for p in db.session.scalars(sa.select(IssuePhoto))] + [photo.key]
        record("web", f"lookup failed for {EMAIL}", {"user_id": zanele.id, "form": {"note": NAME}})
    client.post("/logout")
    assert client.post("/password/forgot", data={"email": EMAIL}).status_code == 302
    return keys


def traces_left(app, *texts: str) -> list[str]:
    """Every (table, row) whose text holds any of `texts`, raw or as JSON escapes it."""
    needles = {n for text in texts for n in (text, json.dumps(text)[1:-1], text.lower())}
    found = []
    with app.app_context():
        with db.engine.connect() as conn:
            for table in Base.metadata.sorted_tables:
                for row in conn.execute(sa.select(table)):
                    line = " ".join(str(value) for value in row)
                    found += [f"{table.name}: {line[:160]}" for needle in needles if needle in line]
    return found


def test_the_download_holds_her_data_and_nobody_elses(app, client, login, zanele, student, make_issue,  # noqa: F811
                                                       her_traces):
    make_issue(student, title="Somebody else's window")
    login(zanele)
    response = client.get("/account/data.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.get_json()
    assert data["account"]["email"] == EMAIL and data["account"]["room"] == "101"
    assert [issue["title"] for issue in data["issues"]] == ["Shower drain blocked"]
    assert [c["text"] for c in data["comments"] if c["kind"] == "comment"] == ["Still dripping, Zanele"]
    assert data["move_in_forms"][0]["answers"][0]["comment"] == "Crack by Zanele's bed"
    assert "Somebody else's window" not in response.get_data(as_text=True)
    assert {row["template"] for row in data["emails"]} >= {"password_reset"}


def test_a_student_deletes_her_account_and_nothing_of_her_is_left(app, client, login, zanele, her_traces):
    login(zanele)
    wrong = client.post("/account/privacy/delete", data={"password": "not-my-password-at-all"})
    assert wrong.status_code == 400 and "nothing was deleted" in wrong.get_data(as_text=True)
    assert traces_left(app, EMAIL)
    response = client.post("/account/privacy/delete", data={"password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert traces_left(app, EMAIL, NAME, "Zanele") == []
    with app.app_context():
        issue = db.session.scalar(sa.select(Issue))
        assert issue.reporter.name == FORMER and issue.photos == []  # the issue stays; her room's photo goes
        assert db.session.scalar(sa.select(sa.func.count(MoveInForm.id))) == 0
        mail = db.session.scalars(sa.select(OutboxEmail).where(OutboxEmail.template == "password_reset")).all()
        assert [row.status for row in mail] == [MailStatus.FAILED]  # her queued mail is cancelled
    files = " ".join(str(path) for path in Path(app.config["UPLOAD_FOLDER"]).rglob("*"))
    assert her_traces and not any(key in files for key in her_traces)
    assert client.post("/login", data={"email": EMAIL, "password": PASSWORD}).status_code == 400
    assert client.get("/issues/").status_code == 302


def test_the_admin_of_her_house_anonymises_her_after_a_confirmation(app, client, login, zanele, admin, her_traces):
    login(admin)
    page = client.get(f"/admin/accounts/{zanele.id}/anonymise").get_data(as_text=True)
    assert "Anonymise " + NAME in page and "cannot be undone" in page
    with app.app_context():
        assert db.session.get(User, zanele.id).name == NAME  # looking at the page changes nothing
    assert client.post(f"/admin/accounts/{zanele.id}/anonymise").status_code == 302
    assert traces_left(app, EMAIL, NAME) == []
    assert client.get(f"/admin/accounts/{zanele.id}/anonymise").status_code == 404  # once is enough


def test_nobody_anonymises_outside_what_they_manage(app, client, login, zanele, make_user, make_house, house):
    other_admin = make_user(Role.ADMIN, admin_of=[make_house("birch")])
    login(other_admin)
    assert client.post(f"/admin/accounts/{zanele.id}/anonymise").status_code == 404
    same_house_admin = make_user(Role.ADMIN, admin_of=[house], email="second.admin@example.ac.za")
    assert client.post(f"/admin/accounts/{same_house_admin.id}/anonymise").status_code == 404
    with app.app_context():
        assert db.session.get(User, zanele.id).email == EMAIL


def test_staff_accounts_are_not_deleted_by_themselves(app, client, login, admin):
    login(admin)
    response = client.post("/account/privacy/delete", data={"password": PASSWORD})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(User, admin.id).email == admin.email


def test_a_developer_anonymises_from_the_command_line(app, runner, zanele, her_traces):
    result = runner.invoke(args=["users", "anonymise", EMAIL, "--yes"])
    assert result.exit_code == 0, result.output
    assert f"former-{zanele.id}@anonymised.invalid" in result.output
    assert traces_left(app, EMAIL, NAME) == []


@pytest.mark.parametrize("table", ["users", "houses"])
def test_the_database_refuses_to_delete_an_account_or_house_with_issues(app, zanele, make_issue, make_house,  # noqa: F811
                                                                        table):
    elsewhere = make_house("birch")  # nobody lives there: only the issue holds on to it
    issue_id = make_issue(zanele, house_id=elsewhere.id)
    with app.app_context():
        owner = zanele.id if table == "users" else elsewhere.id
        rows = Base.metadata.tables[table]
        with pytest.raises(sa.exc.IntegrityError):
            db.session.execute(sa.delete(rows).where(rows.c.id == owner))
        db.session.rollback()
        assert db.session.get(Issue, issue_id) is not None
