"""The staff workbench (工作台)."""
