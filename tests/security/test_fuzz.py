"""Input fuzz: every route of app.url_map, with every method it allows, gets odd values in every path part,
query parameter and form field (non-ASCII, CR/LF, NUL, 5,000-digit numbers, empty, overlong), signed in as
each role; nothing may answer 5xx, and no control character sent in a field may be stored.

The walk learns the parameters from the app itself: the forms on its pages (whose values make a request that
passes, so an odd value in one field reaches the code behind the others) and every name a view looks up in
request.args, .form or .files. Each name gets every odd value once with all the others odd too, and the
harshest values alone with the others passing.
"""
import io
import json
import re
import time
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.models import Base
from tests.security import pages
from tests.security.conftest import ROLES, signed_in, url_for_rule

ODD = ["", " ", "é²", "\r\nX-Injected: y", "a\x00b", "9" * 5000, "x" * 6000, "-1", "1.1.é", "../..", "<b>'\""]
HARSH = ["²", "/\r\nX: y", "\x00", "9" * 5000, "é" * 3000]  # one parameter at a time, the others passing
PATH_ODD = ["é²", "1.1.é", "\r\nX: y", "\x00", "9" * 5000, "x" * 3000, "-1", "..", "%", " "]
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\\u00(0[0-8bcef]|1[0-9a-f])")  # raw, or in JSON
LAST = {"auth.reset_password": 1, "auth.end_session": 1, "auth.end_other_sessions": 1, "auth.end_all_sessions": 2,
        "auth.logout": 2}  # these may end or change the session: walked last
GET_QUERIES = {"admin.move_in": {"house": "acacia"}, "admin.move_in_csv": {"house": "acacia"}}


def family(name: str) -> str:
    """condition_3 and condition_0 are one kind of field: fuzzing one of them is enough."""
    return re.sub(r"_\d+$", "_N", name)


class Walk:
    """One role's walk; `problems` lists every 5xx (or exception) with the request that caused it."""

    def __init__(self, app, role: str, values: dict):
        self.app, self.role, self.values = app, role, values
        self.client = signed_in(app, role)
        self.forms: dict[str, pages.Form] = {}
        self.problems: list[str] = []
        self.requests, self.endpoint = 0, ""

    def send(self, method: str, path: str, query=None, form=None, files=None, note: str = ""):
        client = self.app.test_client() if self.role == "anonymous" else self.client
        data = MultiDict(form or [])
        for name, content in files or []:
            data.add(name, (io.BytesIO(content.encode("utf-8", "surrogatepass")), "odd.png"))
        pages.READ.clear()
        self.requests += 1
        try:
            response = client.open(path, method=method, query_string=MultiDict(query or []), data=data)
            response.get_data()  # a streamed body (the CSV downloads) runs its generator now
            response.close()
        except Exception as exc:  # the test app propagates what would be a 500
            self.problems.append(f"{self.role} {method} {path} {note}: {type(exc).__name__}: {exc}"[:300])
            return None
        if response.status_code >= 500:
            self.problems.append(f"{self.role} {method} {path} {note}: {response.status_code}")
        return response

    def learn(self, path: str, response) -> None:
        if response is not None and response.status_code == 200 and response.mimetype == "text/html":
            for form in pages.forms_of(path, response.get_data(as_text=True)):
                self.forms.setdefault(form.action, form)

    def fuzz_parameters(self, method: str, path: str, base: list[tuple[str, str]], files: list[str]) -> None:
        """The baseline request, then the odd values in every name it sent or the view read."""
        base_query = list(GET_QUERIES.get(self.endpoint, {}).items()) if method == "GET" else []
        response = self.send(method, path, query=base_query, form=base if method == "POST" else None)
        read = sorted(pages.READ)
        if response is None or (response.status_code in (302, 403) and not read):
            return  # not this role's page (or nothing to learn): the view reads no parameter
        if method == "GET":
            self.learn(path, response)
        names = list(dict.fromkeys([n for n, _v in base_query + base] + files + read))
        for value in ODD:
            odd = [(name, value) for name in names if name not in files]
            self.send(method, path, query=odd, form=odd if method == "POST" else None,
                      files=[(name, value) for name in files], note=f"all={value[:20]!r}")
        representatives = {family(name): name for name in reversed(names)}
        for name in representatives.values():
            for value in HARSH:
                if name in files:
                    self.send(method, path, query=base_query, form=base, files=[(name, value)],
                              note=f"file {name}={value[:20]!r}")
                    continue
                query = [(n, v) for n, v in base_query if n != name] + [(name, value)]
                form = [(n, v) for n, v in base if n != name] + [(name, value)] if method == "POST" else None
                response = self.send(method, path, query=query, form=form, note=f"{name}={value[:20]!r}")
                if CONTROL.search(value) and response is not None and response.status_code in (302, 303):
                    stored = stored_control_characters(self.app)  # taken: was it kept as it came?
                    self.problems += [f"{self.role} {method} {path} {name}={value!r} stored {s}" for s in stored]

    def fuzz_path(self, rule) -> None:
        method = "GET" if "GET" in rule.methods else "POST"
        for argument in rule.arguments:
            for value in PATH_ODD:
                path = url_for_rule(rule, self.values, **{argument: quote(value, safe="")})
                self.send(method, path, note=f"<{argument}>={value[:20]!r}")

    def run(self) -> None:
        rules = sorted(self.app.url_map.iter_rules(), key=lambda r: (LAST.get(r.endpoint, 0), r.rule))
        for rule in rules:  # GET first everywhere: the pages hold the forms the POSTs need
            self.endpoint = rule.endpoint
            if "GET" in rule.methods and rule.endpoint != "static":
                self.fuzz_parameters("GET", url_for_rule(rule, self.values), [], [])
        for rule in rules:
            self.endpoint = rule.endpoint
            if "POST" in rule.methods:
                path = url_for_rule(rule, self.values)
                form = self.forms.get(path) or pages.Form(path, "POST")
                self.fuzz_parameters("POST", path, form.fields, form.files)
            if rule.arguments and (self.role == "anonymous" or rule.endpoint not in LAST):
                self.fuzz_path(rule)


def stored_control_characters(app) -> list[str]:
    """Text in any table that holds a NUL or another control character no form should let through."""
    found = []
    with app.app_context():
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, (sa.String, sa.Text, sa.JSON))]
            for row in db.session.execute(sa.select(*columns)) if columns else []:
                for column, value in zip(columns, row, strict=True):
                    text = value if isinstance(value, str) else json.dumps(value)
                    if value is not None and CONTROL.search(text):
                        found.append(f"{table.name}.{column.name}: {text[:60]!r}")
        db.session.remove()
    return found


@pytest.mark.parametrize("role", ROLES)
def test_odd_input_makes_no_5xx_and_stores_no_control_characters(site, role):
    site.app.request_class = pages.NotingRequest
    walk = Walk(site.app, role, site.values)
    start = time.perf_counter()
    walk.run()
    seconds = time.perf_counter() - start
    print(f"{role}: {walk.requests} requests in {seconds:.1f} s; forms: {sorted(walk.forms)}")
    problems = walk.problems
    assert not problems, f"{len(problems)} problems (5xx, or control characters stored):\n" + "\n".join(problems)
    assert not stored_control_characters(site.app)
    assert walk.requests > 300, walk.requests
