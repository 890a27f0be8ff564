"""The issues blueprint (/issues), its house pages (/r/<slug>, /houses/<slug>/...) and `flask issues ...`."""
from flask import Blueprint

bp = Blueprint("issues", __name__, url_prefix="/issues", cli_group="issues")

from app.issues import cli, filters, routes  # noqa: E402,F401
from app.issues.houses import bp as houses_bp  # noqa: E402,F401
