"""Employment support (就业帮扶)."""
