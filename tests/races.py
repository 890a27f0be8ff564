"""`race`: calls started at the same moment, each from its own thread, for tests of what happens at once."""
import threading
import time
from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")


def race(calls: Iterable[Callable[[], T]], timeout: float = 120) -> list[T]:
    """Run every call in its own thread, all released together by a barrier; their results in the order of
    `calls`. An exception in a call is raised here, and a call still running after `timeout` seconds fails
    the test, so a race test cannot pass on answers that never came."""
    calls = list(calls)
    start = threading.Barrier(len(calls))
    results: list = [None] * len(calls)
    errors: list[BaseException] = []

    def run(index: int, call: Callable[[], T]) -> None:
        try:
            start.wait(timeout)
            results[index] = call()
        except BaseException as exc:  # raised again in the test's thread
            errors.append(exc)
            start.abort()  # the others stop waiting if this one never reached the start

    threads = [threading.Thread(target=run, args=pair, daemon=True) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    running = sum(thread.is_alive() for thread in threads)
    assert not running, f"{running} of {len(threads)} racing calls still running after {timeout} s"
    if errors:
        raise errors[0]
    return results
