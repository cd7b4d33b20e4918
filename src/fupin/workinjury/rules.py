"""The `work_injury:` section of a policy pack (工伤认定绿色通道：调查与认定时限、先行支付上限).

Every number lives in the pack with its source sentence (003) or `assumed:` reason; this module
only declares the shape and hands the parameters out typed.
"""

from __future__ import annotations

import os

from django.conf import settings

from fupin.policy.packs import load_pack
from fupin.policy.params import Fen, Parameter, Strict

SECTION = "work_injury"


class WorkInjuryRules(Strict):
    """工伤绿色通道参数（金额为分）。"""

    investigation_hours: Parameter[int]
    decision_days: Parameter[int]
    investigation_warning_hours: Parameter[int]
    decision_warning_hours: Parameter[int]
    labour_evidence: Parameter[list[str]]
    first_payment_cap: Parameter[Fen]
    first_payment_poor_priority: Parameter[bool]
    recovery_due_days: Parameter[int]


def default_pack_id() -> str:
    return os.environ.get("FUPIN_WORK_INJURY_PACK") or settings.COUNTY_POLICY_PACK


def rules(pack_id: str | None = None) -> WorkInjuryRules:
    return load_pack(pack_id or default_pack_id()).section(SECTION, WorkInjuryRules)
