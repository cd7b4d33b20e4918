"""Template tags of the chronic-disease appraisal (慢性病鉴定)."""
