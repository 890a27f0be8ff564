"""The move_in blueprint."""
from flask import Blueprint

bp = Blueprint("move_in", __name__, url_prefix="/move-in")

from app.move_in import routes  # noqa: E402,F401
