"""/dev/mail: mail health for developers, and what to do with `unknown` rows; in development also the local
catcher's messages."""
import re

import sqlalchemy as sa
from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth.access import developer_required
from app.dev.routes import bp
from app.emailer import unknown
from app.emailer.catcher import list_caught, read_caught
from app.emailer.causes import top_causes
from app.emailer.health import mail_health
from app.extensions import db
from app.models.mail import MailStatus, OutboxEmail
from app.security import framed_policy


def _show_caught() -> bool:
    return bool(current_app.debug or current_app.config["MAIL_SHOW_CAUGHT"])


@bp.route("/mail")
@developer_required
def mail():
    problems = db.session.scalars(
        sa.select(OutboxEmail).where(OutboxEmail.status == MailStatus.FAILED).order_by(OutboxEmail.id.desc()).limit(20))
    caught = list_caught(current_app.config["MAIL_CATCHER_DIR"]) if _show_caught() else None
    return render_template("dev/mail.html", health=mail_health(), causes=top_causes(), problems=list(problems),
                           unknown_rows=unknown.unknown_rows(), unknown_batches=unknown.unknown_batches(),
                           decisions=unknown.recent_decisions(), caught=caught)


def _ids(values: list[str]) -> list[int]:
    return [int(value) for value in values if value.isascii() and value.isdigit() and len(value) < 12]


@bp.post("/mail/unknown/<decision>")
@developer_required
def decide_unknown(decision: str):
    """Resend or mark as sent: one row (`row`, its own button), the checked rows (`ids`) or a batch (`batch`)."""
    if decision not in unknown.Decision.__members__.values():
        abort(404, "Unknown action.")
    row, batch = request.form.get("row", ""), request.form.get("batch", "").strip()
    ids = _ids([row]) if row else _ids(request.form.getlist("ids"))
    if not ids and not batch:
        flash("Choose at least one email whose delivery is unknown.", "error")
        return redirect(url_for("dev.mail", _anchor="unknown-heading"))
    changed = unknown.decide(unknown.Decision(decision), current_user.email, ids=ids,
                             batch=None if ids else batch[:64])
    what = unknown.RECORDED[unknown.Decision(decision)]
    flash(f"{changed} email{'' if changed == 1 else 's'} {what}." if changed else
          "Nothing changed: those emails are no longer unknown.", "success" if changed else "warning")
    return redirect(url_for("dev.mail", _anchor="unknown-heading"))


def _caught_or_404(name: str):
    message = read_caught(current_app.config["MAIL_CATCHER_DIR"], name) if _show_caught() else None
    if message is None:
        abort(404, "No such caught message.")
    return message


@bp.route("/mail/caught/<name>")
@developer_required
def caught_message(name: str):
    message = _caught_or_404(name)
    text = message.get_body(("plain",))
    images = [part.get("Content-ID", "").strip("<>") for part in message.walk()
              if part.get_content_maintype() == "image"]
    return render_template("dev/mail_message.html", name=name, message=message, images=images,
                           text=text.get_content() if text else None,
                           has_html=message.get_body(("html",)) is not None)


@bp.route("/mail/caught/<name>/html")
@developer_required
def caught_html(name: str):
    """The HTML part on its own, for the sandboxed iframe of the message page: its own policy allows the
    inline styles emails need, but no script, and only our own pages may frame it."""
    html = _caught_or_404(name).get_body(("html",))
    if html is None:
        abort(404, "This message has no HTML part.")
    source = re.sub(r'src="cid:([^"]+)"', lambda m: 'src="{}"'.format(  # inline images through the route below
        url_for("dev.caught_part", name=name, cid=m.group(1))), html.get_content())
    return Response(source, mimetype="text/html", headers=framed_policy())


@bp.route("/mail/caught/<name>/cid/<cid>")
@developer_required
def caught_part(name: str, cid: str):
    message = _caught_or_404(name)
    for part in message.walk():
        if part.get("Content-ID", "").strip("<>") == cid and part.get_content_maintype() == "image":
            return Response(part.get_content(), mimetype=part.get_content_type(),
                            headers={"Cache-Control": "private, max-age=300"})
    abort(404, "No such inline part.")
