"""Application factory."""
import os
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure the RINAIBRA app."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("INSTANCE_PATH") or str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    register_config(app, test_config)
    register_extensions(app)
    register_converters(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_cli(app)
    return app


def register_config(app: Flask, test_config: dict | None) -> None:
    from app.config import engine_options, load_config

    app.config.from_mapping(load_config(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(app.config["SQLALCHEMY_DATABASE_URI"]))
    os.makedirs(app.instance_path, exist_ok=True)


def register_extensions(app: Flask) -> None:
    from app import errorlog
    from app.auth.session import init_login
    from app.extensions import csrf, db, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    init_login(app)
    errorlog.init_app(app)
    with app.app_context():
        from app.db_setup import configure_engine

        configure_engine(db.engine)


def register_converters(app: Flask) -> None:
    from app.converters import init_converters

    init_converters(app)


def register_blueprints(app: Flask) -> None:
    from app.admin import bp as admin_bp
    from app.auth import bp as auth_bp
    from app.dev import bp as dev_bp
    from app.issues import bp as issues_bp, houses_bp as issues_houses_bp
    from app.main import bp as main_bp
    from app.move_in import bp as move_in_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(issues_bp)
    app.register_blueprint(issues_houses_bp)
    app.register_blueprint(move_in_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(dev_bp)


def register_error_handlers(app: Flask) -> None:
    from app.main.errors import init_error_handlers

    init_error_handlers(app)


def register_cli(app: Flask) -> None:
    from app.cli import init_cli

    init_cli(app)
