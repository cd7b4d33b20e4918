"""Management commands of the demo county (演示县)."""
