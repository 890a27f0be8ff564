"""The request latency histogram, labelled by endpoint name (never the raw path: bounded cardinality).

Under gunicorn set PROMETHEUS_MULTIPROC_DIR (an empty folder the workers share, cleared at each start):
prometheus-client then keeps each worker's samples in files there, and /metrics adds them up.
"""
import time

from flask import Flask, Response, g, request
from prometheus_client import Histogram

METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUEST_SECONDS = Histogram(
    "rinaibra_request_duration_seconds", "Time to answer a request, by route (endpoint name), method and status "
    "class.", ["route", "method", "status"], buckets=BUCKETS, registry=None)


def _start() -> None:
    g.request_started = time.perf_counter()


def _observe(response: Response) -> Response:
    started = g.pop("request_started", None)
    if started is not None:
        method = request.method if request.method in METHODS else "other"
        REQUEST_SECONDS.labels(request.endpoint or "unmatched", method, f"{response.status_code // 100}xx") \
            .observe(time.perf_counter() - started)
    return response


def init_latency(app: Flask) -> None:
    app.before_request_funcs.setdefault(None, []).insert(0, _start)  # first, so the others are timed too
    app.after_request(_observe)
