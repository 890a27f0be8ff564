"""The admin tests share the issues tests' fixtures."""
from tests.issues.conftest import make_issue, outbox  # noqa: F401
