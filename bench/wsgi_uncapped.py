"""The app with every rolling-window limit switched off: the baseline of bench_report_caps (benchmarks only)."""
import app.emailer.causes as causes
import app.issues.services as issue_services
from wsgi import app

issue_services.take = lambda *limits, **options: None  # no report limit checked
causes.take_up_to = lambda *limits, units, **options: units  # no per-cause mail cap checked

__all__ = ["app"]
