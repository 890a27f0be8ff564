"""Response targets per category (house admins and developers; added to admin's bp). The defaults per urgency
are settings; a category's own targets override them for every house."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.admin.routes import bp
from app.auth.access import role_required
from app.extensions import db
from app.issues import targets
from app.issues.forms import ButtonForm
from app.models.issues import Category, Urgency

managers_only = role_required(*targets.EDITORS)


def _rows(values: dict | None = None, errors: dict | None = None) -> list[dict]:
    """One row per (category, urgency): its stored (or typed) targets, else the defaults, and any error."""
    stored = targets.overrides()
    rows = []
    for category in Category:
        for urgency in Urgency:
            key = f"{category.value}-{urgency.value}"
            hours = stored.get((category, urgency))
            shown = (values or {}).get(key) or tuple(map(targets.hours_text, hours or targets.default_hours(urgency)))
            rows.append({"key": key, "category": category, "urgency": urgency, "own": hours is not None,
                         "response": shown[0], "fix": shown[1], "error": (errors or {}).get(key)})
    return rows


@bp.route("/targets", methods=["GET", "POST"])
@managers_only
def targets_page():
    form = ButtonForm()
    if request.method == "GET":
        return render_template("admin/targets.html", form=form, rows=_rows())
    typed = {f"{c.value}-{u.value}": (request.form.get(f"response-{c.value}-{u.value}", "")[:20],
                                      request.form.get(f"fix-{c.value}-{u.value}", "")[:20])
             for c in Category for u in Urgency}
    if not form.validate():
        return render_template("admin/targets.html", form=form, rows=_rows(typed)), 400
    try:
        changed = targets.save_all({(Category(key.rsplit("-", 1)[0]), Urgency(key.rsplit("-", 1)[1])): value
                                    for key, value in typed.items()})
    except targets.TargetErrors as exc:
        db.session.rollback()
        form.form_errors.append(_("Nothing was saved: correct the targets marked below."))
        return render_template("admin/targets.html", form=form, rows=_rows(typed, exc.by_key)), 400
    db.session.commit()
    flash(_("Targets saved: %(num)d changed.", num=changed) if changed else _("Nothing changed."), "success")
    return redirect(url_for("admin.targets_page"))
