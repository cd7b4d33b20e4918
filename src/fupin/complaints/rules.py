"""The `complaints:` section of a policy pack (诉求与投诉的分类与时限).

Categories, the time to acknowledge (受理) and the time to answer (答复), counted in calendar days
from filing — each with its source sentence or `assumed:` reason.
"""

from __future__ import annotations

from django.conf import settings

from fupin.policy.packs import PackError, load_pack
from fupin.policy.params import Parameter, Strict

SECTION = "complaints"


class ComplaintRules(Strict):
    """诉求与投诉的政策参数."""

    categories: Parameter[dict[str, str]]
    acknowledge_days: Parameter[int]
    answer_days: Parameter[int]

    def category_name(self, code: str) -> str:
        return self.categories.value.get(code, "其他")

    def choices(self) -> list[tuple[str, str]]:
        return list(self.categories.value.items())


def pack_id() -> str:
    return settings.COUNTY_POLICY_PACK


def rules(pack: str | None = None) -> ComplaintRules:
    """The county pack's complaint rules; a pack without them is refused in Chinese."""
    the_pack = load_pack(pack or pack_id())
    if not the_pack.has_section(SECTION):
        raise PackError(f"政策包 {the_pack.id} 没有诉求与投诉（complaints）部分")
    return the_pack.section(SECTION, ComplaintRules)
