"""/dev/mail: mail health and caught messages (built by the emailer issue)."""
from flask import render_template

from app.auth.access import developer_required
from app.dev import bp


@bp.route("/mail")
@developer_required
def mail():
    return render_template("dev/mail.html")
