"""Languages in a real browser (issue 23): an Afrikaans-speaking student chooses Afrikaans in the footer and reports
an issue; the English-speaking admin moves it to in progress; the student's status email (the real worker, a real
SMTP server) is in Afrikaans; an isiXhosa-speaking student, whose browser asks for isiXhosa, fills in the move-in
form in isiXhosa.

What each page should say is looked up in the compiled catalogs (app/translations, `make translations`), never
written here: on every page of the journey `<html lang>` is the language spoken, the words the journey relies on
are their translation, no English text of the catalogs is left on it (people's data aside), and axe-core finds no
serious or critical violation.
"""
import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from babel.support import Translations

from app.extensions import db
from app.models import Role
from tests.browser.test_accessibility import assert_no_serious_violations
from tests.conftest import PASSWORD
from tests.pseudo import _Texts, stored_text

pytestmark = pytest.mark.browser

FOLDER = Path(__file__).resolve().parents[2] / "app" / "translations"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
QUICK_MAIL = {"ISSUE_MAIL_DELAY": 0}  # the status email is due at once


@cache
def compiled(code: str) -> Translations:
    return Translations.load(str(FOLDER), [code])


@cache
def english_of(code: str) -> frozenset[str]:
    """The English texts the catalog of `code` translates into something else: on a page in `code`, each of them
    is English left behind."""
    with (FOLDER / code / "LC_MESSAGES" / "messages.po").open("rb") as source:
        catalog = read_po(source)
    return frozenset(" ".join(message.id.split()) for message in catalog
                     if message.id and isinstance(message.id, str) and message.string
                     and message.string != message.id)


def said(code: str, english: str) -> str:
    """`english` as the catalog of `code` says it; the catalog must translate it (else the journey proves
    nothing about the language)."""
    text = compiled(code).ugettext(english)
    assert text != english, f"the {code} catalog does not translate {english!r} (fill it in, then `make translations`)"
    return text


def english_left(html: str, code: str, data: set[str], english: frozenset[str] | None = None) -> list[str]:
    """The texts of a page (or email) in `code` that are English text of its catalog (`english`: of that one)."""
    english = english_of(code) if english is None else english
    parser = _Texts()
    parser.feed(html)
    return [text for text in parser.found if text in english and text not in data]


def people_data(app) -> set[str]:
    with app.app_context():
        return stored_text(db.engine)


def assert_speaks(page, app, code: str) -> None:
    """The page now shown is in `code`: <html lang>, no English of the catalogs left, axe-core clean."""
    page.wait_for_load_state("load")
    assert page.locator("html").get_attribute("lang") == code, f"{page.url} is not in {code}"
    if code != "en":
        left = english_left(page.content(), code, people_data(app))
        assert not left, f"English left on {page.url} in {code}: {left}"
    assert_no_serious_violations(page)


def new_page(browser, locale: str):
    """A phone's browser whose Accept-Language asks for `locale`."""
    context = browser.new_context(locale=locale, **PHONE)
    context.set_default_timeout(10_000)
    return context.new_page()


