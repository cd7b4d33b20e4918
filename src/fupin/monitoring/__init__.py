"""Monitoring against a return to poverty (防止返贫监测)."""
