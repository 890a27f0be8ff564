"""Security headers on every GET route of app.url_map, for anonymous and signed-in users."""
import pytest

from app.security import CSP
from tests.security.conftest import ROLES, signed_in, url_for_rule

QUERIES = {"admin.move_in_csv": "?house=acacia", "admin.move_in": "?house=acacia"}
FRAMED = {"dev.caught_html"}  # shown in our own sandboxed iframe: framed by 'self' only


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name.lower()] = values
    return parsed


def check_headers(response, endpoint: str, signed: bool, form_targets: tuple[str, ...] = ()) -> list[str]:
    """What is wrong with the response's security headers (empty when all is well). `form_targets`: the origins
    besides ours a form may lead to (the university sign-in's provider, for its logout)."""
    headers, problems = response.headers, []
    if response.status_code != 200:
        endpoint = ""  # a redirect or an error page: the site's own policy
    expect = {"X-Content-Type-Options": {"nosniff"},
              "Referrer-Policy": {"strict-origin-when-cross-origin", "same-origin", "no-referrer"},
              "X-Frame-Options": {"SAMEORIGIN"} if endpoint in FRAMED else {"DENY"}}
    for name, allowed in expect.items():
        if headers.get(name) not in allowed:
            problems.append(f"{name}: {headers.get(name)!r}")
    permissions = headers.get("Permissions-Policy", "")
    problems += [f"Permissions-Policy lacks {f}=()" for f in ("camera", "microphone", "geolocation")
                 if f"{f}=()" not in permissions]
    csp = directives(headers.get("Content-Security-Policy", ""))
    scripts = csp.get("script-src", csp.get("default-src", ["*"]))
    styles = csp.get("style-src", csp.get("default-src", ["*"]))
    if csp.get("frame-ancestors") != (["'self'"] if endpoint in FRAMED else ["'none'"]):
        problems.append(f"frame-ancestors {csp.get('frame-ancestors')}")
    if any(s not in ("'self'", "'none'") for s in scripts):
        problems.append(f"scripts from {scripts}")
    if endpoint not in FRAMED and any(s not in ("'self'", "'none'") for s in styles):
        problems.append(f"styles from {styles}")
    if csp.get("object-src", csp.get("default-src")) != ["'none'"]:
        problems.append("plugins not refused")
    if csp.get("base-uri") != ["'none'"]:
        problems.append(f"base-uri {csp.get('base-uri')}")
    if response.mimetype == "text/html" and csp.get("form-action") not in (["'self'", *form_targets], ["'none'"]):
        problems.append(f"form-action {csp.get('form-action')}")
    if "Strict-Transport-Security" in headers:
        problems.append("HSTS without SESSION_COOKIE_SECURE")
    if signed and endpoint != "static" and "no-store" not in headers.get("Cache-Control", ""):
        problems.append(f"Cache-Control: {headers.get('Cache-Control')!r} for a signed-in user")
    return problems


def provider(site) -> tuple[str]:
    return (site.app.config["OIDC_ISSUER"],)  # the test provider's issuer is an origin


@pytest.mark.parametrize("role", ROLES)
def test_every_get_route_sends_the_security_headers(site, role):
    client, checked, problems = signed_in(site.app, role), [], {}
    for rule in sorted(site.app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods:
            continue
        path = url_for_rule(rule, site.values) + QUERIES.get(rule.endpoint, "")
        response = client.get(path)
        assert response.status_code < 500, f"{role} GET {path}: {response.status_code}"
        checked.append((path, response.status_code))
        found = check_headers(response, rule.endpoint, signed=role != "anonymous", form_targets=provider(site))
        if found:
            problems[f"GET {path} ({response.status_code})"] = found
    for path in ("/no-such-page", "/issues/99999"):  # error pages too
        found = check_headers(client.get(path), "", signed=role != "anonymous", form_targets=provider(site))
        if found:
            problems[f"GET {path}"] = found
    assert not problems, problems
    assert len(checked) >= 30
    if role != "anonymous":
        assert sum(status == 200 for _path, status in checked) >= 10, checked  # the pages themselves, not redirects


def test_downloads_for_a_signed_in_user_are_not_stored(site):
    """CSV, JSON, SVG and photos carry the reporter's and students' data: no cache keeps them."""
    admin, student = signed_in(site.app, "admin"), signed_in(site.app, "student")
    downloads = [(admin, "/admin/issues.csv", "text/csv"),
                 (admin, "/admin/move-in/export.csv?house=acacia", "text/csv"),
                 (admin, f"/admin/move-in/batches/{site.ids['batch_id']}", "application/json"),
                 (admin, "/houses/acacia/qr.svg", "image/svg+xml"),
                 (admin, f"/issues/{site.ids['issue_id']}/photos/{site.ids['issue_photo']}", "image/png"),
                 (student, f"/move-in/photos/{site.ids['move_in_photo']}", "image/png")]
    for client, path, mimetype in downloads:
        response = client.get(path)
        assert (response.status_code, response.mimetype) == (200, mimetype), path
        assert response.headers["Cache-Control"] == "no-store", path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path


def test_pages_use_the_strict_policy(site):
    response = signed_in(site.app, "student").get("/issues/new")
    assert response.headers["Content-Security-Policy"] == \
        CSP.replace("form-action 'self'", f"form-action 'self' {site.app.config['OIDC_ISSUER']}")
    policy = directives(CSP)
    assert policy["default-src"] == ["'self'"] and "'unsafe-inline'" not in CSP and "'unsafe-eval'" not in CSP
