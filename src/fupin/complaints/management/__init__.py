"""Management commands of residents' requests and complaints (诉求与投诉)."""
