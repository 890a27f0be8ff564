"""Students' move-in form (views in routes.py)."""
