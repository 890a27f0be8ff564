"""The Afrikaans and isiXhosa catalogs: complete (no empty or fuzzy message), in sync with the code (every message
extracted from it now is in each catalog, and nothing else), placeholders as in the English source, and each
compiled catalog (.mo, `make translations`) loaded by Flask-Babel, once per process, for a request in its language.

The checks are functions of a catalog, so the tests at the bottom can show each of them failing on a small
catalog built in memory.
"""
import re
import subprocess
import sys
from pathlib import Path

import flask_babel
import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from app import create_app
from tests.conftest import settings_for

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "app" / "translations"
CODES = ("af", "xh")
# A printf conversion as Python's % operator reads it: %(name)s, %d, %.1f, %%
CONVERSION = re.compile(r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?"
                        r"(?P<kind>[diouxXeEfFgGcrsa%])")


def catalog_of(code: str, folder: Path = FOLDER) -> Catalog:
    with (folder / code / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source, locale=code)


def key(message: Message) -> tuple:
    """A message as gettext finds it: its context and its (singular) msgid."""
    msgid = message.id[0] if isinstance(message.id, list | tuple) else message.id
    return message.context, msgid


def texts(value) -> list[str]:
    return list(value) if isinstance(value, list | tuple) else [value]


def untranslated(catalog: Catalog) -> list[str]:
    """Each message with an empty translation (any plural form) or marked fuzzy."""
    problems = []
    for message in catalog:
        if not message.id:
            continue  # the header
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        forms = texts(message.string)
        if not all(forms) or (message.pluralizable and len(forms) < catalog.num_plurals):
            problems.append(f"empty: {message.id!r}")
    return problems


def placeholders(text: str) -> tuple[dict[str, str], int, list[str]]:
    """(named placeholders -> conversion, how many positional ones, what is malformed) of a %-format string."""
    named: dict[str, str] = {}
    positional, malformed, at = 0, [], 0
    while (start := text.find("%", at)) != -1:
        match = CONVERSION.match(text, start)
        if not match:
            malformed.append(text[start:start + 6])
            at = start + 1
            continue
        if match["kind"] != "%":
            if match["name"] is not None:
                named[match["name"]] = match["kind"]
            else:
                positional += 1
        at = match.end()
    return named, positional, malformed


def placeholder_problems(catalog: Catalog) -> list[str]:
    """Each translation whose placeholders differ from its English source's (names, conversions, count), or
    with a % Python could not format (Jinja formats every message of a template). A plural form may leave out
    %(num)d only in the singular form (msgstr[0]), where a language may write the number as a word."""
    problems = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        sources = texts(message.id)
        expected = placeholders(sources[-1])  # the plural source (the singular's, when there is one form)
        for index, translation in enumerate(texts(message.string)):
            if not translation:
                continue
            named, positional, malformed = placeholders(translation)
            wanted = dict(expected[0])
            if message.pluralizable and index == 0 and "num" not in named:
                wanted.pop("num", None)
            where = f"{message.id!r} -> {translation!r}"
            if named != wanted:
                problems.append(f"placeholders {sorted(named.items())} instead of {sorted(wanted.items())}: {where}")
            if positional != expected[1]:
                problems.append(f"{positional} positional placeholders instead of {expected[1]}: {where}")
            if malformed and not expected[2]:  # Jinja formats every template message, placeholders or not
                problems.append(f"a % that is no placeholder ({', '.join(malformed)}; write %%): {where}")
    return problems


def extracted(folder: Path) -> Catalog:
    """Every message in the code and templates now, extracted as `make messages` does (babel.cfg)."""
    template = folder / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", "babel.cfg",
                    "-k", "_l", "-k", "lazy_gettext", "-o", str(template), "."], cwd=ROOT, check=True)
    with template.open("rb") as source:
        return read_po(source)


def out_of_sync(catalog: Catalog, source: Catalog) -> list[str]:
    """The messages of the code missing from the catalog, those of the catalog the code no longer has, and
    those whose plural source changed."""
    have = {key(message): message for message in catalog if message.id}
    want = {key(message): message for message in source if message.id}
    problems = [f"missing (run `make messages`): {want[k].id!r}" for k in want.keys() - have.keys()]
    problems += [f"no longer in the code (run `make messages`): {have[k].id!r}" for k in have.keys() - want.keys()]
    problems += [f"source changed (run `make messages`): {have[k].id!r} is now {want[k].id!r}"
                 for k in want.keys() & have.keys() if texts(want[k].id) != texts(have[k].id)]
    return problems


def compiled_differences(app, code: str, catalog: Catalog) -> list[str]:
    """What Flask-Babel finds, for a request in `code`, that differs from the catalog (a stale or missing .mo)."""
    problems = []
    with app.test_request_context("/", headers={"Accept-Language": code}):
        if str(flask_babel.get_locale()) != code:
            return [f"a request asking for {code} speaks {flask_babel.get_locale()}"]
        found = flask_babel.get_translations()
        for message in catalog:
            if not message.id or not message.string:
                continue
            forms = texts(message.string)
            if message.pluralizable:
                singular, plural = message.id
                got = [found.unpgettext(message.context, singular, plural, n) if message.context
                       else found.ungettext(singular, plural, n) for n in (1, 2)]
                wanted = [forms[found.plural(1)], forms[found.plural(2)]]
            else:
                got = [found.upgettext(message.context, message.id) if message.context else found.ugettext(message.id)]
                wanted = forms
            if got != wanted:
                problems.append(f"{message.id!r}: the compiled catalog says {got!r}, the .po {wanted!r} "
                                "(run `make translations`)")
    return problems


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Catalog:
    return extracted(tmp_path_factory.mktemp("extracted"))


