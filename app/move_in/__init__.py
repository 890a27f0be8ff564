"""Students' move-in form (views in routes.py)."""


def blueprints():
    """The package's blueprint."""
    from app.move_in.routes import bp

    return (bp,)
