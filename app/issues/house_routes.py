"""Pages outside /issues that belong to a house: the QR landing page, the QR image and the poster."""
from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.access import admin_required, administered_house
from app.house_setup import house_by_slug
from app.issues import services
from app.issues.forms import ButtonForm
from app.issues.qr import landing_url, qr_svg

bp = Blueprint("houses", __name__)


def _area_of(house, required: bool = False):
    """The common area of `house` named by ?area=<id>: None when not given (or, unless `required`, unknown)."""
    raw = request.args.get("area", "")
    area = next((a for a in house.common_areas if str(a.id) == raw), None) if raw else None
    if raw and area is None and required:
        abort(404, _("That house has no such common area."))
    return area


def _house_or_404(slug: str):
    house = house_by_slug(slug)
    if house is None:
        abort(404, _("There is no house with that address."))
    return house


@bp.route("/r/<slug>")
def landing(slug: str):
    """What the poster's QR opens: the house's open common-area issues with "me too", and a report button."""
    house = _house_or_404(slug)
    area = _area_of(house)
    report_url = url_for("issues.new", location=area.id if area else None)  # "Where?" filled in from the poster
    user = current_user if current_user.is_authenticated else None
    may_list = user is not None and ((user.is_student and user.is_approved and user.house_id == house.id)
                                     or (user.is_admin and user.administers(house.id)))
    issues = services.open_common_issues(house.id) if may_list else []
    followed = services.subscribed_ids(user.id, [i.id for i in issues]) if may_list else set()
    return render_template("issues/landing.html", house=house, issues=issues, followed=followed,
                           may_list=may_list, button_form=ButtonForm(formdata=None), area=area,
                           report_url=report_url, login_url=url_for("auth.login", next=request.full_path.rstrip("?")),
                           report_login_url=url_for("auth.login", next=report_url),
                           register_url=url_for("auth.register", house=house.slug, next=report_url))


@bp.route("/houses/<slug>/qr.svg")
@admin_required
def qr_image(slug: str):
    house = administered_house(slug)
    area = _area_of(house, required=True)
    response = Response(qr_svg(house.slug, area.id if area else None), mimetype="image/svg+xml")
    name = f"{house.slug}-{area.id}" if area else house.slug
    response.headers["Content-Disposition"] = f'inline; filename="{name}-qr.svg"'
    return response


@bp.route("/houses/<slug>/poster")
@admin_required
def poster(slug: str):
    house = administered_house(slug)
    area = _area_of(house, required=True)
    return render_template("houses/poster.html", house=house, area=area,
                           url=landing_url(house.slug, area.id if area else None))
