"""The demo site with something behind every route (photos, a draft, a reminder batch, a caught email), and a
signed-in test client per role; valid values for every path part of app.url_map."""
import email
import email.policy
import io
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from PIL import Image
from werkzeug.datastructures import FileStorage

from app import create_app
from app.auth.services import password_link
from app.auth.verification import verification_link
from app.demo import DEMO_PASSWORD, seed_demo, seed_demo_activity
from app.emailer import unsubscribe
from app.emailer.render import build_message
from app.extensions import db
from app.models import LoginSession, Role, User
from app.models.base import utcnow
from app.models.errors import ErrorGroup
from app.models.houses import House
from app.models.issues import Issue, IssuePhoto
from app.models.mail import OutboxEmail
from app.models.move_in import Condition, FormStatus, MoveInAnswer, MoveInForm, MoveInPhoto
from app.models.staff_invitations import StaffInvitation
from app.models.visits import DayPart, Visit, VisitSlot
from app.move_in.checklist import DEFAULT_CHECKLIST, academic_year
from app.move_in.invite import WayIn
from app.photos import clean_image, store
from tests.conftest import empty_tables, settings_for
from tests.issues.conftest import make_issue  # noqa: F401 - fixture, for test_browser.py

ACCOUNTS = {"student": "student.acacia@example.ac.za", "submitted": "thandi.acacia@example.ac.za",
            "admin": "admin.acacia@example.ac.za", "developer": "dev@example.ac.za",
            "staff": "staff.acacia@example.ac.za"}
ROLES = ("anonymous", "student", "admin", "developer", "staff")
CAUGHT_NAME = "20260101T080000000000Z-0123abcd.eml"
LOGO = Path(__file__).resolve().parents[2] / "static" / "img" / "logo.png"


