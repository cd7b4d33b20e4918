"""The universal insurance registration (全民参保登记)."""
