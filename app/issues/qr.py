"""The house QR codes: segno encodes BASE_URL + /r/<slug> (the house's poster), or + /r/<slug>?area=<id> (a common
area's poster: the report form opens with "Where?" filled in). segno is imported on the first poster drawn."""
import io
from typing import TYPE_CHECKING

from flask import current_app, url_for

if TYPE_CHECKING:
    import segno


def landing_url(slug: str, area_id: int | None = None) -> str:
    return current_app.config["BASE_URL"] + url_for("houses.landing", slug=slug, area=area_id)


def house_qr(slug: str, area_id: int | None = None) -> "segno.QRCode":
    import segno

    # Error level "Q" survives a scuffed or partly covered poster.
    return segno.make_qr(landing_url(slug, area_id), error="q")


def qr_svg(slug: str, area_id: int | None = None) -> bytes:
    out = io.BytesIO()
    house_qr(slug, area_id).save(out, kind="svg", scale=10, border=4, xmldecl=True, svgclass="house-qr",
                                 title=f"QR code for {landing_url(slug, area_id)}")
    return out.getvalue()


def qr_png(slug: str, scale: int = 10, area_id: int | None = None) -> bytes:
    out = io.BytesIO()
    house_qr(slug, area_id).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()
