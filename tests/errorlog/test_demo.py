"""The demo errors: a handful of realistic groups with history for the charts."""
from app.errorlog.demo import DEMO_ERRORS, seed_demo_errors
from app.models.errors import ErrorStatus


def test_seed_demo_errors_makes_groups_with_history(app, read, client, login, developer):
    with app.app_context():
        assert seed_demo_errors() == len(DEMO_ERRORS)
    groups = read.groups()
    assert len(groups) == len(DEMO_ERRORS)
    assert sorted(g.count for g in groups) == sorted(times for *_, times, _ in DEMO_ERRORS)
    assert {g.status for g in groups} == {ErrorStatus.OPEN, ErrorStatus.RESOLVED, ErrorStatus.MUTED}
    assert len({h.hour for h in read.hourly()}) > 24  # spread over two days
    assert read.alerts() == []
    login(developer)
    page = client.get("/dev/errors").get_data(as_text=True)
    assert "SMTP 421 4.7.0 Try again later" in page and "<path d=" in page
