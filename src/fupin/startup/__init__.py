"""Start-up support (创业扶持)."""
