"""/dev/errors: the developer error dashboard, a group's detail page and its status actions."""
from datetime import timedelta

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from app.auth.access import developer_required
from app.dev import services
from app.dev.charts import bar_chart
from app.dev.hourly import hourly_series
from app.extensions import db
from app.models.base import utcnow
from app.models.errors import ErrorGroup

bp = Blueprint("dev", __name__, url_prefix="/dev")


@bp.route("/errors")
@developer_required
def errors():
    filters = services.Filters.from_args(request.args)
    page_size = int(current_app.config["ERRORLOG_PAGE_SIZE"])
    result = services.list_groups(filters, page_size)
    charts = {gid: bar_chart(values, label=f"{sum(values)} in the last 24 hours")
              for gid, values in result.series.items()}
    return render_template("dev/errors.html", result=result, filters=filters, charts=charts,
                           sources=result.sources, statuses=services.STATUS_FILTERS,
                           banner=services.mail_banner())


@bp.route("/errors/<id:group_id>")
@developer_required
def error_detail(group_id: int):
    group = db.session.get(ErrorGroup, group_id) or abort(404, "There is no such error group.")
    now = utcnow()
    week = hourly_series([group.id], 24 * 7, now)[group.id]
    total = sum(week)
    label = f"{total} occurrence{'' if total == 1 else 's'} in the last 7 days, per hour"
    chart = bar_chart(week, width=672, height=90, label=label, css_class="chart", bar_titles=True)
    week_start = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=len(week) - 1)
    return render_template("dev/error_detail.html", group=group, chart=chart, week_total=total,
                           week_start=week_start, occurrences=services.recent_occurrences(group.id),
                           banner=services.mail_banner())


@bp.post("/errors/<id:group_id>/<action>")
@developer_required
def error_action(group_id: int, action: str):
    if action not in services.ACTIONS:
        abort(404, "Unknown action.")
    group = db.session.scalar(sa.select(ErrorGroup).where(ErrorGroup.id == group_id).with_for_update()) \
        or abort(404, "There is no such error group.")
    flash(services.change_status(group, action), "success")
    return redirect(url_for("dev.error_detail", group_id=group.id))
