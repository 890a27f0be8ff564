"""WTForms' own messages ("This field is required.", Length's, EqualTo's...) in the person's language.

WTForms and Flask-WTF ship no Afrikaans or isiXhosa catalog. Their messages are listed below so that
`make messages` extracts them into ours, and each request hands Flask-WTF our catalog in place of WTForms' (it
reads the translations of a request from `request.wtforms_translations`, loaded once per request): every form of
the app, FlaskForm or not, then speaks the language of the page.
"""
from flask import Flask, request
from flask_babel import get_translations


def N_(message: str) -> str:
    """Marks a message for extraction only (WTForms translates it when it uses it)."""
    return message


def ngettext(singular: str, plural: str, num: int = 0) -> tuple[str, str]:  # noqa: ARG001 - extraction only
    """Marks a plural message for extraction only (the default `ngettext` keyword of pybabel extract)."""
    return singular, plural


# The messages of wtforms/locale/wtforms.pot and flask_wtf/file.py that a person can meet (not the developer's:
# "Invalid field name", "Choices cannot be None").
MESSAGES = [
    N_("This field is required."),
    N_("Invalid input."),
    N_("Field must be equal to %(other_name)s."),
    ngettext("Field must be at least %(min)d character long.", "Field must be at least %(min)d characters long."),
    ngettext("Field cannot be longer than %(max)d character.", "Field cannot be longer than %(max)d characters."),
    ngettext("Field must be exactly %(max)d character long.", "Field must be exactly %(max)d characters long."),
    N_("Field must be between %(min)d and %(max)d characters long."),
    N_("Number must be at least %(min)s."),
    N_("Number must be at most %(max)s."),
    N_("Number must be between %(min)s and %(max)s."),
    N_("Date must be at least %(min)s."),
    N_("Date must be at most %(max)s."),
    N_("Date must be between %(min)s and %(max)s."),
    N_("Invalid email address."),
    N_("Invalid IP address."),
    N_("Invalid Mac address."),
    N_("Invalid URL."),
    N_("Invalid UUID."),
    N_("Invalid value, must be one of: %(values)s."),
    N_("Invalid value, can't be any of: %(values)s."),
    N_("This field cannot be edited."),
    N_("This field is disabled and cannot have a value."),
    N_("Invalid CSRF Token."),
    N_("CSRF token missing."),
    N_("CSRF failed."),
    N_("CSRF token expired."),
    N_("Invalid Choice: could not coerce."),
    N_("Not a valid choice."),
    N_("Invalid choice(s): one or more data inputs could not be coerced."),
    ngettext("'%(value)s' is not a valid choice for this field.", "'%(value)s' are not valid choices for this field."),
    N_("Not a valid datetime value."),
    N_("Not a valid date value."),
    N_("Not a valid time value."),
    N_("Not a valid week value."),
    N_("Not a valid integer value."),
    N_("Not a valid decimal value."),
    N_("Not a valid float value."),
    N_("File does not have an approved extension."),
]


class CatalogTranslations:
    """What Flask-WTF asks for a message: our catalog's translation in the request's language (unformatted:
    WTForms fills in the placeholders itself)."""

    def ugettext(self, message: str) -> str:
        return get_translations().ugettext(message)

    def ungettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


CATALOG = CatalogTranslations()


def _use_our_catalog() -> None:
    request.wtforms_translations = CATALOG


def init_app(app: Flask) -> None:
    app.before_request(_use_our_catalog)
