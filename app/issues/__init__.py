"""Maintenance issues: students' pages (routes.py), house pages (house_routes.py), `flask issues ...` (cli.py)."""


def blueprints():
    """The students' issues blueprint (with the visit views) and the house pages blueprint."""
    from app.issues import visit_routes  # noqa: F401  (its views join routes.bp)
    from app.issues.house_routes import bp as houses_bp
    from app.issues.routes import bp

    return (bp, houses_bp)
