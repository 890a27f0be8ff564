"""House admins' pages (built by the maintenance-issues and move-in issues)."""
from flask import render_template

from app.admin import bp
from app.auth.access import admin_required


@bp.route("/")
@admin_required
def index():
    return render_template("admin/index.html")
