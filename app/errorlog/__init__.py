"""The error logger: grouping, capped storage, throttled alerts, the request hook.

`record(source, error_or_message, details=None, alert=True)` is the single entry point; it never raises.
"""
from flask import Flask

from app.errorlog.alerts import AlertSink
from app.errorlog.hook import init_request_hook
from app.errorlog.recorder import record

__all__ = ["AlertSink", "init_app", "record"]


def init_app(app: Flask, alert_sink: AlertSink | None = None) -> None:
    """Record every unhandled request exception (keeping its reference code for the 500 page); alerts go to
    `alert_sink` (none without one)."""
    app.extensions["errorlog_alert_sink"] = alert_sink
    init_request_hook(app)
