"""Stored medical claims (医疗费用结算单入库): hospital and insurance settlement files imported through
staging → validation → preview → merge, each claim linked to a registry person by ID number,
settled with the person's category and chronic class of its admission day and stored with its
split and trail; township totals, re-settlement under another policy (政策测算) and the high
self-pay flag (`selectors.high_self_pay`) for return-to-poverty monitoring."""
