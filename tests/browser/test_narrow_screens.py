"""On a 390 px phone, no page of any role scrolls sideways, in English and in the longest of the product's other
languages: wide tables become stacked cards, long words wrap.

Every GET route of the app is either visited here (as each role that may open it, on the accessibility test's
demo site) or named in NOT_PAGES with the reason it is not a page; a new route fails the coverage test until it
is one or the other.
"""
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from app.emailer import unsubscribe
from tests.browser import test_accessibility as a11y
from tests.browser.test_accessibility import ACCOUNTS, PAGES

site, contexts = a11y.site, a11y.contexts  # the accessibility test's demo site and logged-in contexts

pytestmark = pytest.mark.browser

ROLES = ["anonymous", *ACCOUNTS]
EVERY_ROLE = ["/", "/no-such-page", "/r/acacia", "/logout"]
MORE = [  # beyond the accessibility test's pages: the account pages of every role, the token pages
    *[(role, path) for role in ROLES for path in EVERY_ROLE],
    *[(role, path) for role in ("admin", "staff", "developer") for path in ("/account/sessions", "/account/privacy")],
    ("anonymous", "/password/reset/not-a-token"), ("anonymous", "/verify/not-a-token"),
    ("anonymous", "/verify/resend"), ("anonymous", "/unsubscribe/{unsubscribe}"),
    ("anonymous", "/unsubscribe/not-a-token"), ("anonymous", "/move-in/welcome/not-a-token"),
    ("developer", "/dev/mail/caught/{caught}/html"), ("admin", "/admin/?status=all"),
    ("admin", "/admin/move-in?status=submitted"),
]
VISITED = sorted(set(PAGES) | set(MORE))
NOT_PAGES = {  # endpoint: why the sideways test does not visit it
    "auth.my_data": "JSON download", "admin.export_csv": "CSV download", "admin.metrics_csv": "CSV download",
    "admin.move_in_csv": "CSV download", "admin.move_in_batch": "JSON for the progress box",
    "dev.caught_part": "an email's inline image", "main.healthz": "JSON", "monitoring.metrics": "Prometheus text",
    "houses.qr_image": "SVG image", "issues.photo": "image", "move_in.photo": "image", "static": "files",
    "auth.oidc_start": "a redirect to the university's sign-in", "auth.oidc_callback": "the provider's redirect back",
    "auth.oidc_details": "a form of the standard macros, shown only during a university sign-in (tests/oidc)",
}

STACKED = [("admin", "/admin/"), ("admin", "/admin/accounts"), ("admin", "/admin/staff"), ("admin", "/admin/metrics"),
           ("student", "/account/sessions"), ("developer", "/admin/accounts")]
# Tables in a scrolling wrapper whose content is wider than the wrapper (cut off without scrolling inside it)
CUT_TABLES = """() => [...document.querySelectorAll('.table-wrap')].filter(w => w.scrollWidth > w.clientWidth + 1)
    .map(w => `${w.querySelector('table').id || w.querySelector('table').className}: `
              + `${w.scrollWidth} px in ${w.clientWidth}`)"""
OVERFLOW = """() => {
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= width) return null;
    const wide = [...document.body.querySelectorAll('*')].filter(e => e.getBoundingClientRect().right > width + 1)
        .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right > width + 1)).slice(0, 4)
        .map(e => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}.${[...e.classList].join('.')}`
                  + ` (right ${Math.round(e.getBoundingClientRect().right)})`);
    return `${document.documentElement.scrollWidth} px wide: ${wide.join(', ')}`;
}"""


TRANSLATIONS = Path(__file__).resolve().parents[2] / "app" / "translations"


def shown_length(message) -> int:
    """How many characters a message shows: its translation, else its English (the longer plural form)."""
    shown = message.string if any(message.string if isinstance(message.string, tuple) else [message.string]) \
        else message.id
    return max(map(len, shown)) if isinstance(shown, tuple | list) else len(shown)


def longest_language(folder: Path = TRANSLATIONS) -> str:
    """Of Afrikaans and isiXhosa, the one whose catalog shows the most characters: the one most likely to push a
    page sideways."""
    def length(code: str) -> int:
        with (folder / code / "LC_MESSAGES" / "messages.po").open("rb") as source:
            return sum(shown_length(message) for message in read_po(source) if message.id)

    return max(("xh", "af"), key=length)  # a tie goes to isiXhosa (its words run long)


LANGUAGES = ["en", longest_language()]


@pytest.fixture(scope="module")
def ids(site):
    with site.app.app_context():
        token = unsubscribe.link("digest", ACCOUNTS["admin"]).rsplit("/", 1)[1]
    return {**site.ids, "unsubscribe": token}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", ROLES)
def test_no_page_scrolls_sideways_on_a_phone(site, contexts, ids, role, language):
    context = contexts(role)
    if language != "en":  # the demo's accounts chose no language: the cookie decides
        context.add_cookies([{"name": "language", "value": language, "url": site.url}])
    page = context.new_page()
    wide = []
    try:
        for path in [path for who, path in VISITED if who == role]:
            response = page.goto(site.url + path.format(**ids))
            assert response.status < 500, f"{path} answered {response.status}"
            assert page.locator("html").get_attribute("lang") == language, f"{path} is not in {language}"
            page.wait_for_load_state("load")  # measured with the stylesheets applied
            if found := page.evaluate(OVERFLOW):
                wide.append(f"{path}: {found}")
            if (role, path) in STACKED:  # these become cards: nothing to scroll inside them either
                assert page.locator("table.stack").count(), f"{path} has no stacked table"
                wide += [f"{path}: {cut}" for cut in page.evaluate(CUT_TABLES)]
    finally:
        page.close()
        context.clear_cookies(name="language")
    assert not wide, f"pages scrolling sideways at 390 px as {role} in {language}:\n" + "\n".join(wide)


@pytest.mark.parametrize("path", ["/admin/metrics", "/admin/", "/admin/accounts"])
def test_wide_tables_fit_a_laptop_screen(site, contexts, path):
    """At 1280 px the tables are tables again, and all their columns show (nothing to scroll inside them)."""
    page = contexts("admin").new_page()
    try:
        page.set_viewport_size({"width": 1280, "height": 800})
        page.goto(site.url + path)
        page.wait_for_load_state("load")
        assert page.locator("table.stack thead").first.evaluate("e => getComputedStyle(e).position") != "absolute"
        assert page.evaluate(CUT_TABLES) == []
    finally:
        page.close()


def test_every_get_route_is_visited_or_named(site):
    """A GET route nobody visits here must say why it is not a page (NOT_PAGES)."""
    adapter = site.app.url_map.bind("127.0.0.1")
    visited = {adapter.match(path.split("?")[0].format(**{k: 1 for k in ("own_issue", "room_issue",
               "house_issue", "job", "submitted_student", "own_student", "waiting_student", "error_group")},
               caught="x.eml", unsubscribe="t"))[0] for _, path in VISITED if path != "/no-such-page"}
    routes = {rule.endpoint for rule in site.app.url_map.iter_rules() if "GET" in rule.methods}
    assert routes - visited - set(NOT_PAGES) == set()
    assert set(NOT_PAGES) <= routes  # no stale names
