"""The demo county (演示县)."""
