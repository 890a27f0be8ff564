"""Maintenance staff's pages (blueprint "staff" at /jobs/): My jobs, the issues assigned to them, on a phone."""


def blueprints():
    """The package's blueprint."""
    from app.staff.routes import bp

    return (bp,)
