"""Template tags of the staff workbench (工作台)."""
