"""/unsubscribe/<token>: GET shows what the link turns off and a button; POST turns it off.

The POST is what a mail provider sends for "List-Unsubscribe=One-Click" (RFC 8058): no session and no CSRF
token can come with it, so it is exempt from CSRF and the signed token (the person and the kind of mail) is
the whole authorisation. Turning off twice is harmless. A bad, forged or expired link answers a clear 4xx.
"""
from flask import Blueprint, abort, render_template

from app.emailer import unsubscribe
from app.extensions import csrf

bp = Blueprint("unsubscribe", __name__)


def _read(token: str) -> unsubscribe.Choice:
    try:
        return unsubscribe.read(token)
    except unsubscribe.BadLink as exc:
        abort(exc.status, str(exc))


@bp.get("/unsubscribe/<token>")
def confirm(token: str):
    return render_template("unsubscribe/confirm.html", choice=_read(token), token=token)


@csrf.exempt
@bp.post("/unsubscribe/<token>")
def one_click(token: str):
    choice = _read(token)
    cancelled = unsubscribe.turn_off(choice)
    return render_template("unsubscribe/done.html", choice=choice, cancelled=cancelled)
