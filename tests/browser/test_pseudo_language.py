"""Every page of every role, in the pseudo-language (tests/pseudo.py): each text a reader sees came through the
catalogs, so a string added later without translation fails here with its page and text.

The pages are those of the 390 px test (every GET route, or named in NOT_PAGES with why it is not a page),
fetched by each role's logged-in browser context; developer-only pages may stay English (issue 23).
"""
import pytest

from tests.browser import test_accessibility as a11y
from tests.browser import test_narrow_screens as narrow
from tests.browser.test_narrow_screens import ROLES, VISITED
from tests.pseudo import PSEUDO, stored_text, untranslated_html

site, contexts = a11y.site, a11y.contexts  # the accessibility test's demo site and logged-in contexts
ids = narrow.ids  # the placeholders' values

pytestmark = pytest.mark.browser

DEVELOPER_ONLY = ("/dev/",)
CHECKED = [(role, path) for role, path in VISITED
           if role != "developer" and not path.startswith(DEVELOPER_ONLY)]


@pytest.fixture(scope="module")
def data(site):
    """What the demo stored (names, titles, descriptions...): shown as typed, never translated."""
    from app.extensions import db

    with site.app.app_context():
        return stored_text(db.engine)


@pytest.fixture(scope="module")
def speaking_pseudo(site, contexts):
    """role -> its context, with the language cookie set to the pseudo-language."""
    def get(role):
        context = contexts(role)
        context.add_cookies([{"name": "language", "value": PSEUDO, "url": site.url}])
        return context
    return get


@pytest.mark.parametrize("role", [role for role in ROLES if role != "developer"])
def test_every_text_of_every_page_is_translated(site, speaking_pseudo, ids, data, role):
    context = speaking_pseudo(role)
    found = []
    for path in [path for who, path in CHECKED if who == role]:
        response = context.request.get(site.url + path.format(**ids))  # redirects followed: their flashes too
        if "html" not in response.headers["content-type"]:
            continue
        html = response.text()
        assert f'<html lang="{PSEUDO}"' in html, f"{path}: <html lang> is not the language spoken"
        found += [f"{path}: {text!r}" for text in untranslated_html(html, data)]
    assert not found, f"text outside the catalogs on {role}'s pages ({len(found)}):\n" + "\n".join(found)


def test_the_check_finds_an_untranslated_text(data):
    """The check can fail: text outside the markers is found, people's data and marked text are not."""
    name = next(iter(sorted(data)))
    page = f"<p>⟦Report an issue⟧</p><p>{name}</p><p>Report an issue</p><button title='Close'>⟦x⟧</button>"
    assert untranslated_html(page, data) == ["Report an issue", "Close"]
