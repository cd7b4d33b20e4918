"""Units and names of policy numbers (金额、比例、人员类别、就诊类型、医院级别), without pydantic.

Money is held in integer fen (分) and written in yuan (元); ratios are held in basis points
(万分之一) and written as percentages ("80%"). The column path of the settlement and the
command line read these without loading the pack models (`params.py` builds on them).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

BP = 10_000  # basis points in one (100%)
# Years an admission date (and a policy date) may have: the column path packs the day number into
# 16 bits. Claims (`claims.py`) and `region@date` (`regions.py`) both read it from here.
FIRST_YEAR, LAST_YEAR = 1970, 2149
FEN_PER_YUAN = 100

Category = Literal["general", "poor", "dibao", "tekun"]
CATEGORIES: tuple[Category, ...] = ("general", "poor", "dibao", "tekun")
CATEGORY_NAMES: dict[str, str] = {
    "general": "普通参保居民",
    "poor": "建档立卡贫困人口",
    "dibao": "低保对象",
    "tekun": "特困供养人员",
}
VisitType = Literal["inpatient", "chronic_outpatient"]
VISIT_TYPES: tuple[str, ...] = ("inpatient", "chronic_outpatient", "maternity")
VISIT_TYPE_NAMES: dict[str, str] = {
    "inpatient": "住院",
    "chronic_outpatient": "门诊慢性病",
    "maternity": "住院分娩（含新生儿）",
}

# The parts of a settlement (结算结果各项), as results and comparisons name them.
PART_NAMES = {
    "basic_pay": "基本医保",
    "critical_pay": "大病保险",
    "assistance_pay": "医疗救助",
    "fallback_pay": "兜底保障",
    "self_pay": "个人自付",
    "fund": "各项基金合计",
}


def visit_kind(visit_type: str) -> VisitType:
    """住院分娩 is settled as a stay (where a pack admits it): the layers see "inpatient"."""
    return "chronic_outpatient" if visit_type == "chronic_outpatient" else "inpatient"


Level = Literal[1, 2, 3]
LEVELS: tuple[int, ...] = (1, 2, 3)
LEVEL_NAMES: dict[int, str] = {1: "一级", 2: "二级", 3: "三级"}


def yuan_to_fen(value: Any) -> int:
    """200 → 20000; "12.5" → 1250. Refuses more than two decimals (no silent rounding)."""
    if isinstance(value, bool):
        raise ValueError("金额不能是布尔值")
    if isinstance(value, int):
        return value * FEN_PER_YUAN
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValueError(f"不是金额：{value!r}") from exc
    fen = amount * FEN_PER_YUAN
    if fen != fen.to_integral_value():
        raise ValueError(f"金额最多两位小数：{value!r}")
    return int(fen)


def fen_to_yuan(fen: int) -> str:
    """20000 → "200.00" (exact, no float)."""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // FEN_PER_YUAN}.{fen % FEN_PER_YUAN:02d}"


_PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")


def to_basis_points(value: Any) -> int:
    """ "80%" → 8000; 0.8 → 8000. Must be between 0% and 100% and exact to 0.01%."""
    if isinstance(value, bool):
        raise ValueError("比例不能是布尔值")
    if isinstance(value, str) and (match := _PERCENT.match(value)):
        bp = Decimal(match.group(1)) * 100
    else:
        try:
            bp = Decimal(str(value)) * BP
        except InvalidOperation as exc:
            raise ValueError(f"不是比例：{value!r}（请写成 80% 或 0.8）") from exc
    if bp != bp.to_integral_value():
        raise ValueError(f"比例最多精确到 0.01%：{value!r}")
    if not 0 <= bp <= BP:
        raise ValueError(f"比例须在 0% 到 100% 之间：{value!r}")
    return int(bp)


def percent(bp: int) -> str:
    """8000 → "80%"; 6250 → "62.5%"."""
    whole, rest = divmod(bp, 100)
    return f"{whole}%" if rest == 0 else f"{whole}.{rest:02d}".rstrip("0") + "%"


def round_half_up(numerator: int, denominator: int = BP) -> int:
    """Integer division rounded half up, for non-negative numerators (四舍五入到分)."""
    return (2 * numerator + denominator) // (2 * denominator)
