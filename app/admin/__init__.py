"""House admins' pages: the issue queue (routes.py) and move-in (move_in_routes.py)."""
