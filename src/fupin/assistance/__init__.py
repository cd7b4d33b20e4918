"""Help plans and the assistance ledger (帮扶计划与台账)."""
