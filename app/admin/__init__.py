"""House admins' pages: the issue queue (routes.py) and move-in (move_in_routes.py)."""


def blueprints():
    """The admin blueprint with the views of every route module of the package."""
    from app.admin import (  # noqa: F401  (each adds its views to routes.bp)
        account_routes,
        address_routes,
        metrics_routes,
        move_in_routes,
        pending_routes,
        residents_routes,
        staff_routes,
        targets_routes,
        tips_routes,
        triage_routes,
        visit_routes,
    )
    from app.admin.routes import bp

    return (bp,)