def png(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def _stored_photo() -> dict:
    stored = store(clean_image(FileStorage(io.BytesIO(png()), filename="door.png")))
    return {"key": stored.key, "mime": stored.mime, "width": stored.width, "height": stored.height,
            "size": stored.size}


def _user(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def with_inline_logo(message: bytes) -> bytes:
    """`message` with the logo as an inline image by cid in its HTML part (our emails carry none any more:
    an image beside short text scores as spam; a caught message from elsewhere may)."""
    parsed = email.message_from_bytes(message, policy=email.policy.default)
    html = parsed.get_body(("html",))
    html.set_content(html.get_content().replace(
        "<strong", '<img src="cid:logo@rinaibra" alt="RINAIBRA" width="40" height="40"> <strong', 1), subtype="html")
    html.add_related(LOGO.read_bytes(), "image", "png", cid="<logo@rinaibra>")
    return parsed.as_bytes()


def _caught_email(folder) -> None:
    """A real password email (HTML with inline styles; a logo by cid added), as the catcher keeps it."""
    row = SimpleNamespace(id=1, created_at=utcnow(), template="password_reset", logo=True, purpose="security",
                          to_address=ACCOUNTS["student"], context={"name": "Sam", "link": "http://x/p/t"},
                          language="en")
    folder.mkdir(exist_ok=True)
    (folder / CAUGHT_NAME).write_bytes(b"X-Envelope-To: " + ACCOUNTS["student"].encode() + b"\r\n"
                                       + with_inline_logo(build_message(row)))


def _registrations(house) -> tuple[User, User]:
    """A registration whose address is not confirmed yet, and one waiting for the admin's approval."""
    registered = User.unverified(email="registered@example.ac.za", name="Reg Istered", role=Role.STUDENT,
                                 house=house, room=house.rooms[-1])
    registered.set_password(DEMO_PASSWORD)
    waiting = User.unverified(email="waiting@example.ac.za", name="Wai Ting", role=Role.STUDENT, house=house,
                              room=house.rooms[-2])
    db.session.add_all([registered, waiting])
    db.session.flush()
    waiting.email_verified_at = utcnow()
    return registered, waiting


def seed_everything(app, folder) -> dict:
    """Demo data plus a photo on an issue and on a draft, a reminder batch and a caught email; the path
    values that reach them."""
    with app.test_request_context():
        _caught_email(folder / "caught")
        seed_demo()
        seed_demo_activity()
        student, johan = _user(ACCOUNTS["student"]), _user("johan.acacia@example.ac.za")
        issue = db.session.scalar(sa.select(Issue).where(Issue.reporter_id == student.id).order_by(Issue.id))
        issue.assignee = _user(ACCOUNTS["staff"])  # so the staff member's job pages reach it too
        issue_photo = IssuePhoto(issue_id=issue.id, **_stored_photo())
        draft = MoveInForm(user_id=student.id, house_id=student.house_id, academic_year=academic_year(),
                           room_number=student.room.number, status=FormStatus.DRAFT)
        answer = MoveInAnswer(item_label=DEFAULT_CHECKLIST[0], position=0, condition=Condition.DAMAGED,
                              comment="Scratched")
        answer.photos.append(MoveInPhoto(**_stored_photo()))
        draft.answers.append(answer)
        registered, waiting = _registrations(student.house)
        invitation = StaffInvitation(user_id=_user(ACCOUNTS["staff"]).id, house_id=db.session.scalar(  # another house's
            sa.select(House.id).where(House.id != student.house_id).order_by(House.id)))
        start = utcnow().replace(microsecond=0) + timedelta(days=2)  # a time offered and booked: cancel, withdraw
        slot = VisitSlot(issue_id=issue.id, part=DayPart.TIMES, starts_at=start, ends_at=start + timedelta(hours=1))
        visit = Visit(issue_id=issue.id, part=DayPart.TIMES, starts_at=start, ends_at=start + timedelta(hours=1),
                      notice_key="fuzz")
        db.session.add_all([issue_photo, draft, slot, invitation, visit])
        db.session.commit()
        ids = {"issue_id": issue.id, "issue_photo": issue_photo.id, "move_in_photo": answer.photos[0].id,
               "user_id": _user(ACCOUNTS["submitted"]).id, "slug": "acacia",
               "group_id": db.session.scalar(sa.select(ErrorGroup.id).order_by(ErrorGroup.id)),
               "invite": WayIn()(johan.id, signed_in=False)[0].rsplit("/", 1)[1],
               "reset": password_link(johan).split("/password/reset/", 1)[1].split("?")[0],
               "verify": verification_link(registered).split("/verify/", 1)[1], "waiting": waiting.id,
               "slot_id": slot.id, "invitation_id": invitation.id,
               "room_id": student.room_id,  # lived in and an issue's: the house pages refuse to remove it
               "area_id": db.session.scalar(sa.select(Issue.common_area_id).where(
                   Issue.house_id == student.house_id, Issue.common_area_id.is_not(None)).order_by(Issue.id)),
               "unsubscribe": unsubscribe.link("digest", ACCOUNTS["developer"]).rsplit("/", 1)[1]}
    admin = signed_in(app, "admin")
    assert admin.post("/admin/move-in/reminders", data={"house": "acacia"}).status_code == 302
    with app.app_context():
        ids["batch_id"] = db.session.scalar(sa.select(OutboxEmail.batch).where(OutboxEmail.batch.is_not(None)))
        ids["session_id"] = db.session.scalar(sa.select(LoginSession.id).order_by(LoginSession.id))  # the admin's
        db.session.remove()
    return ids


def path_values(ids: dict) -> dict:
    """(endpoint, argument) -> a value that reaches something real; argument alone for the rest."""
    return {
        ("issues.photo", "photo_id"): ids["issue_photo"], ("move_in.photo", "photo_id"): ids["move_in_photo"],
        ("move_in.welcome", "token"): ids["invite"], ("auth.reset_password", "token"): ids["reset"],
        ("auth.verify", "token"): ids["verify"], ("admin.approve_student", "user_id"): ids["waiting"],
        ("admin.reject_student", "user_id"): ids["waiting"], ("dev.decide_unknown", "decision"): "resend",
        ("unsubscribe.confirm", "token"): ids["unsubscribe"], ("unsubscribe.one_click", "token"): ids["unsubscribe"],
        "issue_id": ids["issue_id"], "user_id": ids["user_id"], "group_id": ids["group_id"], "slug": ids["slug"],
        "batch_id": ids["batch_id"], "session_id": ids["session_id"], "action": "reopen", "name": CAUGHT_NAME,
        "room_id": ids["room_id"], "area_id": ids["area_id"], "slot_id": ids["slot_id"],
        "invitation_id": ids["invitation_id"],
        "cid": "logo@rinaibra",
        "filename": "css/app.css",
    }


def url_for_rule(rule, values: dict, **override) -> str:
    """The rule's path with a real value in every part (or `override`'s), built without url_for's checks."""
    path = rule.rule
    for argument in rule.arguments:
        value = override.get(argument, values.get((rule.endpoint, argument), values.get(argument)))
        assert value is not None, f"no value for <{argument}> of {rule.rule}"
        start = path.index("<")
        path = path[:start] + str(value) + path[path.index(">", start) + 1:]
    return path


def signed_in(app, role: str):
    """A test client logged in as `role` (one of ROLES; "anonymous" has no cookies)."""
    client = app.test_client()
    if role != "anonymous":
        response = client.post("/login", data={"email": ACCOUNTS[role], "password": DEMO_PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture(scope="module")
def site(database_url, _schema, tmp_path_factory, oidc_provider):
    """One app with the seeded data for the whole module (and university sign-in at the test provider)."""
    folder = tmp_path_factory.mktemp("site")
    app = create_app({**settings_for(database_url, folder), **oidc_provider.settings, "MAIL_SHOW_CAUGHT": True,
                      "MAIL_CATCHER_DIR": str(folder / "caught")})
    ids = seed_everything(app, folder)
    yield SimpleNamespace(app=app, ids=ids, values=path_values(ids))
    with app.app_context():
        db.session.remove()
        empty_tables(db.engine)
        db.engine.dispose()
