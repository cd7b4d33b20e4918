"""Template tags of employment support (就业帮扶)."""
