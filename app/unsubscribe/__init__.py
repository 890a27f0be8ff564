"""One-click unsubscribe from bulk mail (RFC 8058): the link in List-Unsubscribe and in the email's footer."""


def blueprints():
    """The package's blueprint."""
    from app.unsubscribe.routes import bp

    return (bp,)
