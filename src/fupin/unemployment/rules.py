"""The `unemployment:` section of a policy pack (领取失业保险金人员价格临时补贴：启动条件与标准)."""

from __future__ import annotations

import os

from django.conf import settings

from fupin.policy.packs import load_pack
from fupin.policy.params import Fen, Parameter, Ratio, Strict

SECTION = "unemployment"


class UnemploymentRules(Strict):
    """价格临时补贴参数（金额为分，涨幅为万分之一）。"""

    price_trigger: Parameter[Ratio]
    price_subsidy_monthly: Parameter[Fen]


def default_pack_id() -> str:
    return os.environ.get("FUPIN_UNEMPLOYMENT_PACK") or settings.COUNTY_POLICY_PACK


def rules(pack_id: str | None = None) -> UnemploymentRules:
    return load_pack(pack_id or default_pack_id()).section(SECTION, UnemploymentRules)


def triggered(index_hundredths: int, trigger_bp: int) -> bool:
    """同比指数（上年同月=100，存为百分之一：103.5 → 10350）的涨幅达到启动条件。

    涨幅 = 指数 − 100，单位与万分之一相同（10350 − 10000 = 350 = 3.5%）。"""
    return index_hundredths - 10_000 >= trigger_bp
