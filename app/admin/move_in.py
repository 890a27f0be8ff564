"""House admins' move-in pages (built by the move-in issue)."""
