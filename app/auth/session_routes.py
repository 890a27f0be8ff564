"""A user's own login sessions: see where the account is signed in, end any of them (added to auth's bp)."""
import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from app.auth.forms import LogoutForm
from app.auth.routes import bp
from app.auth.session import end_current_session, end_sessions, is_current
from app.extensions import db
from app.models.accounts import LoginSession


def describe(user_agent: str) -> str:
    """"Chrome Mobile 120 on Android 14" from a user agent string, or what is known of it (ua_parser is imported
    on the first sessions page, not at start)."""
    from ua_parser import parse

    result = parse(user_agent)
    browser = f"{result.user_agent.family} {result.user_agent.major or ''}".strip() if result.user_agent else ""
    system = f"{result.os.family} {result.os.major or ''}".strip() if result.os else ""
    if browser and system:
        return _("%(browser)s on %(system)s", browser=browser, system=system)
    return browser or system or _("Unknown browser")


@bp.route("/account/sessions")
@login_required
def sessions():
    return _page(LogoutForm())


def _page(form: LogoutForm, status: int = 200):
    """The user's sessions, newest use first; a refused form (a missing or stale CSRF token) shows why."""
    records = db.session.scalars(sa.select(LoginSession).where(LoginSession.user_id == current_user.id)
                                 .order_by(LoginSession.last_seen_at.desc(), LoginSession.id.desc())).all()
    rows = [(record, describe(record.user_agent), is_current(record)) for record in records]
    return render_template("auth/sessions.html", rows=rows, form=form), status


@bp.post("/account/sessions/<int:session_id>/end")
@login_required
def end_session(session_id: int):
    record = db.session.get(LoginSession, session_id)
    if record is None or record.user_id != current_user.id:
        abort(404)
    form = LogoutForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    if is_current(record):
        end_current_session()
        flash(_("You have been logged out."), "info")
        return redirect(url_for("auth.login"))
    db.session.delete(record)
    db.session.commit()
    flash(_("That session has ended: the browser is logged out."), "success")
    return redirect(url_for("auth.sessions"))


@bp.post("/account/sessions/end-others")
@login_required
def end_other_sessions():
    form = LogoutForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    ended = end_sessions(current_user.id, keep_current=True)
    db.session.commit()
    flash(ngettext("Logged out %(num)d other session.", "Logged out %(num)d other sessions.", ended), "success")
    return redirect(url_for("auth.sessions"))


@bp.post("/account/sessions/end-all")
@login_required
def end_all_sessions():
    form = LogoutForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    end_sessions(current_user.id)
    end_current_session()
    flash(_("You have been logged out everywhere."), "info")
    return redirect(url_for("auth.login"))
