"""Accessibility: axe-core (bundled by axe-playwright-python, injected from the package: no network) on every
key page, per role, on a phone-sized screen; plus a check that keyboard focus is visible.

One app, one live server and one logged-in browser context per role serve the whole module (the demo data
gives every page something to show), so each page costs one navigation and one axe run.
"""
import threading
from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe
from werkzeug.serving import make_server

from app import create_app
from app.demo import DEMO_PASSWORD, seed_demo, seed_demo_activity
from app.extensions import db
from app.models import Role, User
from app.models.base import utcnow
from app.models.deliveries import UndeliverableAddress, outbox_issues
from app.models.errors import ErrorGroup
from app.models.houses import House
from app.models.issues import Issue
from app.models.mail import MailStatus, OutboxEmail
from app.models.visits import DayPart, Visit, VisitSlot
from tests.conftest import empty_tables, settings_for, with_pseudo_language
from tests.fixtures.servers import free_port

pytestmark = pytest.mark.browser

BLOCKING = {"serious", "critical"}
VIEWPORT = {"width": 390, "height": 844}
STUDENT = "student.acacia@example.ac.za"
ACCOUNTS = {"student": STUDENT, "submitted": "thandi.acacia@example.ac.za",
            "admin": "admin.acacia@example.ac.za", "developer": "dev@example.ac.za",
            "staff": "staff.acacia@example.ac.za"}

# (role, path); {placeholders} are filled from the seeded data. "anonymous" is a context with no cookies.
PAGES = [
    ("anonymous", "/login"),
    ("anonymous", "/register"),
    ("anonymous", "/password/forgot"),
    ("anonymous", "/verify"),
    ("anonymous", "/r/acacia"),
    ("anonymous", "/no-such-page"),  # the error page (404)
    ("student", "/"),
    ("student", "/issues/"),
    ("student", "/issues/new"),
    ("student", "/issues/{own_issue}"),
    ("student", "/issues/{room_issue}"),  # times for a visit, the booked visit
    ("student", "/r/acacia"),
    ("student", "/move-in/"),
    ("student", "/account/sessions"),
    ("student", "/account/privacy"),
    ("admin", "/admin/accounts/{submitted_student}/anonymise"),
    ("admin", "/admin/accounts/{own_student}/email"),  # with the bounce flag
    ("submitted", "/move-in/"),  # the read-only view of a submitted form
    ("admin", "/admin/"),  # with a student waiting for approval
    ("admin", "/admin/students/{waiting_student}/approve"),
    ("admin", "/admin/accounts"),
    ("admin", "/admin/issues/{house_issue}"),
    ("admin", "/admin/move-in"),
    ("admin", "/admin/move-in/students/{submitted_student}"),
    ("admin", "/admin/move-in/acacia/checklist"),
    ("admin", "/admin/settings"),
    ("admin", "/admin/targets"),
    ("admin", "/admin/tips"),
    ("admin", "/admin/issues/{room_issue}"),
    ("admin", "/admin/?sort=due&overdue=1"),
    ("admin", "/houses/acacia/poster"),
    ("admin", "/admin/staff"),
    ("admin", "/admin/residents"),
    ("admin", "/admin/residents/new"),
    ("admin", "/admin/residents/{submitted_student}"),
    ("admin", "/admin/residents/roster"),
    ("admin", "/admin/metrics"),
    ("developer", "/admin/metrics?weeks=52"),
    ("staff", "/jobs/"),  # the demo gives the house's staff member its open issues
    ("staff", "/jobs/{job}"),
    ("staff", "/jobs/{room_issue}"),
    ("developer", "/dev/errors"),
    ("developer", "/dev/errors/{error_group}"),
    ("developer", "/dev/mail"),
    ("developer", "/dev/mail/caught/{caught}"),
    ("developer", "/admin/accounts"),
    ("developer", "/dev/houses"),
    ("developer", "/dev/houses/acacia"),
]

CAUGHT = (b"X-Envelope-To: thandi.acacia@example.ac.za\r\nFrom: rinaibra@example.ac.za\r\n"
          b"To: thandi.acacia@example.ac.za\r\nSubject: Your move-in form\r\nDate: Thu, 01 Jan 2026 08:00:00 +0000\r\n"
          b"Content-Type: text/plain; charset=utf-8\r\n\r\nPlease fill in your move-in form.\r\n")


