"""Account data rules shared by the register form, the roster import and the CLI."""
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _

from app.emailer.render import ADDRESS
from app.text import CONTROL

EMAIL_MAX = 254
NAME_MAX = 120
PASSWORD_MIN = 10
PASSWORD_MAX = 128
PASSWORD_SCORE = 3  # zxcvbn's 0-4 scale: 3 is "safely unguessable" (about 10^8 guesses and more)


def password_problem(password: str, *user_inputs: str) -> str | None:
    """Why `password` may not be used (too short, or easy to guess by zxcvbn's judgement, which knows common
    passwords, words, names, keyboard patterns, repeats and sequences), else None. `user_inputs`: the account's
    email and name, which make a password weak too."""
    if len(password) < PASSWORD_MIN:
        return _("Use at least %(num)d characters.", num=PASSWORD_MIN)
    if len(password) > PASSWORD_MAX:
        return _("Use at most %(num)d characters.", num=PASSWORD_MAX)
    words = [part for value in user_inputs if value
             for part in [value, value.split("@")[0], *value.replace("@", " ").replace(".", " ").split()]]
    from zxcvbn import zxcvbn  # 13 MB of word lists: loaded by the first password checked, not at start

    result = zxcvbn(password, user_inputs=words)
    if result["score"] >= PASSWORD_SCORE:
        return None
    feedback = result["feedback"]
    reason = _(feedback.get("warning") or "This password is easy to guess.")  # zxcvbn's: app/auth/zxcvbn_messages.py
    suggestions = feedback.get("suggestions") or ["Add another word or two. Uncommon words are better."]
    hint = " ".join(_(text) for text in suggestions)
    return f"{reason} {hint}"


def email_domain_allowed(email: str) -> bool:
    """True when ALLOWED_EMAIL_DOMAINS is empty or the address is in one of them (or a subdomain)."""
    allowed = current_app.config["ALLOWED_EMAIL_DOMAINS"]
    domain = email.rsplit("@", 1)[-1].lower()
    return not allowed or any(domain == d or domain.endswith("." + d) for d in allowed)


def email_valid(email: str) -> bool:
    """A well-formed address of at most 254 characters."""
    if not email or len(email) > EMAIL_MAX:
        return False
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def email_mailable(email: str) -> bool:
    """True when the mail worker can address `email` (plain ASCII: no SMTPUTF8 or accents)."""
    return bool(ADDRESS.fullmatch(email))


def name_problem(name: str) -> str | None:
    """Why `name` (already stripped) cannot be stored, or None."""
    if not name:
        return _("name is missing")
    if len(name) > NAME_MAX:
        return _("name is longer than %(num)d characters", num=NAME_MAX)
    if CONTROL.search(name):
        return _("name contains control characters")
    return None
