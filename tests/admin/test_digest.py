"""New-issue emails for admins: one per issue by default, or a daily digest (`flask issues send-digests`)."""
from tests.issues.conftest import report_data


def test_default_one_email_per_new_issue(login, student, admin, outbox):
    login(student).post("/issues/new", data=report_data())
    assert [(m[0], m[1]) for m in outbox()] == [(admin.email, "issue_new")]


def test_digest_instead_of_one_email_per_issue(client, auth, runner, student, admin, outbox):
    auth.login(admin)
    assert client.post("/admin/settings", data={"new_issues": "bogus"}).status_code == 400
    assert client.post("/admin/settings", data={"new_issues": "daily"}).status_code == 302
    auth.logout()
    auth.login(student)
    client.post("/issues/new", data=report_data(title="Cold shower"))
    client.post("/issues/new", data=report_data(title="Gas smell", urgency="urgent"))
    assert [(m[0], m[2]["issues"][0]["title"]) for m in outbox("issue_new")] == [(admin.email, "Gas smell")]
    result = runner.invoke(args=["issues", "send-digests"])
    assert result.exit_code == 0 and "1 digest(s) queued" in result.output
    (digest,) = outbox("digest")
    assert digest[0] == admin.email and [i["title"] for i in digest[2]["issues"]] == ["Cold shower", "Gas smell"]
    assert "0 digest(s) queued" in runner.invoke(args=["issues", "send-digests"]).output  # nothing new since


def test_off_sends_nothing_but_urgent_reports(app, client, auth, student, admin, outbox):
    auth.login(admin)
    client.post("/admin/settings", data={"new_issues": "off"})
    auth.logout()
    auth.login(student)
    client.post("/issues/new", data=report_data(title="Squeaky door"))
    assert outbox() == []
    client.post("/issues/new", data=report_data(title="Gas smell", urgency="urgent"))
    (email,) = outbox()  # an urgent report reaches the admin whatever they chose
    assert email[0] == admin.email and [i["title"] for i in email[2]["issues"]] == ["Gas smell"]


def test_a_digest_still_waiting_to_be_sent_keeps_its_issues(client, auth, runner, student, admin, outbox):
    """Mail paused or budget spent: the next day's digest replaces the waiting one, and carries its issues."""
    auth.login(admin)
    client.post("/admin/settings", data={"new_issues": "daily"})
    auth.logout()
    auth.login(student)
    client.post("/issues/new", data=report_data(title="Monday leak"))
    assert "1 digest(s) queued" in runner.invoke(args=["issues", "send-digests"]).output
    client.post("/issues/new", data=report_data(title="Tuesday leak"))
    assert "1 digest(s) queued" in runner.invoke(args=["issues", "send-digests"]).output
    (digest,) = outbox("digest")  # nothing was delivered in between: still one email
    assert [i["title"] for i in digest[2]["issues"]] == ["Monday leak", "Tuesday leak"]
    assert digest[2]["count"] == 2


def test_digest_escapes_what_students_typed(app, client, auth, runner, student, admin, outbox):
    from app.emailer.render import render_parts

    auth.login(admin)
    client.post("/admin/settings", data={"new_issues": "daily"})
    auth.logout()
    auth.login(student)
    client.post("/issues/new", data=report_data(title="<script>alert(1)</script>"))
    runner.invoke(args=["issues", "send-digests"])
    (digest,) = outbox("digest")
    with app.test_request_context():
        subject, text, html = render_parts("digest", digest[2], logo=False)
    assert subject == "1 new issue in your houses"
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" in text