@pytest.fixture(scope="module")
def language_app(tmp_path_factory):
    return create_app(settings_for("sqlite://", tmp_path_factory.mktemp("catalogs")))


@pytest.mark.parametrize("code", CODES)
def test_every_message_is_translated(code):
    problems = untranslated(catalog_of(code))
    assert not problems, f"{len(problems)} messages of the {code} catalog are not translated:\n" + "\n".join(problems)


@pytest.mark.parametrize("code", CODES)
def test_catalog_is_in_sync_with_the_code(code, source):
    problems = out_of_sync(catalog_of(code), source)
    assert not problems, f"the {code} catalog is not the code's:\n" + "\n".join(problems)


@pytest.mark.parametrize("code", CODES)
def test_placeholders_match_the_english(code):
    problems = placeholder_problems(catalog_of(code))
    assert not problems, f"placeholders in the {code} catalog:\n" + "\n".join(problems)


@pytest.mark.parametrize("code", CODES)
def test_compiled_catalog_loads_for_a_request_in_its_language(language_app, code):
    catalog = catalog_of(code)
    assert any(message.string for message in catalog if message.id), f"the {code} catalog translates nothing"
    problems = compiled_differences(language_app, code, catalog)
    assert not problems, f"the compiled {code} catalog:\n" + "\n".join(problems)


def test_translations_are_read_once_per_process(language_app):
    """Flask-Babel keeps each language's catalogs in memory: a second request does not read the files again."""
    loaded = []
    for _ in range(2):
        for code in CODES:
            with language_app.test_request_context("/", headers={"Accept-Language": code}):
                loaded.append(flask_babel.get_translations())
    assert loaded[0] is loaded[2] and loaded[1] is loaded[3] and loaded[0] is not loaded[1]


# The checks themselves, on a small catalog: each must be able to fail.

def toy_catalog() -> Catalog:
    catalog = Catalog(locale="af")
    catalog.add("Log in", "Meld aan")
    catalog.add("Send report", "")
    catalog.add("Status", "Status", flags=["fuzzy"])
    catalog.add("Hello %(name)s", "Hallo %(naam)s", flags=["python-format"])
    catalog.add("%(percent)d%% done", "%(percent)d% klaar", flags=["python-format"])
    catalog.add("Done", "100% klaar")
    catalog.add("Charged to 100%", "Gelaai tot 100%")  # a lone % in the English too: used unformatted
    catalog.add(("%(num)d issue", "%(num)d issues"), ("een probleem", "%(num)s probleme"), flags=["python-format"])
    catalog.add(("%(num)d reminder", "%(num)d reminders"), ("%(num)d herinnering", ""), flags=["python-format"])
    catalog.add(("%(num)d day", "%(num)d days"), ("een dag", "%(num)d dae"), flags=["python-format"])
    return catalog


def test_untranslated_finds_empty_and_fuzzy_entries():
    assert untranslated(toy_catalog()) == [
        "empty: 'Send report'", "fuzzy: 'Status'", "empty: ('%(num)d reminder', '%(num)d reminders')"]


def test_placeholder_problems_finds_renamed_retyped_and_stray_placeholders():
    problems = placeholder_problems(toy_catalog())
    assert len(problems) == 4, problems
    assert problems[0].startswith("placeholders [('naam', 's')] instead of [('name', 's')]")
    assert problems[1].startswith("a % that is no placeholder (% klaa; write %%)")
    assert problems[2].startswith("a % that is no placeholder (% klaa; write %%): 'Done'")
    assert problems[3].startswith("placeholders [('num', 's')] instead of [('num', 'd')]")  # plural form


def test_out_of_sync_finds_missing_stale_and_changed_plural_messages():
    code = Catalog()
    code.add("Log in")
    code.add("Report an issue")
    code.add(("%(num)d issue", "%(num)d open issues"))
    problems = out_of_sync(toy_catalog(), code)
    assert problems[0] == "missing (run `make messages`): 'Report an issue'"
    assert {p.partition(": ")[2] for p in problems if p.startswith("no longer")} == {
        "'Send report'", "'Status'", "'Hello %(name)s'", "'%(percent)d%% done'", "'Done'", "'Charged to 100%'",
        "('%(num)d reminder', '%(num)d reminders')", "('%(num)d day', '%(num)d days')"}
    assert problems[-1].startswith("source changed (run `make messages`): ('%(num)d issue', '%(num)d issues')")


def test_compiled_differences_finds_a_stale_compiled_catalog(tmp_path, database_url):
    """A catalog compiled before an edit of its .po: the loaded translation is not the one in the .po."""
    compiled = Catalog(locale="eo")
    compiled.add("Log in", "Ensaluti")
    compiled.add(("%(num)d issue", "%(num)d issues"), ("%(num)d problemo", "%(num)d problemoj"))
    folder = tmp_path / "eo" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "messages.mo").open("wb") as out:
        write_mo(out, compiled)
    app = create_app({**settings_for(database_url, tmp_path), "LANGUAGES": ("af", "en", "xh", "eo"),
                      "EXTRA_TRANSLATIONS": (str(tmp_path),)})
    edited = Catalog(locale="eo")
    edited.add("Log in", "Ensalutu")
    edited.add(("%(num)d issue", "%(num)d issues"), ("%(num)d problemo", "%(num)d problemoj"))
    assert compiled_differences(app, "eo", edited) == [
        "'Log in': the compiled catalog says ['Ensaluti'], the .po ['Ensalutu'] (run `make translations`)"]
    assert compiled_differences(app, "eo", compiled) == []
