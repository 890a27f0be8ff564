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
    register_university_sign_in(app)
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
    from app import errorlog, form_messages, languages
    from app.auth.session import init_login
    from app.db_setup import configure_engine, init_migrations, load_pymysql_lazily
    from app.emailer.alert_sink import MailAlertSink
    from app.extensions import csrf, db
    from app.issues import fresh_notices as _fresh  # noqa: F401  (delayed issue notices re-read as they leave)
    from app.issues import weekly as _weekly  # noqa: F401  (keeps the weekly figures as issues change)

    load_pymysql_lazily()
    db.init_app(app)
    languages.init_app(app)
    form_messages.init_app(app)
    init_migrations(app)
    csrf.init_app(app)
    init_login(app)
    errorlog.init_app(app, alert_sink=MailAlertSink())
    with app.app_context():
        configure_engine(db.engine)


def register_photo_store(app: Flask) -> None:
    from app.storage.setup import check_photo_store

    check_photo_store(app)


def register_converters(app: Flask) -> None:
    from app.converters import init_converters

    init_converters(app)


def register_blueprints(app: Flask) -> None:
    """Each blueprint package hands over its blueprints with all of its views (see its `blueprints()`)."""
    from app import admin, auth, dev, issues, main, monitoring, move_in, staff, unsubscribe

    for package in (main, auth, issues, move_in, admin, staff, dev, unsubscribe, monitoring):
        for blueprint in package.blueprints():
            app.register_blueprint(blueprint)


def register_university_sign_in(app: Flask) -> None:
    from app.auth.oidc import init_oidc

    init_oidc(app)


def register_error_handlers(app: Flask) -> None:
    from app.main.errors import init_error_handlers

    init_error_handlers(app)


def register_monitoring(app: Flask) -> None:
    from app.monitoring.latency import init_latency

    init_latency(app)


def register_cli(app: Flask) -> None:
    from app.cli import init_cli

    init_cli(app)
