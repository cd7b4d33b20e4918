"""Social insurance (社会保险)."""
