"""The chronic-disease appraisal (慢性病鉴定)."""
