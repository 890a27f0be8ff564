"""The figures an operator alerts on, read from the database at each scrape (every host and worker shares
them there, so any host answers for all): mail queue, budget, pause, outcomes, error groups."""
from datetime import timedelta

import sqlalchemy as sa
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

import app.emailer.budget as budget
from app.extensions import db
from app.models.base import utcnow
from app.models.errors import ErrorGroup, ErrorHourlyCount
from app.models.mail import MailStatus, OutboxEmail, Purpose

FINAL = (MailStatus.SENT, MailStatus.FAILED, MailStatus.UNKNOWN)


class DatabaseFigures(Collector):
    """A prometheus-client collector whose samples come from a few grouped queries."""

    def collect(self):
        now = utcnow()
        yield from self._queue(now)
        yield from self._budget(now)
        yield from self._outcomes(now)
        yield from self._errors(now)

    def _queue(self, now):
        queue = GaugeMetricFamily("rinaibra_mail_queue", "Outbox rows by purpose and status.",
                                  labels=["purpose", "status"])
        counts = {(p.value, s.value): 0 for p in Purpose for s in MailStatus}
        rows = db.session.execute(sa.select(OutboxEmail.purpose, OutboxEmail.status, sa.func.count())
                                  .group_by(OutboxEmail.purpose, OutboxEmail.status))
        for purpose, status, count in rows:
            counts[(str(purpose), str(status))] = count
        for (purpose, status), count in sorted(counts.items()):
            queue.add_metric([purpose, status], count)
        yield queue
        oldest = dict(db.session.execute(
            sa.select(OutboxEmail.purpose, sa.func.min(OutboxEmail.send_after))
            .where(OutboxEmail.status == MailStatus.QUEUED, OutboxEmail.send_after <= now)
            .group_by(OutboxEmail.purpose)).all())
        waited = GaugeMetricFamily("rinaibra_mail_oldest_due_seconds", "How long the oldest due queued email of "
                                   "each purpose has waited (0 when none waits).", labels=["purpose"])
        for purpose in Purpose:
            due = oldest.get(purpose) or oldest.get(purpose.value)
            waited.add_metric([purpose.value], (now - due).total_seconds() if due else 0.0)
        yield waited

    def _budget(self, now):
        used_by, limit = budget.used_by_purpose(now), budget.daily_limit()
        used = sum(used_by.values())
        yield GaugeMetricFamily("rinaibra_mail_budget_limit", "Recipients allowed per rolling 24 hours.",
                                value=limit)
        yield GaugeMetricFamily("rinaibra_mail_budget_used", "Recipients charged in the last 24 hours.", value=used)
        yield GaugeMetricFamily("rinaibra_mail_budget_left", "Recipients that may still be sent now.",
                                value=max(0, limit - used))
        by_purpose = GaugeMetricFamily("rinaibra_mail_budget_purpose_left", "What each purpose may still send now.",
                                       labels=["purpose"])
        used_purpose = GaugeMetricFamily("rinaibra_mail_budget_purpose_used", "Each purpose's recipients in the "
                                         "last 24 hours.", labels=["purpose"])
        reserved = budget.reserved(now=now)
        for purpose in Purpose:
            by_purpose.add_metric([purpose.value], budget.room(purpose, used_by, reserved))
            used_purpose.add_metric([purpose.value], used_by[purpose])
        yield by_purpose
        yield used_purpose
        state = budget.read_state()
        paused = budget.paused_until(state, now)
        yield GaugeMetricFamily("rinaibra_mail_paused", "1 while sending is paused (throttled, quota, login).",
                                value=1 if paused else 0)
        seen = state.worker_seen_at if state else None
        yield GaugeMetricFamily("rinaibra_mail_worker_seen_seconds_ago", "Seconds since a mail worker last took "
                                "the mail lock (-1: never).", value=(now - seen).total_seconds() if seen else -1)

    def _outcomes(self, now):
        since = now - timedelta(hours=24)
        outcomes = GaugeMetricFamily("rinaibra_mail_outcomes_24h", "Emails by outcome in the last 24 hours "
                                     "(retrying: queued again after a failed attempt).", labels=["outcome"])
        finished = sa.func.coalesce(OutboxEmail.sent_at, OutboxEmail.last_attempt_at)
        counts = {status.value: 0 for status in FINAL}
        counts.update({str(status): count for status, count in db.session.execute(
            sa.select(OutboxEmail.status, sa.func.count()).where(OutboxEmail.status.in_(FINAL), finished >= since)
            .group_by(OutboxEmail.status))})
        counts["retrying"] = db.session.scalar(sa.select(sa.func.count()).where(
            OutboxEmail.status == MailStatus.QUEUED, OutboxEmail.attempts > 0)) or 0
        for outcome, count in sorted(counts.items()):
            outcomes.add_metric([outcome], count)
        yield outcomes

    def _errors(self, now):
        groups = GaugeMetricFamily("rinaibra_error_groups", "Error groups by source and status.",
                                   labels=["source", "status"])
        for source, status, count in db.session.execute(
                sa.select(ErrorGroup.source, ErrorGroup.status, sa.func.count())
                .group_by(ErrorGroup.source, ErrorGroup.status).order_by(ErrorGroup.source, ErrorGroup.status)):
            groups.add_metric([source, str(status)], count)
        yield groups
        occurrences = CounterMetricFamily("rinaibra_error_occurrences", "Errors recorded, by source (all time, "
                                          "as kept in the error groups).", labels=["source"])
        for source, total in db.session.execute(sa.select(ErrorGroup.source, sa.func.sum(ErrorGroup.count))
                                                .group_by(ErrorGroup.source).order_by(ErrorGroup.source)):
            occurrences.add_metric([source], int(total or 0))
        yield occurrences
        hour = now.replace(minute=0, second=0, microsecond=0)
        recent = GaugeMetricFamily("rinaibra_error_occurrences_this_hour", "Errors recorded since the top of the "
                                   "hour (UTC), by source.", labels=["source"])
        for source, total in db.session.execute(
                sa.select(ErrorGroup.source, sa.func.sum(ErrorHourlyCount.count))
                .join(ErrorGroup, ErrorGroup.id == ErrorHourlyCount.group_id).where(ErrorHourlyCount.hour >= hour)
                .group_by(ErrorGroup.source).order_by(ErrorGroup.source)):
            recent.add_metric([source], int(total or 0))
        yield recent
