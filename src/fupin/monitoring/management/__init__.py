"""Management commands of monitoring against a return to poverty (防止返贫监测)."""
