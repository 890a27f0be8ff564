"""Fixtures for the account tests."""
from datetime import timedelta

import pytest

from app.auth import guessing
from app.models.base import utcnow


class Clock:
    """The guessing limits' clock (app/auth/guessing.py), standing still until the test moves it forward."""

    def __init__(self, monkeypatch):
        self.now = utcnow()
        monkeypatch.setattr(guessing, "utcnow", lambda: self.now)

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)
