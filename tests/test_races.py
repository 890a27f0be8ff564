"""The race helper (tests/races.py) cannot let a race test pass on answers that never came."""
import threading
import time

import pytest

from tests.races import race


def test_calls_start_together_and_their_results_come_back_in_order():
    arrived = threading.Barrier(3)  # only passes if all three run at the same time
    assert race(lambda n=n: (arrived.wait(5), n)[1] for n in range(3)) == [0, 1, 2]


def test_a_failing_call_fails_the_race():
    def fail():
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        race([lambda: 1, fail])


def test_a_call_still_running_fails_the_race():
    with pytest.raises(AssertionError, match="1 of 2 racing calls still running after 0.2 s"):
        race([lambda: 1, lambda: time.sleep(2)], timeout=0.2)
