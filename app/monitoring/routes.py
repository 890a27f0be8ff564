"""GET /metrics: Prometheus text format, for a developer's session or a monitor sending X-Healthz-Token (the
same rule as /healthz's details), or the same token as `Authorization: Bearer` (Prometheus's own setting)."""
import hmac

from flask import Blueprint, Response, abort, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess

from app.main.routes import may_see_details
from app.monitoring.figures import DatabaseFigures
from app.monitoring.latency import REQUEST_SECONDS

bp = Blueprint("monitoring", __name__)


def registry() -> CollectorRegistry:
    """This scrape's registry: the latency histogram (every gunicorn worker's, in multiprocess mode) and the
    database figures."""
    scrape = CollectorRegistry(auto_describe=True)
    folder = current_app.config["PROMETHEUS_MULTIPROC_DIR"]
    if folder:
        multiprocess.MultiProcessCollector(scrape, path=folder)
    else:
        scrape.register(REQUEST_SECONDS)
    scrape.register(DatabaseFigures())
    return scrape


def bearer_token_ok() -> bool:
    token = current_app.config["HEALTHZ_TOKEN"]
    sent = request.headers.get("Authorization", "")
    return bool(token) and hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())


@bp.route("/metrics")
def metrics():
    if not (bearer_token_ok() or may_see_details()):
        abort(403, "Metrics are for monitoring: send the X-Healthz-Token header, or sign in as a developer.")
    response = Response(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)
    response.headers["Cache-Control"] = "no-store"
    return response
