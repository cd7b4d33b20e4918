"""Skills training (技能培训)."""
