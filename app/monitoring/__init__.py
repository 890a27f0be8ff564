"""Prometheus metrics: /metrics (routes.py), the request latency histogram (latency.py) and the figures read
from the database at each scrape (figures.py)."""


def blueprints():
    """The package's blueprint."""
    from app.monitoring.routes import bp

    return (bp,)
