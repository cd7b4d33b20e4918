"""Management commands of the staff workbench (工作台)."""
