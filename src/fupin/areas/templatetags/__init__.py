"""Template tags of the administrative divisions (行政区划)."""
