"""/admin/metrics and its CSV (house admins: their houses; developers: every house; added to admin's bp). The page
also shows the self-help tip figures (app/issues/tips.py) of the same houses, category and period; the CSV does not
(they are per category over the houses, not per house and category)."""
from datetime import date

import sqlalchemy as sa
from flask import Response, abort, render_template, request
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from app.admin import metrics
from app.admin.routes import bp
from app.auth.access import role_required
from app.dev.charts import paired_bar_chart
from app.extensions import db
from app.issues import tips
from app.models.accounts import Role
from app.models.houses import House
from app.models.issues import Category

readers_only = role_required(Role.ADMIN, Role.DEVELOPER)


def _figures() -> metrics.Metrics:
    houses = (list(db.session.scalars(sa.select(House).order_by(House.name))) if current_user.is_developer
              else current_user.admin_houses)
    try:
        filters = metrics.Filters.from_args(request.args, houses)
    except metrics.UnknownHouse:
        abort(404, _("There is no house with that address among yours."))
    return metrics.compute(filters)


@bp.route("/metrics")
@readers_only
def metrics_page():
    figures = _figures()
    label = _("Issues opened and fixed per week, %(house)s, %(category)s", house=figures.filters.house_shown,
              category=figures.filters.category_shown)
    summary = ngettext("%(opened)d opened and %(fixed)d fixed in %(num)d week from %(start)s; the table below gives "
                       "each week's figures.",
                       "%(opened)d opened and %(fixed)d fixed in %(num)d weeks from %(start)s; the table below gives "
                       "each week's figures.", len(figures.weeks), opened=figures.total.opened,
                       fixed=figures.total.fixed, start=format_date(figures.start.date(), "dd MMM y"))
    chart = paired_bar_chart([w.opened for w in figures.weeks], [w.fixed for w in figures.weeks],
                             (_("Opened"), _("Fixed")), title=label, desc=summary, chart_id="weekly-chart")
    tip_figures = tips.tip_figures(figures.filters.house_ids, figures.start, figures.end)
    if figures.filters.category:
        tip_figures = {figures.filters.category: tip_figures[figures.filters.category]}
    return render_template("admin/metrics.html", figures=figures, filters=figures.filters, chart=chart,
                           categories=list(Category), week_choices=metrics.WEEK_CHOICES,
                           tip_figures=tip_figures,
                           tip_hours=int(tips.ABANDON_AFTER.total_seconds() // 3600))


@bp.route("/metrics.csv")
@readers_only
def metrics_csv():
    response = Response(metrics.csv_text(_figures()), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="metrics-{date.today().isoformat()}.csv"'
    return response
