"""Template tags of social insurance (社会保险)."""
