"""The dev blueprint."""
from flask import Blueprint

bp = Blueprint("dev", __name__, url_prefix="/dev")

from app.dev import mail, routes  # noqa: E402,F401
