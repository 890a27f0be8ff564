from app import create_app
from tests.conftest import settings_for


def test_healthz_reports_database_and_mail(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["database"] == "ok"
    assert body["mail"]["queue_depth"] == 0


def test_healthz_reports_database_down(tmp_path):
    settings = settings_for("sqlite:////nonexistent-dir/rinaibra.db", tmp_path)
    response = create_app(settings).test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"].startswith("error")


def test_home_page_for_anonymous(client):
    page = client.get("/").get_data(as_text=True)
    assert "Something broken in your residence?" in page
    assert 'name="viewport"' in page