def _room_issue_with_visit(student) -> int:
    """An open issue in the student's room, given to the house's staff member, with offered times and a visit."""
    staff = db.session.scalar(sa.select(User).where(User.email == ACCOUNTS["staff"]))
    issue = Issue(house_id=student.house_id, reporter_id=student.id, room_id=student.room_id, category="furniture",
                  title="Wardrobe door off its hinge", description="The top hinge came out of the wood.",
                  assignee=staff)
    db.session.add(issue)
    db.session.flush()
    day = utcnow().replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=2)
    db.session.add_all([VisitSlot(issue_id=issue.id, part=DayPart.MORNING, starts_at=day + timedelta(hours=8),
                                  ends_at=day + timedelta(hours=12)),
                        Visit(issue_id=issue.id, part=DayPart.MORNING, starts_at=day + timedelta(hours=8),
                              ends_at=day + timedelta(hours=12), notice_key="demo")])
    db.session.commit()
    return issue.id


@pytest.fixture(scope="module")
def site(database_url, _schema, tmp_path_factory, pseudo_translations):
    """The demo data behind one live server (CSRF on, the pseudo-language offered) for the whole module; ids
    the pages need."""
    folder = tmp_path_factory.mktemp("a11y")
    caught = folder / "caught"
    caught.mkdir()
    caught_name = "20260101T080000000000Z-0123abcd.eml"
    (caught / caught_name).write_bytes(CAUGHT)
    app = create_app(with_pseudo_language({**settings_for(database_url, folder), "WTF_CSRF_ENABLED": True,
                                           "MAIL_SHOW_CAUGHT": True, "MAIL_CATCHER_DIR": str(caught)},
                                          pseudo_translations))
    with app.app_context():
        seed_demo()
        seed_demo_activity()
        db.session.add(OutboxEmail(template="issue_update", to_address="thandi.acacia@example.ac.za",
                                   status=MailStatus.FAILED, last_error="550 5.1.1 Mailbox unavailable"))
        waiting = User.unverified(email="waiting.acacia@example.ac.za", name="Wanda Waiting", role=Role.STUDENT,
                                  house=db.session.scalar(sa.select(House).where(House.slug == "acacia")))
        db.session.add(waiting)
        db.session.flush()
        waiting.email_verified_at = waiting.created_at  # confirmed her address, waits for the admin
        db.session.commit()
        student_id = db.session.scalar(sa.select(User.id).where(User.email == STUDENT))
        own = db.session.scalar(sa.select(Issue).where(Issue.reporter_id == student_id).order_by(Issue.id))
        _bounced(own)
        ids = {"own_issue": own.id, "room_issue": _room_issue_with_visit(own.reporter),
               "house_issue": own.id, "job": own.id, "caught": caught_name,
               "own_student": student_id,
               "submitted_student": db.session.scalar(sa.select(User.id).where(User.email == ACCOUNTS["submitted"])),
               "error_group": db.session.scalar(sa.select(ErrorGroup.id).order_by(ErrorGroup.id)),
               "waiting_student": waiting.id}
        db.session.remove()
    port = free_port()
    app.config["BASE_URL"] = f"http://127.0.0.1:{port}"
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield SimpleNamespace(url=f"http://127.0.0.1:{port}", app=app, ids=ids)
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.session.remove()
        empty_tables(db.engine)
        db.engine.dispose()


def _bounced(issue: Issue) -> None:
    """The reporter's address bounced: a failed and a skipped email on the issue, the flag on the student."""
    db.session.add(UndeliverableAddress(address=STUDENT, reason="550 5.1.1 user unknown", skipped=1))
    for status in (MailStatus.FAILED, MailStatus.SKIPPED):
        email = OutboxEmail(template="issue_update", to_address=STUDENT, status=status, last_error="550 5.1.1")
        db.session.add(email)
        db.session.flush()
        db.session.execute(sa.insert(outbox_issues).values(outbox_id=email.id, issue_id=issue.id))
    db.session.commit()


def new_context(browser):
    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=2, is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    return context


@pytest.fixture(scope="module")
def contexts(browser, site):
    """role -> a browser context logged in as that role (made on first use, kept for the module)."""
    made = {}

    def get(role: str):
        if role not in made:
            context = made[role] = new_context(browser)
            if role != "anonymous":
                page = context.new_page()
                page.goto(site.url + "/login")
                page.get_by_label("Email").fill(ACCOUNTS[role])
                page.get_by_label("Password").fill(DEMO_PASSWORD)
                page.get_by_role("button", name="Log in").click()
                page.get_by_role("button", name="Log out").wait_for()
                page.close()
        return made[role]

    yield get
    for context in made.values():
        context.close()


@pytest.fixture
def fresh_page(browser):
    """A page in its own context with no cookies (for flows that change state)."""
    context = new_context(browser)
    yield context.new_page()
    context.close()


AXE = Axe()


