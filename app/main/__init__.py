"""Home page, health check (routes.py) and error pages (errors.py)."""


def blueprints():
    """The package's blueprint."""
    from app.main.routes import bp

    return (bp,)
