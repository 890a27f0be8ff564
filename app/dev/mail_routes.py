"""/dev/mail: mail health for developers; in development also the local catcher's messages."""
import re

import sqlalchemy as sa
from flask import Response, abort, current_app, render_template, url_for

from app.auth.access import developer_required
from app.dev.routes import bp
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
        sa.select(OutboxEmail).where(OutboxEmail.status.in_([MailStatus.FAILED, MailStatus.UNKNOWN]))
        .order_by(OutboxEmail.id.desc()).limit(20))
    caught = list_caught(current_app.config["MAIL_CATCHER_DIR"]) if _show_caught() else None
    return render_template("dev/mail.html", health=mail_health(), causes=top_causes(), problems=list(problems),
                           caught=caught)


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