def log_in(page, base_url: str, email: str) -> None:
    """Sign in through the login form, whatever language it is in (by the fields' names)."""
    page.goto(base_url + "/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url)


def choose_language(page, code: str) -> None:
    """Press the footer's switch for `code` (each language is named in itself)."""
    page.locator(f"footer button[name=language][value={code}]").click()
    page.locator(f"html[lang={code}]").wait_for(state="attached")


@pytest.mark.parametrize("app", [QUICK_MAIL], indirect=True)
def test_afrikaans_student_reports_english_admin_moves_it_and_the_email_is_in_afrikaans(
        app, live_server, browser, house, make_user, smtp_server, runner):
    url = live_server.url
    student = make_user(Role.STUDENT, house=house, email="annelie@example.ac.za", name="Annelie Botha")
    admin = make_user(Role.ADMIN, admin_of=[house], email="alice.admin@example.ac.za", name="Alice Admin")

    page = new_page(browser, "en-ZA")
    log_in(page, url, student.email)
    assert page.locator("html").get_attribute("lang") == "en"
    choose_language(page, "af")
    assert_speaks(page, app, "af")
    nav = page.get_by_role("navigation").first
    nav.get_by_role("link", name=said("af", "Report an issue"), exact=True).click()
    page.locator("#report-form").wait_for()
    assert_speaks(page, app, "af")
    page.locator("select[name=category]").select_option("plumbing")
    page.locator("select[name=location]").select_option("room")
    page.locator("input[name=title]").fill("Kraan lek in my kamer")
    page.locator("textarea[name=description]").fill("Die kraan drup die hele nag; die wasbak loop oor.")
    page.locator("#report-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/issues/\d+$"))
    issue_path = page.url.removeprefix(url)
    page.get_by_role("heading", name="Kraan lek in my kamer").wait_for()  # what she typed, as typed
    assert_speaks(page, app, "af")
    page.context.close()

    page = new_page(browser, "en-ZA")
    log_in(page, url, admin.email)
    page.goto(url + "/admin" + issue_path)
    assert_speaks(page, app, "en")
    page.get_by_label("Status").select_option(label="In progress")
    page.get_by_label("Comment", exact=True).fill("Plumber booked for tomorrow")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Status changed to “In progress”.").wait_for()
    assert_speaks(page, app, "en")
    page.context.close()

    result = runner.invoke(args=["mail", "drain"])
    assert result.exit_code == 0, result.output
    [email] = [m for m in smtp_server.messages if m["To"] == student.email]
    in_progress = said("af", "In progress")
    assert in_progress in email["Subject"], email["Subject"]
    text = email.get_body(preferencelist=("plain",)).get_content()
    html = email.get_body(preferencelist=("html",)).get_content()
    assert in_progress in text and "Plumber booked for tomorrow" in text  # the admin's words stay as typed
    assert '<html lang="af">' in html
    data = people_data(app)
    left = english_left(html, "af", data) + [line.strip() for line in text.splitlines()
                                             if " ".join(line.split()) in english_of("af")]
    assert not left, f"English left in the Afrikaans status email: {left}"

    page = new_page(browser, "en-ZA")  # the same student, another day: her account remembers Afrikaans
    log_in(page, url, student.email)
    page.goto(url + issue_path)
    assert page.locator(".badge", has_text=in_progress).count(), "the status is not shown in Afrikaans"
    assert_speaks(page, app, "af")
    page.context.close()


def test_isixhosa_student_fills_in_the_move_in_form_in_isixhosa(app, live_server, browser, house, make_user):
    url = live_server.url
    student = make_user(Role.STUDENT, house=house, email="lulama@example.ac.za", name="Lulama Ndlovu")

    page = new_page(browser, "xh-ZA")  # a first visit follows the browser's language
    page.goto(url + "/login")
    assert_speaks(page, app, "xh")
    log_in(page, url, student.email)
    nav = page.get_by_role("navigation").first
    nav.get_by_role("link", name=said("xh", "Move-in form"), exact=True).click()
    page.locator("form.move-in-form").wait_for()
    assert_speaks(page, app, "xh")

    page.locator("[data-rest-good] button").click()  # every item in order, in one tap
    page.locator("#terms input[type=checkbox]").first.wait_for()
    for term in page.locator("#terms input[type=checkbox]").all():
        term.check()
    submit = page.locator("button[data-confirm-submit]")
    assert submit.inner_text().strip() == said("xh", "Submit form")
    submit.click()
    confirm = page.locator("[data-confirm-box] button[value=submit]")
    assert confirm.inner_text().strip() == said("xh", "Yes, submit it")
    confirm.click()
    page.locator("#submitted-stamp").wait_for()
    assert_speaks(page, app, "xh")
    page.context.close()


def test_the_check_finds_english_left_on_a_page():
    """English text of the catalog is found, in text and in attributes read aloud; the translation, people's
    data equal to an English message, and text the catalog leaves as it is are not."""
    english = frozenset({"Report an issue", "Close", "Kitchen"})
    page = ("<p>Rapporteer 'n probleem</p><p>Report an issue</p><button aria-label='Close'>x</button>"
            "<td>Kitchen</td><p>Status</p>")
    assert english_left(page, "af", {"Kitchen"}, english) == ["Report an issue", "Close"]
