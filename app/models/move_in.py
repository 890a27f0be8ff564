"""Models for move_in (filled in by its own issue)."""
__all__: list[str] = []
