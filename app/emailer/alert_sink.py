"""The error logger's alert sink: alerts are outbox rows of the alert purpose, like any other email."""
from typing import Any

from app.emailer.causes import SYSTEM
from app.emailer.outbox import enqueue, queued_context
from app.models.mail import Purpose


class MailAlertSink:
    """Handed to `errorlog.init_app` by the factory (the error logger never imports the emailer)."""

    def queued(self, key: str) -> dict[str, Any] | None:
        return queued_context(key)

    def send(self, to: str, context: dict[str, Any], key: str) -> None:
        enqueue("error_alert", to, context, purpose=Purpose.ALERT, cause=SYSTEM, coalesce_key=key, logo=False)
