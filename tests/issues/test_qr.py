"""The house QR code decodes to BASE_URL/r/<slug>, as PNG and as the SVG the poster shows."""
import io

import pytest
import zxingcpp
from PIL import Image

from app.issues.qr import qr_png


@pytest.mark.parametrize("app", [{"BASE_URL": "https://rinaibra.example.ac.za"}], indirect=True)
def test_qr_png_decodes_to_the_landing_page(app, house):
    with app.test_request_context():
        png = qr_png(house.slug)
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)).convert("L"))
    assert [r.text for r in results] == ["https://rinaibra.example.ac.za/r/acacia"]


@pytest.mark.parametrize("app", [{"BASE_URL": "https://rinaibra.example.ac.za"}], indirect=True)
def test_svg_and_poster_for_the_house_admin(app, login, admin, house):
    client = login(admin)
    svg = client.get("/houses/acacia/qr.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert svg.data.lstrip().startswith(b"<?xml") and b"<svg" in svg.data
    with app.test_request_context():
        import segno
        expected = io.BytesIO()
        segno.make_qr("https://rinaibra.example.ac.za/r/acacia", error="q").save(
            expected, kind="svg", scale=10, border=4, xmldecl=True, svgclass="house-qr",
            title="QR code for https://rinaibra.example.ac.za/r/acacia")
    assert svg.data == expected.getvalue()  # the same symbol as the PNG decoded above
    poster = client.get("/houses/acacia/poster").get_data(as_text=True)
    assert "https://rinaibra.example.ac.za/r/acacia" in poster and "/houses/acacia/qr.svg" in poster


@pytest.mark.browser
def test_svg_rendered_by_a_browser_decodes(app, live_server, page, make_user, house):
    """The real SVG, drawn by Chromium, read back by zxing: what a phone camera would see on the poster."""
    from app.models.accounts import Role
    admin = make_user(Role.ADMIN, admin_of=[house])
    page.goto(live_server.url + "/login")
    page.fill("input[name=email]", admin.email)
    page.fill("input[name=password]", admin.password)
    page.click("button[type=submit]")
    page.goto(live_server.url + "/houses/acacia/poster")
    shot = page.locator("img.poster-qr").screenshot()
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(shot)).convert("L"))
    assert [r.text for r in results] == [live_server.url + "/r/acacia"]


@pytest.mark.parametrize("app", [{"BASE_URL": "https://rinaibra.example.ac.za"}], indirect=True)
def test_a_common_area_poster_fills_in_where_and_shows_the_emergency_number(app, client, login, admin, student,
                                                                            house):
    from app.extensions import db
    from app.models.houses import House
    from tests.conftest import PASSWORD

    kitchen = house.common_area_ids[0]
    with app.app_context():
        db.session.get(House, house.id).emergency_phone = "+27 21 555 0100"
        db.session.commit()
    with app.test_request_context():
        png = qr_png(house.slug, area_id=kitchen)
    decoded = [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)).convert("L"))]
    assert decoded == [f"https://rinaibra.example.ac.za/r/acacia?area={kitchen}"]
    login(admin)
    poster = client.get(f"/houses/acacia/poster?area={kitchen}").get_data(as_text=True)
    assert "Something broken in the Kitchen?" in poster and f"/houses/acacia/qr.svg?area={kitchen}" in poster
    assert 'href="tel:+27215550100"' in poster and "+27 21 555 0100" in poster
    assert f"/houses/acacia/poster?area={kitchen}" in client.get("/houses/acacia/poster").get_data(as_text=True)
    assert client.get("/houses/acacia/poster?area=999999").status_code == 404
    assert client.get("/houses/acacia/qr.svg?area=nonsense").status_code == 404
    client.post("/logout")
    landing = client.get(f"/r/acacia?area={kitchen}").get_data(as_text=True)  # logged out, from the poster
    assert "Something broken in the Kitchen?" in landing
    report_login = f"/login?next=/issues/new?location%3D{kitchen}"
    assert report_login in landing
    back = client.post(report_login, data={"email": student.email, "password": PASSWORD})
    assert back.headers["Location"] == f"/issues/new?location={kitchen}"  # straight back to the form
    form = client.get(back.headers["Location"]).get_data(as_text=True)
    assert f'<option selected value="{kitchen}">Kitchen</option>' in form
