"""The `monitoring:` section of a policy pack (防止返贫监测的监测线与阈值).

Every threshold the signals use lives in the pack with its source sentence or `assumed:` reason;
this module only declares the shape and hands the parameters out typed.
"""

from __future__ import annotations

import os

from django.conf import settings

from fupin.policy.packs import load_pack
from fupin.policy.params import Fen, Parameter, Ratio, Strict

SECTION = "monitoring"


class MonitoringRules(Strict):
    """防止返贫监测参数（金额为分，比例为万分之一）。"""

    income_line: Parameter[Fen]
    medical_self_pay_share: Parameter[Ratio]
    job_loss_lookback_days: Parameter[int]
    labourer_death_lookback_days: Parameter[int]
    main_labourer_relations: Parameter[list[str]]
    check_days: Parameter[int]
    decision_days: Parameter[int]
    review_months: Parameter[int]
    removal_stable_quarters: Parameter[int]


def default_pack_id() -> str:
    return os.environ.get("FUPIN_MONITORING_PACK") or settings.COUNTY_POLICY_PACK


def rules(pack_id: str | None = None) -> MonitoringRules:
    return load_pack(pack_id or default_pack_id()).section(SECTION, MonitoringRules)


def rule_name(param: str, pack_id: str | None = None) -> str:
    """“fuliang-2018 monitoring.income_line”: which rule an alert applied."""
    return f"{pack_id or default_pack_id()} {SECTION}.{param}"
