"""The staff tests (accounts, assignment, My jobs) share the issues tests' fixtures; a staff member of the
test house."""
import pytest

from app.models import Role
from tests.issues.conftest import make_issue, outbox, room_issue  # noqa: F401


@pytest.fixture
def staff(make_user, house):
    return make_user(Role.STAFF, email="sipho.fixit@example.com", name="Sipho Fixit", staff_of=[house])


def assign(client, issue_id, staff_id) -> object:
    return client.post(f"/admin/issues/{issue_id}/assign", data={"assign-assignee": str(staff_id or "")})
