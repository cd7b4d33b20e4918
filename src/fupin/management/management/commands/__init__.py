"""Management commands of work scheduling: indicators, targets and tasks (工作调度)."""
