"""The pseudo-language: every message of the catalogs, as extracted from the code and templates now, wrapped in
⟦ ⟧. A page or email rendered in it shows at once which text bypassed the catalogs: whatever is left outside the
markers once people's data is taken away is an untranslated string.

Babel knows no en-XA, so Esperanto's code carries the pseudo-language (no catalog of the product uses it).
"""
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import sqlalchemy as sa
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PSEUDO = "eo"
OPEN, CLOSE = "⟦", "⟧"
WRAPPED = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")
WORD = re.compile(r"[^\W\d_]{2,}")  # two letters in a row: text someone reads
# Never translated: the product's name, each language's name in itself, zone abbreviations, file types
NAMES = {"RINAIBRA", "Afrikaans", "English", "isiXhosa", "SAST", "UTC", "CSV", "QR", "PNG", "JPEG", "HEIC", "WebP",
         PSEUDO}
ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
LINK = re.compile(r"https?://\S+")
# A date and time as Babel writes them in the pseudo-language (Esperanto's CLDR month names)
DATE = re.compile(r"\d{1,2} [^\W\d_]{3,5}\.? \d{4}(, \d{2}:\d{2}(:\d{2})?)?|\d{2}:\d{2}")
SKIPPED_TAGS = {"script", "style", "time", "code", "pre"}  # code, data and machine times
VISIBLE_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")


def build_catalog(folder: Path) -> Path:
    """Extract every message now in the code and templates (babel.cfg) and compile them, wrapped, as the
    pseudo-language's catalog under `folder`; returns `folder` (a translation directory)."""
    template = folder / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", "babel.cfg",
                    "-k", "_l", "-k", "lazy_gettext", "-o", str(template), "."], cwd=ROOT, check=True)
    with template.open("rb") as source:
        extracted = read_po(source)
    catalog = Catalog(locale=PSEUDO)
    for message in extracted:
        if not message.id:
            continue
        if isinstance(message.id, tuple | list):
            catalog.add(message.id, tuple(f"{OPEN}{text}{CLOSE}" for text in message.id), context=message.context)
        else:
            catalog.add(message.id, f"{OPEN}{message.id}{CLOSE}", context=message.context)
    target = folder / PSEUDO / "LC_MESSAGES"
    target.mkdir(parents=True, exist_ok=True)
    with (target / "messages.mo").open("wb") as out:
        write_mo(out, catalog)
    return folder


def leftover(text: str, data: set[str]) -> str:
    """What of `text` is neither inside the markers nor people's data, dates, addresses or names."""
    while WRAPPED.search(text):  # innermost first: a translated sentence may hold a translated word
        text = WRAPPED.sub(" ", text)
    for pattern in (LINK, ADDRESS, DATE):  # before the data: a stored "26" would break the date "2026"
        text = pattern.sub(" ", text)
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    return " ".join(word for word in text.split() if word.strip(".,:;!?()[]·-–—'\"/#%*+=&") not in NAMES)


def unmarked(text: str, data: set[str]) -> bool:
    return bool(WORD.search(leftover(text, data)))


class _Texts(HTMLParser):
    """The text a reader sees in an HTML page: text nodes and the attributes read aloud or shown."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.skipping = 0
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED_TAGS:
            self.skipping += 1
        values = dict(attrs)
        self.found += [values[name] for name in VISIBLE_ATTRIBUTES if values.get(name)]
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.found.append(values["value"])

    def handle_endtag(self, tag):
        if tag in SKIPPED_TAGS and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping and data.strip():
            self.found.append(" ".join(data.split()))


def untranslated_html(html: str, data: set[str]) -> list[str]:
    """Each text of the page that did not come through the catalogs."""
    parser = _Texts()
    parser.feed(html)
    return [text for text in parser.found if unmarked(text, data)]


def untranslated_text(text: str, data: set[str]) -> list[str]:
    """Each line of a plain text (an email's text part) that did not come through the catalogs."""
    return [line.strip() for line in text.splitlines() if unmarked(line, data)]


def stored_text(engine: sa.Engine) -> set[str]:
    """Every text value people or the seed stored (names, titles, descriptions, room numbers...): data, shown
    as typed. Enumerations (statuses, categories) are not data: the pages must translate them."""
    from app.models import Base

    values: set[str] = set()
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            columns = [column for column in table.columns
                       if isinstance(column.type, sa.String) and not isinstance(column.type, sa.Enum)]
            if columns:
                for row in connection.execute(sa.select(*columns).distinct()):
                    values.update(" ".join(value.split()) for value in row if isinstance(value, str) and value.strip())
    return {value for value in values if len(value) > 1}


def context_text(context) -> set[str]:
    """Every text value inside an email's context (its data)."""
    if isinstance(context, dict):
        return set().union(*(context_text(value) for value in context.values())) if context else set()
    if isinstance(context, list | tuple):
        return set().union(*(context_text(value) for value in context)) if context else set()
    return {context.strip()} if isinstance(context, str) and len(context.strip()) > 1 else set()
