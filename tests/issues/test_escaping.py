"""Everything a user typed is escaped wherever it appears."""
import csv
import io

import pytest

from tests.issues.conftest import report_data

EVIL = '<img src=x onerror=alert(1)>'


def test_user_text_is_escaped_on_every_page(app, client, auth, house, student, admin):
    auth.login(student)
    response = client.post("/issues/new", data=report_data(
        title="T " + EVIL, description="D " + EVIL, location=str(house.common_area_ids[0])))
    issue_id = int(response.headers["Location"].rsplit("/", 1)[1])
    client.post(f"/issues/{issue_id}/comment", data={"body": "C " + EVIL})
    pages = [client.get(f"/issues/{issue_id}"), client.get("/issues/"), client.get("/r/acacia")]
    auth.logout()
    auth.login(admin)
    client.post(f"/admin/issues/{issue_id}", data={"status": "reported", "comment": "N " + EVIL,
                                                   "visibility": "internal"})
    pages += [client.get("/admin/"), client.get(f"/admin/issues/{issue_id}"), client.get("/admin/?q=" + EVIL)]
    for page in pages:
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        assert EVIL not in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t"])
def test_csv_neutralises_formulas(login, student, admin, make_issue, start):
    make_issue(student, title=start + 'HYPERLINK("http://evil","click")')
    rows = list(csv.DictReader(io.StringIO(login(admin).get("/admin/issues.csv").get_data(as_text=True))))
    assert [r["title"] for r in rows] == ["'" + start + 'HYPERLINK("http://evil","click")']
    assert all(not value.startswith(("=", "+", "-", "@", "\t")) for row in rows for value in row.values())
