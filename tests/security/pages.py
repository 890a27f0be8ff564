"""What the fuzz walk learns from the app: the forms on its pages (with values that pass) and the parameter
names each view reads."""
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from flask import Request
from werkzeug.datastructures import ImmutableMultiDict

FILLERS = {"email": "fuzz@example.ac.za", "password": "fuzz-Password-2026", "number": "1", "search": "fuzz",
           "textarea": "Some words long enough for every field."}
MULTI = ("seen_", "remove_")


class Form:
    """One <form>: where it posts and the name/value pairs it would send as it stands."""

    def __init__(self, action: str, method: str):
        self.action, self.method = action, method
        self.fields: list[tuple[str, str]] = []
        self.files: list[str] = []

    def add(self, name: str, value: str) -> None:
        """The first value of a name (the first radio button, option), every value of a list (seen_*, remove_*)."""
        if name and (name.startswith(MULTI) or name not in dict(self.fields)):
            self.fields.append((name, value))


class FormParser(HTMLParser):
    """Collect the forms of a page, filled with values a person would leave or type."""

    def __init__(self, page_path: str):
        super().__init__()
        self.page_path, self.forms, self.form = page_path, [], None
        self.select, self.textarea = None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            action = urlsplit(urljoin(self.page_path, a.get("action") or self.page_path))
            self.form = Form(action.path + (f"?{action.query}" if action.query else ""),
                             (a.get("method") or "get").upper())
            self.forms.append(self.form)
        elif self.form is None:
            return
        elif tag == "input":
            kind, name = a.get("type", "text"), a.get("name", "")
            if kind == "file":
                self.form.files.append(name)
            elif kind in ("checkbox", "radio"):
                self.form.add(name, a.get("value") or "y")
            elif kind not in ("submit", "button", "reset", "image"):
                self.form.add(name, a.get("value") or FILLERS.get(kind, "Fuzz text"))
        elif tag == "button" and a.get("name") and a.get("type", "submit") == "submit":
            self.form.add(a["name"], a.get("value", ""))
        elif tag == "select":
            self.select = a.get("name", "")
        elif tag == "option" and self.select is not None and a.get("value"):
            if "selected" in a:  # the chosen option, else the first one
                self.form.fields = [(n, v) for n, v in self.form.fields if n != self.select]
            self.form.add(self.select, a["value"])
        elif tag == "textarea":
            self.textarea = a.get("name", "")

    def handle_data(self, data):
        if self.textarea is not None and data.strip():
            self.form.add(self.textarea, data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            self.form.add(self.textarea, FILLERS["textarea"])
            self.textarea = None


def forms_of(page_path: str, html: str) -> list[Form]:
    parser = FormParser(page_path)
    parser.feed(html)
    return parser.forms


# Parameter names a view reads: every lookup in request.args, .form and .files is noted for the current request.
READ: set[str] = set()


class NotingMultiDict(ImmutableMultiDict):
    def __contains__(self, key):
        READ.add(key)
        return super().__contains__(key)

    def __getitem__(self, key):
        READ.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None, type=None):
        READ.add(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):
        READ.add(key)
        return super().getlist(key, type)


class NotingRequest(Request):
    parameter_storage_class = NotingMultiDict
