"""Maintenance issues: students' pages (routes.py), house pages (house_routes.py), `flask issues ...` (cli.py)."""
