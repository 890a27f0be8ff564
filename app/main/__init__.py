"""Home page, health check (routes.py) and error pages (errors.py)."""
