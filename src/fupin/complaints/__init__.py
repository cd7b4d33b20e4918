"""Residents' requests and complaints (诉求与投诉)."""
