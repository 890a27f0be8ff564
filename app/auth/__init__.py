"""Accounts: register, log in and out, set or reset a password (views in routes.py)."""


def blueprints():
    """The auth blueprint with the views of every route module of the package."""
    from app.auth import (  # noqa: F401  (their views join routes.bp)
        oidc_routes,
        privacy_routes,
        session_routes,
        verify_routes,
    )
    from app.auth.routes import bp

    return (bp,)
