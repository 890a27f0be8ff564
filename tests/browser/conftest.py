"""Fixtures the browser journeys share with the packages they drive."""
from tests.issues.conftest import make_issue  # noqa: F401 - fixture
