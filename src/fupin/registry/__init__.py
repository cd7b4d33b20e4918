"""The registry of poor households and persons (建档立卡)."""
