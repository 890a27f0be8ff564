"""Security headers on every response, set in one place, and the upload caps that protect the workers.

Every response gets a strict Content-Security-Policy (nothing inline, nothing from elsewhere, never framed),
nosniff, a Referrer-Policy, a Permissions-Policy and X-Frame-Options; HSTS when SESSION_COOKIE_SECURE is on;
and `Cache-Control: no-store` on everything but static files for a signed-in user. A view that needs another
policy (a photo, the framed email preview) sets its own Content-Security-Policy and X-Frame-Options, and
those are kept.
"""
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, request, session

from app.photos import limit_pillow


def content_security_policy(form_targets: str = "") -> str:
    """The policy; `form_targets`: origins besides ours that a form's answer may redirect to."""
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        f"form-action 'self'{' ' + form_targets if form_targets else ''}",
        "frame-ancestors 'none'",
    ])


CSP = content_security_policy()
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"  # one year


def framed_policy(sources: str = "img-src 'self'") -> dict[str, str]:
    """Headers for a response shown inside one of our own pages (a sandboxed iframe) and nowhere else:
    no script, no forms, inline styles only (as email HTML needs), `sources` for the rest."""
    return {
        "Content-Security-Policy": f"default-src 'none'; {sources}; style-src 'unsafe-inline'; base-uri 'none'; "
                                   "form-action 'none'; frame-ancestors 'self'; sandbox allow-same-origin",
        "X-Frame-Options": "SAMEORIGIN",
    }


def _signed_in() -> bool:
    """Whether the response may be personal; never loads the user nor reads its rows again (the database may be
    what failed, and a commit in the view has expired them)."""
    user = g.get("_login_user")
    return not user.is_anonymous if user is not None else "_user_id" in session


def add_security_headers(response: Response) -> Response:
    """The after_request step: the headers above on every response."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", current_app.config["CONTENT_SECURITY_POLICY"])
    headers.setdefault("X-Frame-Options", "DENY")
    for name, value in HEADERS.items():
        headers[name] = value
    if current_app.config["SESSION_COOKIE_SECURE"]:
        headers["Strict-Transport-Security"] = HSTS
    if request.endpoint != "static" and _signed_in():
        headers["Cache-Control"] = "no-store"
        headers.pop("Expires", None)
    return response


def init_app(app: Flask) -> None:
    """The headers on every response. With university sign-in, logging out (a form) redirects to the provider's
    logout page, which must then be a form target (its end-session endpoint is on the issuer's origin)."""
    issuer = urlsplit(app.config["OIDC_ISSUER"] or "")
    app.config["CONTENT_SECURITY_POLICY"] = \
        content_security_policy(f"{issuer.scheme}://{issuer.netloc}" if issuer.netloc else "")
    app.after_request(add_security_headers)
    limit_pillow(app.config["UPLOAD_MAX_PIXELS"])
