"""The `portal:` section of the county's policy pack (政策包): pension tiers a resident may choose, and how many
days the township has for each kind of resident request. Numbers only here, with source or `assumed:`."""

from __future__ import annotations

from django.conf import settings

from fupin.policy.packs import load_pack
from fupin.policy.params import Fen, Parameter, Strict

SECTION = "portal"


class PortalRules(Strict):
    """居民门户参数：可选的养老保险缴费档次（分/年），各类居民申请的办理天数。"""

    pension_tiers: Parameter[list[Fen]]
    request_days: Parameter[dict[str, int]]


def pack_id() -> str:
    return settings.COUNTY_POLICY_PACK


def rules() -> PortalRules:
    return load_pack(pack_id()).section(SECTION, PortalRules)


def rule_name(param: str) -> str:
    return f"{pack_id()} {SECTION}.{param}"
