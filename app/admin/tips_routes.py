"""Self-help tips per category (house admins and developers; added to admin's bp), with the figures of report
starts that saw a tip and were abandoned. Tips apply to every house; an admin's figures cover their houses."""
from datetime import timedelta

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.admin.routes import bp
from app.auth.access import role_required
from app.extensions import db
from app.issues import tips
from app.issues.forms import ButtonForm
from app.models.base import utcnow
from app.models.houses import House
from app.models.issues import Category

editors_only = role_required(*tips.EDITORS)
FIGURES_DAYS = 30


def _house_ids() -> list[int]:
    if current_user.is_admin:
        return sorted(current_user.admin_house_ids)
    return list(db.session.scalars(sa.select(House.id)))


def _page(form, typed: dict | None = None, errors: dict | None = None, status: int = 200):
    stored = tips.all_tips()
    since = utcnow() - timedelta(days=FIGURES_DAYS)
    house_ids = _house_ids()
    rows = [{"category": c, "text": (typed or {}).get(c, stored.get(c, "")), "error": (errors or {}).get(c.value)}
            for c in Category]
    return render_template("admin/tips.html", form=form, rows=rows, max_chars=tips.MAX_CHARS,
                           max_lines=tips.MAX_LINES, figures=tips.tip_figures(house_ids, since),
                           totals=tips.start_totals(house_ids, since), days=FIGURES_DAYS,
                           hours=int(tips.ABANDON_AFTER.total_seconds() // 3600)), status


@bp.route("/tips", methods=["GET", "POST"])
@editors_only
def tips_page():
    form = ButtonForm()
    if request.method == "GET":
        return _page(form)
    typed = {c: request.form.get(f"tip-{c.value}", "")[: tips.MAX_CHARS * 2] for c in Category}
    if not form.validate():
        return _page(form, typed, status=400)
    try:
        changed = tips.save_all(typed, current_user)
    except tips.TipErrors as exc:
        db.session.rollback()
        form.form_errors.append(_("Nothing was saved: correct the tips marked below."))
        return _page(form, typed, exc.by_category, status=400)
    db.session.commit()
    flash(_("Tips saved: %(num)d changed.", num=changed) if changed else _("Nothing changed."), "success")
    return redirect(url_for("admin.tips_page"))
