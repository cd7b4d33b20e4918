"""The administrative divisions (行政区划)."""
