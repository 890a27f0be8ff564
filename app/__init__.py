"""Application factory."""
import os
from pathlib import Path

from flask import Flask

from app.config import instance_path

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure the RINAIBRA app."""
    app = Flask(
        __name__,
        instance_path=instance_path(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    register_config(app, test_config)
    register_proxy(app)
    register_security(app)
    register_extensions(app)
    register_photo_store(app)
    register_converters(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_monitoring(app)
    register_cli(app)
    return app


def register_config(app: Flask, test_config: dict | None) -> None:
    from app.config import load_config

    app.config.from_mapping(load_config(app.instance_path, test_config))
    os.makedirs(app.instance_path, exist_ok=True)


def register_proxy(app: Flask) -> None:
    """Behind TRUSTED_PROXIES reverse proxies, take the client address and scheme from their headers (every
    per-address limit depends on it); with none, X-Forwarded-* headers are ignored, as anyone can forge them."""
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)


def register_security(app: Flask) -> None:
    from app.security import init_app

    init_app(app)


def register_extensions(app: Flask) -> None:
    from app import errorlog
    from app.auth.session import init_login
    from app.db_setup import configure_engine, init_migrations
    from app.emailer.alert_sink import MailAlertSink
    from app.extensions import csrf, db
    from app.issues import weekly as _weekly  # noqa: F401  (keeps the weekly figures as issues change)

    db.init_app(app)
    init_migrations(app)
    csrf.init_app(app)
    init_login(app)
    errorlog.init_app(app, alert_sink=MailAlertSink())
    with app.app_context():
        configure_engine(db.engine)


def register_photo_store(app: Flask) -> None:
    from app.storage_setup import check_photo_store

    check_photo_store(app)


def register_converters(app: Flask) -> None:
    from app.converters import init_converters

    init_converters(app)


def register_blueprints(app: Flask) -> None:
    from app.admin import account_routes as _admin_accounts  # noqa: F401  (adds its views to admin's bp)
    from app.admin import address_routes as _admin_address  # noqa: F401  (likewise)
    from app.admin import metrics_routes as _admin_metrics  # noqa: F401  (likewise)
    from app.admin import move_in_routes as _admin_move_in  # noqa: F401  (likewise)
    from app.admin import pending_routes as _admin_pending  # noqa: F401  (likewise)
    from app.admin import residents_routes as _admin_residents  # noqa: F401  (likewise)
    from app.admin import staff_routes as _admin_staff  # noqa: F401  (likewise)
    from app.admin import targets_routes as _admin_targets  # noqa: F401  (likewise)
    from app.admin import tips_routes as _admin_tips  # noqa: F401  (likewise)
    from app.admin import triage_routes as _admin_triage  # noqa: F401  (likewise)
    from app.admin import visit_routes as _admin_visits  # noqa: F401  (likewise)
    from app.admin.routes import bp as admin_bp
    from app.auth import privacy_routes as _auth_privacy  # noqa: F401  (adds its views to auth's bp)
    from app.auth import session_routes as _auth_sessions  # noqa: F401  (adds its views to auth's bp)
    from app.auth import verify_routes as _auth_verify  # noqa: F401  (adds its views to auth's bp)
    from app.auth.routes import bp as auth_bp
    from app.dev import (
        houses_routes as _dev_houses,  # noqa: F401  (adds its views to dev's bp)
    )
    from app.dev import (
        mail_routes as _dev_mail,  # noqa: F401  (likewise)
    )
    from app.dev.routes import bp as dev_bp
    from app.issues import visit_routes as _issue_visits  # noqa: F401  (adds its views to issues' bp)
    from app.issues.house_routes import bp as houses_bp
    from app.issues.routes import bp as issues_bp
    from app.main.routes import bp as main_bp
    from app.monitoring.routes import bp as monitoring_bp
    from app.move_in.routes import bp as move_in_bp
    from app.staff.routes import bp as staff_bp
    from app.unsubscribe.routes import bp as unsubscribe_bp

    for blueprint in (main_bp, auth_bp, issues_bp, houses_bp, move_in_bp, admin_bp, staff_bp, dev_bp,
                      unsubscribe_bp, monitoring_bp):
        app.register_blueprint(blueprint)


def register_error_handlers(app: Flask) -> None:
    from app.main.errors import init_error_handlers

    init_error_handlers(app)


def register_monitoring(app: Flask) -> None:
    from app.monitoring.latency import init_latency

    init_latency(app)


def register_cli(app: Flask) -> None:
    from app.cli import init_cli

    init_cli(app)
