"""The `appraisal:` section of a policy pack (慢性病鉴定政策参数).

Which chronic classes are appraised (their codes are the settlement's `medical.chronic.classes`),
which are appraised at any time (甲类) and which in quarterly rounds (乙类), whether home
appraisal is offered, and how long the public notice runs — each with its source sentence
or `assumed:` reason. This module only declares the shape and hands the parameters out typed.
"""

from __future__ import annotations

from typing import Literal

from django.conf import settings

from fupin.policy.packs import PackError, load_pack
from fupin.policy.params import Parameter, Strict

SECTION = "appraisal"
Schedule = Literal["any_time", "quarterly"]
SCHEDULE_NAMES = {"any_time": "随时鉴定", "quarterly": "每季度集中鉴定"}


class ChronicClass(Strict):
    name: str
    schedule: Schedule


class AppraisalRules(Strict):
    """慢性病鉴定的政策参数."""

    classes: Parameter[dict[str, ChronicClass]]
    home_appraisal: Parameter[bool]
    public_notice_days: Parameter[int]

    def class_name(self, code: str) -> str:
        found = self.classes.value.get(code)
        return found.name if found else "未知类别"

    def quarterly(self, code: str) -> bool:
        found = self.classes.value.get(code)
        return found is not None and found.schedule == "quarterly"

    def rank(self, code: str) -> int:
        """The order the pack lists the classes in: the first (甲类/Ⅰ类) weighs most."""
        codes = list(self.classes.value)
        return codes.index(code) if code in codes else len(codes)

    def choices(self) -> list[tuple[str, str]]:
        return [(code, c.name) for code, c in self.classes.value.items()]


def pack_id() -> str:
    return settings.COUNTY_POLICY_PACK


def rules(pack: str | None = None) -> AppraisalRules:
    """The county pack's appraisal rules; a pack without them is refused in Chinese."""
    the_pack = load_pack(pack or pack_id())
    if not the_pack.has_section(SECTION):
        raise PackError(f"政策包 {the_pack.id} 没有慢性病鉴定（appraisal）部分")
    return the_pack.section(SECTION, AppraisalRules)