def assert_no_serious_violations(page) -> None:
    """Run axe on the page as it is now; fail listing every serious or critical violation readably."""
    results = AXE.run(page)
    found = [v for v in results.response["violations"] if v["impact"] in BLOCKING]
    lines = []
    for violation in found:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['failureSummary'].splitlines()[-1]}")
    assert not found, f"axe on {page.url}:\n" + "\n".join(lines)


@pytest.mark.parametrize("role,path", PAGES, ids=[f"{role}:{path}" for role, path in PAGES])
def test_page_has_no_serious_axe_violations(site, contexts, role, path):
    page = contexts(role).new_page()
    try:
        response = page.goto(site.url + path.format(**site.ids))
        expected = 404 if path == "/no-such-page" else 200
        assert response.status == expected, f"{path} answered {response.status}"
        assert page.url == site.url + path.format(**site.ids), "redirected: not the page meant"
        assert_no_serious_violations(page)
    finally:
        page.close()


def test_register_form_with_errors_has_no_serious_violations(site, fresh_page):
    page = fresh_page
    page.goto(site.url + "/register")
    page.get_by_label("University email").fill("someone@gmail.com")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Confirm password").fill("different")
    page.get_by_role("button", name="Register").click()
    page.get_by_text("Use your university email address").wait_for()
    assert page.locator("[aria-invalid=true]").count() >= 2
    assert_no_serious_violations(page)


def test_report_form_with_errors_has_no_serious_violations(site, contexts):
    page = contexts("student").new_page()
    try:
        page.goto(site.url + "/issues/new")
        page.get_by_role("button", name="Send report").click()  # the form is novalidate: the server answers
        page.locator(".has-error [aria-invalid=true]").first.wait_for()
        assert_no_serious_violations(page)
    finally:
        page.close()


def test_house_forms_with_errors_have_no_serious_violations(site, contexts):
    page = contexts("developer").new_page()
    try:
        page.goto(site.url + "/dev/houses")
        page.get_by_role("button", name="Create house").click()  # empty: refused on the field at fault
        page.locator(".has-error [aria-invalid=true]").first.wait_for()
        assert_no_serious_violations(page)
        page.goto(site.url + "/dev/houses/acacia")
        page.get_by_role("button", name="Add rooms").click()
        page.locator(".has-error [aria-invalid=true]").first.wait_for()
        assert_no_serious_violations(page)
    finally:
        page.close()


def test_roster_preview_and_move_refusal_have_no_serious_violations(site, contexts):
    """The roster preview (a POST's answer: new, moved, missing and bad rows) and a student's page with a move
    refused; nothing is stored by either."""
    page = contexts("admin").new_page()
    try:
        page.goto(site.url + "/admin/residents/roster")
        roster = ("email,name,room\nstudent.acacia@example.ac.za,Sam Student,102\n"
                  "new.one@example.ac.za,New One,101\nbad-address,Bad Row,101\n")
        page.get_by_label("Roster file (CSV with columns email,name,room)").set_input_files(
            {"name": "roster.csv", "mimeType": "text/csv", "buffer": roster.encode()})
        page.get_by_role("button", name="Preview").click()
        page.get_by_text("nothing was stored").first.wait_for()
        assert_no_serious_violations(page)
        page.goto(site.url + f"/admin/residents/{site.ids['submitted_student']}")
        page.get_by_label("Room", exact=True).fill("no-such-room")
        page.get_by_role("button", name="Move").click()
        page.locator(".has-error [aria-invalid=true]").first.wait_for()
        assert_no_serious_violations(page)
    finally:
        page.close()


FOCUSED_STYLE = """() => {
    const el = document.activeElement, style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    return {tag: el.tagName, text: (el.innerText || el.name || '').trim().slice(0, 30),
            outline: outline ? `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}` : 'none',
            shadow: style.boxShadow};
}"""


def test_keyboard_focus_is_visible(site, fresh_page):
    """Tab through the login page: every link, field and button that takes focus shows an outline or ring."""
    page = fresh_page
    page.goto(site.url + "/login")
    page.keyboard.press("Tab")  # the first stop is the skip link, on screen once focused
    skip = page.get_by_role("link", name="Skip to content")
    assert skip.evaluate("el => el === document.activeElement")
    box = skip.bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0, box
    seen = [page.evaluate(FOCUSED_STYLE)]
    while seen[-1]["tag"] != "BUTTON" and len(seen) < 12:  # up to the "Log in" button
        page.keyboard.press("Tab")
        seen.append(page.evaluate(FOCUSED_STYLE))
    for focused in seen:
        assert focused["outline"] != "none" or focused["shadow"] != "none", f"focus not visible on {focused}"
    assert {"A", "INPUT", "BUTTON"} <= {f["tag"] for f in seen}, seen
