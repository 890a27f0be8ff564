"""The product's languages: Afrikaans, English and isiXhosa (Flask-Babel, catalogs in app/translations/).

A request speaks the language its person chose (on the account when signed in, else in a cookie), else the best
the browser asks for, else DEFAULT_LANGUAGE. An email speaks its recipient's: their account's, else their
house's, else DEFAULT_LANGUAGE (`of_recipients`, read when the worker claims the email, so a choice made while it
waited still counts). Dates and times are formatted for the language in the residence's zone (app/localtime.py).
"""
from collections.abc import Iterable
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, current_app, g, request
from flask_babel import Domain, get_locale
from flask_login import current_user

from app.config import ConfigError
from app.extensions import babel, db

NAMES = {"af": "Afrikaans", "en": "English", "xh": "isiXhosa"}  # each language named in itself
COOKIE = "language"
COOKIE_DAYS = 365


def offered() -> tuple[str, ...]:
    return tuple(current_app.config["LANGUAGES"])


def chosen_in_browser() -> str | None:
    """The language this browser's switch chose (its cookie), if it is one we offer."""
    cookie = request.cookies.get(COOKIE) if request else None
    return cookie if cookie in offered() else None


def choose() -> str:
    """Flask-Babel's locale selector for a request."""
    languages = offered()
    user = current_user if request else None
    if user is not None and user.is_authenticated and user.language in languages:
        return user.language
    if cookie := chosen_in_browser():
        return cookie
    if request and (best := request.accept_languages.best_match(languages)):
        return best
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def current() -> str:
    """The language the response speaks (the `<html lang>`)."""
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"]).replace("_", "-")


def switch_choices() -> list[tuple[str, str]]:
    """(code, name in itself) of each language, for the footer's switch."""
    return [(code, NAMES.get(code, code)) for code in offered()]


def of_recipients(addresses: Iterable[str]) -> dict[str, str]:
    """The language each address's account reads (the account's, else its house's), lower-cased address to code;
    addresses without an account, or whose account and house chose none, are left out (DEFAULT_LANGUAGE)."""
    from app.models.accounts import User
    from app.models.houses import House

    wanted = {address.strip().lower() for address in addresses}
    if not wanted:
        return {}
    rows = db.session.execute(
        sa.select(User.email, sa.func.coalesce(User.language, House.language))
        .outerjoin(House, House.id == User.house_id).where(User.email.in_(wanted)))
    languages = offered()
    return {email: language for email, language in rows if language in languages}


def missing_catalogs(app: Flask) -> list[str]:
    """The offered languages (English aside: it is the source) whose compiled catalog is not there."""
    folder = Path(app.root_path) / "translations"
    return [code for code in app.config["LANGUAGES"] if code != "en" and not any(
        (Path(directory) / code / "LC_MESSAGES" / "messages.mo").exists()
        for directory in [folder, *app.config["EXTRA_TRANSLATIONS"]])]


class CatalogsPerApp(Domain):
    """Flask-Babel's message domain, its loaded catalogs cached per app rather than per process (one process
    may hold several apps with their own catalog folders: the tests' pseudo-language), and the request's catalog
    kept on the request for its locale (a page asks for it at every string; `force_locale` and `refresh` change
    the locale object, and the catalog is found again)."""

    def get_translations_cache(self, ctx):
        return current_app.extensions.setdefault("language_catalogs", {})

    def get_translations(self):
        ctx = g.get("_flask_babel") if g else None
        found = getattr(ctx, "catalog", None)
        if found is not None and found[0] is getattr(ctx, "babel_locale", None):
            return found[1]
        translations = super().get_translations()
        ctx = g.get("_flask_babel") if g else None
        if ctx is not None:
            ctx.catalog = (ctx.babel_locale, translations)
        return translations


def init_app(app: Flask) -> None:
    if missing := missing_catalogs(app):
        raise ConfigError(f"no compiled catalog for {', '.join(missing)}: run `make translations` (pybabel compile "
                          "-d app/translations)")
    directories = [str(Path(app.root_path) / "translations"), *app.config["EXTRA_TRANSLATIONS"]]
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(directories)
    babel.init_app(app, locale_selector=choose)
    domain = babel.domain_instance = CatalogsPerApp()
    app.jinja_env.install_gettext_callables(  # as Flask-Babel's, without finding the domain again at each string
        gettext=lambda s: domain.get_translations().ugettext(s),
        ngettext=lambda s, p, n: domain.get_translations().ungettext(s, p, n),
        pgettext=lambda c, s: domain.get_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: domain.get_translations().unpgettext(c, s, p, n), newstyle=True)
    app.jinja_env.policies["ext.i18n.trimmed"] = True  # {% trans %} blocks are extracted and looked up trimmed
    app.jinja_env.globals.update(page_language=current, language_choices=switch_choices)
