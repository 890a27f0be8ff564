"""Home page, /healthz and the language switch."""
import hmac
from datetime import timedelta

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import languages
from app.auth.access import is_safe_next
from app.emailer.budget import paused_until, read_state
from app.emailer.health import mail_health
from app.extensions import db
from app.main.errors import RETRY_AFTER_SECONDS
from app.models.base import utcnow
from app.models.mail import MailState

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    return render_template("main/index.html")


def may_see_details() -> bool:
    """A developer's session, or the HEALTHZ_TOKEN in the X-Healthz-Token header (for monitoring)."""
    token = current_app.config["HEALTHZ_TOKEN"]
    if token and hmac.compare_digest(request.headers.get("X-Healthz-Token", "").encode(), token.encode()):
        return True
    return current_user.is_authenticated and current_user.is_developer


def worker_state(state: MailState | None) -> str:
    """'ok' when a mail worker took the mail lock lately, 'stale' when none has for a while, 'never'."""
    if state is None or state.worker_seen_at is None:
        return "never"
    quiet = timedelta(seconds=max(60.0, 10 * current_app.config["MAIL_POLL_SECONDS"]))
    return "ok" if utcnow() - state.worker_seen_at <= quiet else "stale"


@bp.route("/healthz")
def healthz():
    """200 with ok or degraded (a stale mail worker, paused sending) while the database answers, 503 when it
    does not. Anyone sees the verdict; the mail figures only a developer or a monitor with the token."""
    try:
        state = read_state()
        body = {"status": "ok", "database": "ok", "worker": worker_state(state)}
        if body["worker"] != "ok" or paused_until(state, utcnow()):
            body["status"] = "degraded"
        if may_see_details():
            body["mail"] = mail_health()
    except Exception as exc:  # noqa: BLE001 - report, don't crash, when the database is away
        db.session.rollback()
        return jsonify({"status": "error", "database": f"error: {exc.__class__.__name__}"}), 503, {
            "Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    return jsonify(body), 200


@bp.route("/language", methods=["POST"])
def language():
    """The footer's switch: remember the language in a cookie and, when signed in, on the account."""
    chosen = request.form.get("language", "")
    if chosen not in languages.offered():
        abort(400, _("No such language."))
    if current_user.is_authenticated:
        current_user.language = chosen
        db.session.commit()
    target = request.form.get("next")
    response = redirect(target if is_safe_next(target) else url_for("main.index"))
    response.set_cookie(languages.COOKIE, chosen, max_age=languages.COOKIE_DAYS * 86400, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True)
    return response
