"""Management commands of social insurance (社会保险)."""
