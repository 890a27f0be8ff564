"""The house QR code: segno encodes BASE_URL + /r/<slug>, the address the poster opens."""
import io

import segno
from flask import current_app, url_for


def landing_url(slug: str) -> str:
    return current_app.config["BASE_URL"] + url_for("houses.landing", slug=slug)


def house_qr(slug: str) -> segno.QRCode:
    # Error level "Q" survives a scuffed or partly covered poster.
    return segno.make_qr(landing_url(slug), error="q")


def qr_svg(slug: str) -> bytes:
    out = io.BytesIO()
    house_qr(slug).save(out, kind="svg", scale=10, border=4, xmldecl=True, svgclass="house-qr",
                        title=f"QR code for {landing_url(slug)}")
    return out.getvalue()


def qr_png(slug: str, scale: int = 10) -> bytes:
    out = io.BytesIO()
    house_qr(slug).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()
