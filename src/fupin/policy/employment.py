"""The `employment:` section of a policy pack (就业帮扶政策参数), shared by employment, training,
start-up support, monitoring and the management indicators.

Every amount and limit of those modules lives in the pack YAML files next to the medical rules,
each with its source sentence or `assumed:` reason. This module only declares the shape and hands
the parameters out typed. Pure Python like the rest of `fupin.policy`: only `default_pack_id()`
asks Django's settings for the county's pack, and it imports them when called (never on import).
"""

from __future__ import annotations

import os
from typing import Literal

from pydantic import BaseModel

from .packs import load_pack
from .params import Fen, Parameter, Ratio, Strict

SECTION = "employment"
LoanKind = Literal["individual", "partnership", "small_firm"]
LOAN_KIND_NAMES = {
    "individual": "个人创业",
    "partnership": "合伙经营/组织起来创业",
    "small_firm": "小微企业",
}


class AgeRange(BaseModel):
    min: int
    max: int


class EmploymentRules(Strict):
    """就业、培训、创业扶持的政策参数（金额为分，比例为万分之一）。"""

    recommendations_per_person: Parameter[int]
    working_age: Parameter[AgeRange]
    follow_up_months: Parameter[int]
    welfare_post_monthly_subsidy: Parameter[Fen | None]
    workshop_award_per_worker_year: Parameter[Fen | None]
    employer_post_subsidy_monthly: Parameter[Fen | None]
    employer_social_insurance_subsidy_monthly: Parameter[Fen | None]
    trainings_per_willing_person: Parameter[int]
    job_seeking_subsidy_on_certificate: Parameter[Fen | None]
    technical_student_living_allowance_yearly: Parameter[Fen | None]
    loan_limits: Parameter[dict[LoanKind, Fen]]
    loan_without_guarantee_limit: Parameter[Fen | None]
    loan_annual_rate: Parameter[Ratio]
    loan_interest_subsidy_ratio: Parameter[Ratio]
    loan_interest_subsidy_years: Parameter[int]
    startup_subsidy: Parameter[Fen | None]
    startup_subsidy_min_months: Parameter[int]


def default_pack_id() -> str:
    """The county's pack for employment: FUPIN_EMPLOYMENT_PACK, else the county pack (FUPIN_POLICY_PACK)."""
    from django.conf import settings  # inside fupin only; pure callers pass a pack id

    return os.environ.get("FUPIN_EMPLOYMENT_PACK") or settings.COUNTY_POLICY_PACK


def rules(pack_id: str | None = None) -> EmploymentRules:
    return load_pack(pack_id or default_pack_id()).section(SECTION, EmploymentRules)
