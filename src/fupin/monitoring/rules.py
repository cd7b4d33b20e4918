"""The `monitoring:` section of a policy pack (防止返贫监测的监测线与阈值).

Every threshold the signals use lives in the pack with its source sentence or `assumed:` reason;
this module only declares the shape and hands the parameters out typed.
"""

from __future__ import annotations

import os

from django.conf import settings

from fupin.policy.packs import load_pack
from fupin.policy.params import Fen, Parameter, Strict

SECTION = "monitoring"


class MonitoringRules(Strict):
    """防止返贫监测参数（金额为分，比例为万分之一）。"""

    income_line: Parameter[Fen]
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


PARAM_NAMES = {
    "income_line": "监测线（人均纯收入）",
    "catastrophic_share": "医疗自付占家庭年收入的比例上限（灾难性医疗支出）",
    "job_loss_lookback_days": "失业、离岗后预警的天数",
    "labourer_death_lookback_days": "主要劳动力死亡后预警的天数",
    "main_labourer_relations": "主要劳动力（劳动年龄内的户主及配偶）",
    "check_days": "核查时限",
    "decision_days": "认定时限",
    "review_months": "回访周期",
    "removal_stable_quarters": "风险消除须连续稳定的季度数",
}


def rule_text(rule: str) -> str:
    """“浮梁县健康扶贫“春季攻势”（2018）：监测线（人均纯收入）” for a stored rule name; hand-entered as is."""
    pack_id, _, path = rule.partition(" ")
    param = path.removeprefix(f"{SECTION}.")  # catastrophic_share sits at the top of the pack
    if param not in PARAM_NAMES:
        return rule
    try:
        name = load_pack(pack_id).name
    except Exception:  # a pack removed since: its id is all there is
        name = pack_id
    return f"政策包“{name}”：{PARAM_NAMES[param]}"
