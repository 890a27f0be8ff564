"""The student's issue list: newest first, 20 a page, "Older issues" links that neither skip nor repeat."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.issues.services import MY_ISSUES_PAGE
from app.models.accounts import Role
from app.models.base import utcnow
from app.models.issues import Issue, IssueSubscription

OLDER = re.compile(r'href="(/issues/\?before=\d+)"')


@pytest.fixture
def other_student(make_user, house):
    return make_user(Role.STUDENT, house=house, room="102")


def titles(page: str) -> list[str]:
    return re.findall(r"<strong>(Issue \d+)</strong>", page)


def test_pages_walk_every_issue_once_newest_first(app, login, student, other_student, make_issue):
    ids = [make_issue(student, title=f"Issue {n}") for n in range(2 * MY_ISSUES_PAGE + 5)]
    followed = make_issue(other_student, title="Issue 99")
    with app.app_context():
        same = utcnow() - timedelta(hours=1)  # ties on created_at: the id decides, across a page boundary
        db.session.execute(sa.update(Issue).where(Issue.id.in_(ids[10:30])).values(created_at=same))
        db.session.add(IssueSubscription(issue_id=followed, user_id=student.id))
        db.session.commit()
    client = login(student)
    seen, url, pages = [], "/issues/", []
    while url:
        page = client.get(url).get_data(as_text=True)
        pages.append(page)
        seen += titles(page)
        found = OLDER.search(page)
        url = found[1] if found else None
    assert [len(titles(page)) for page in pages] == [MY_ISSUES_PAGE, MY_ISSUES_PAGE, 6]
    tied = range(29, 9, -1)  # an hour old: behind the others, by id among themselves
    assert seen == ["Issue 99"] + [f"Issue {n}" for n in [*range(44, 29, -1), *range(9, -1, -1), *tied]]
    assert "← Newest" not in pages[0] and all('href="/issues/">← Newest' in page for page in pages[1:])


def test_one_page_has_no_pager(login, student, make_issue):
    make_issue(student, title="Issue 1")
    page = login(student).get("/issues/").get_data(as_text=True)
    assert titles(page) == ["Issue 1"] and 'class="pager"' not in page


def test_a_cursor_must_be_one_of_the_students_issues(login, student, other_student, make_issue):
    make_issue(student, title="Issue 1")
    theirs = make_issue(other_student, title="Issue 2")
    client = login(student)
    assert client.get(f"/issues/?before={theirs}").status_code == 404
    assert client.get("/issues/?before=abc").status_code == 404
    assert client.get("/issues/?before=").status_code == 404
