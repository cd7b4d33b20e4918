"""The yearly certification of pension recipients (待遇领取资格认证)."""
