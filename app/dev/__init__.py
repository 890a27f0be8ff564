"""Developers' pages: the error dashboard (routes.py) and mail health (mail_routes.py)."""
