"""Management commands of employment support (就业帮扶)."""
