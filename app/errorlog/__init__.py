"""The error logger: grouping, capped storage, throttled alerts, the request hook.

`record(source, error_or_message, details=None, alert=True)` is the single entry point; it never raises.
"""
from flask import Flask

from app.errorlog.recorder import record

__all__ = ["init_app", "record"]


def init_app(app: Flask) -> None:
    """Record every unhandled request exception (and keep its reference code for the 500 page)."""
    from app.errorlog.hook import init_request_hook

    init_request_hook(app)
