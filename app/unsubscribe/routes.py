"""/unsubscribe/<token>: GET shows what the link turns off and a button; POST turns it off.

The POST is what a mail provider sends for "List-Unsubscribe=One-Click" (RFC 8058): no session and no CSRF
token can come with it, so it is exempt from CSRF and the signed token (the person and the kind of mail) is
the whole authorisation. Turning off twice is harmless. A bad, forged or expired link answers a clear 4xx.
"""
from flask import Blueprint, abort, render_template
from flask_babel import lazy_gettext as _l

from app.emailer import unsubscribe
from app.extensions import csrf
from app.models.mail_preferences import MailKind

bp = Blueprint("unsubscribe", __name__)

# What the pages say of each kind, as whole sentences (the kind's name changes its grammar in Afrikaans and
# isiXhosa): the question, the answer when it is off already, and when it was just turned off.
ASK = {
    MailKind.MOVE_IN_REMINDERS: _l("Stop sending move-in form reminders to %(email)s?"),
    MailKind.DIGEST: _l("Stop sending the daily digest of new issues to %(email)s?"),
    MailKind.INVITATIONS: _l("Stop sending account invitations to %(email)s?"),
}
ALREADY = {
    MailKind.MOVE_IN_REMINDERS: _l("%(email)s already gets no move-in form reminders."),
    MailKind.DIGEST: _l("%(email)s already gets no daily digest of new issues."),
    MailKind.INVITATIONS: _l("%(email)s already gets no account invitations."),
}
DONE = {
    MailKind.MOVE_IN_REMINDERS: _l("%(email)s will get no more move-in form reminders."),
    MailKind.DIGEST: _l("%(email)s will get no more daily digests of new issues."),
    MailKind.INVITATIONS: _l("%(email)s will get no more account invitations."),
}
# Why a link does not work, by the status app/emailer/unsubscribe.py answers with
BAD_LINKS = {
    410: _l("This unsubscribe link has expired. Use the link in a more recent email, or ask your house admin."),
    400: _l("This unsubscribe link is not valid: it may have been cut short when it was copied. Open it from the "
            "email again."),
    404: _l("No account has this email address any more, so it gets no such mail."),
}


def _read(token: str) -> unsubscribe.Choice:
    try:
        return unsubscribe.read(token)
    except unsubscribe.BadLink as exc:
        abort(exc.status, str(BAD_LINKS.get(exc.status, exc)))


def _sentences(choice: unsubscribe.Choice) -> dict[str, str]:
    email = choice.user.email
    return {name: str(texts[choice.kind]) % {"email": email}
            for name, texts in (("ask", ASK), ("already", ALREADY), ("done", DONE))}


@bp.get("/unsubscribe/<token>")
def confirm(token: str):
    choice = _read(token)
    return render_template("unsubscribe/confirm.html", choice=choice, token=token, says=_sentences(choice))


@csrf.exempt
@bp.post("/unsubscribe/<token>")
def one_click(token: str):
    choice = _read(token)
    cancelled = unsubscribe.turn_off(choice)
    return render_template("unsubscribe/done.html", choice=choice, cancelled=cancelled, says=_sentences(choice))
