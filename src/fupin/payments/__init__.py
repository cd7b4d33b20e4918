"""The payment of funds to people (资金发放)."""
