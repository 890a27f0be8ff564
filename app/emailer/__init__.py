"""The one way email leaves the system: rows in the outbox, delivered by the mail worker.

Web code calls `enqueue` / `enqueue_many`; nothing here talks SMTP inside a request.
"""
from app.emailer.budget import estimate_delivery
from app.emailer.health import batch_progress, mail_health
from app.emailer.outbox import enqueue, enqueue_many, queued_context

__all__ = ["enqueue", "enqueue_many", "queued_context", "estimate_delivery", "batch_progress", "mail_health"]
