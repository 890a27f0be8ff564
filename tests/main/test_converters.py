import pytest
from werkzeug.exceptions import NotFound

from app.converters import MAX_ID


@pytest.mark.parametrize("issue_id", ["0", "-1", str(2**31), "99999999999999999999"])
def test_id_converter_refuses_ids_outside_the_database_range(app, issue_id):
    with pytest.raises(NotFound):
        app.url_map.bind("localhost").match(f"/issues/{issue_id}")


@pytest.mark.parametrize("issue_id", [1, MAX_ID])
def test_id_converter_accepts_every_real_id(app, issue_id):
    assert MAX_ID == 2**31 - 1
    endpoint, args = app.url_map.bind("localhost").match(f"/issues/{issue_id}")
    assert (endpoint, args) == ("issues.detail", {"issue_id": issue_id})
