"""Management commands of the administrative divisions (行政区划)."""
