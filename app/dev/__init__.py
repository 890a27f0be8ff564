"""Developers' pages: the error dashboard (routes.py) and mail health (mail_routes.py)."""


def blueprints():
    """The dev blueprint with the views of every route module of the package."""
    from app.dev import houses_routes, mail_routes  # noqa: F401  (their views join routes.bp)
    from app.dev.routes import bp

    return (bp,)
