"""Accounts: register, log in and out, set or reset a password."""
from flask import Blueprint

from app.extensions import csrf

bp = Blueprint("auth", __name__)

# Every POST view here validates a FlaskForm, which checks the CSRF token itself before anything is stored.
# Left to the forms (instead of the global check, which answers with a bare error page), a stale or missing
# token shows the same form again with a clear message and what the user typed. tests/auth/test_csrf.py
# sends every POST route of this blueprint without a valid token.
csrf.exempt(bp)

from app.auth import routes  # noqa: E402,F401  (registers the views on bp)
