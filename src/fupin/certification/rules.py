"""The `certification:` section of a policy pack (待遇领取资格认证政策参数).

When the yearly certification closes, how long before that the uncertified are listed per
village, when they are warned that their pension may be suspended, and whether the village
assistant certifies at home — each with its source sentence or `assumed:` reason.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from fupin.policy.packs import PackError, load_pack
from fupin.policy.params import Parameter, Strict

SECTION = "certification"


class MonthDay(Strict):
    month: int
    day: int


class CertificationRules(Strict):
    """待遇领取资格认证的政策参数."""

    deadline: Parameter[MonthDay]
    reminder_days: Parameter[int]
    risk_days: Parameter[int]
    home_service: Parameter[bool]

    def deadline_of(self, year: int) -> dt.date:
        d = self.deadline.value
        try:
            return dt.date(year, d.month, d.day)
        except ValueError:  # 29 February in a common year
            return dt.date(year, d.month, 28)


def pack_id() -> str:
    return settings.COUNTY_POLICY_PACK


def rules(pack: str | None = None) -> CertificationRules:
    """The county pack's certification rules; a pack without them is refused in Chinese."""
    the_pack = load_pack(pack or pack_id())
    if not the_pack.has_section(SECTION):
        raise PackError(f"政策包 {the_pack.id} 没有待遇领取资格认证（certification）部分")
    return the_pack.section(SECTION, CertificationRules)
