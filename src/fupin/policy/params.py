"""Parameters with sources: the building blocks every policy pack is made of.

政策参数：每个数都带生效期间和出处（文件名 + 原句），或注明“假设”及理由。

Money is held in integer fen (分) and written in yuan (元) in the YAML files; ratios are held
in basis points (万分之一) and written as percentages ("80%"). Other modules (employment,
training…) reuse `Parameter[T]`, `Source`, `Fen` and `Ratio` for their own pack sections.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, model_validator

T = TypeVar("T")

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


Fen = Annotated[int, BeforeValidator(yuan_to_fen), PlainSerializer(fen_to_yuan, return_type=str)]
"""Money: written in yuan in a pack, held in integer fen."""
Ratio = Annotated[int, BeforeValidator(to_basis_points), PlainSerializer(percent, return_type=str)]
"""A share: written as "80%" in a pack, held in basis points."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


DOCUMENT_TITLES: dict[str, str] = {}
"""Seed file name → the title and number a resident recognises (《…》（浮人社发[2018]6号）), from the
`documents:` of every pack loaded so far (`fupin.policy.packs.load_pack` adds them): a page never
shows a file name such as `000_c0962b333a39f307.txt`."""


CITED_FILE = re.compile(r"《([^《》]+\.txt)》")


def with_titles(text: str) -> str:
    """A source stored before sources were cited by title (`《000_c0962b333a39f307.txt》：“…”`, e.g.
    a subsidy run's rule) with each file name replaced by its title and number (titles known from
    the packs loaded so far)."""
    if "》" not in text:
        return text
    return CITED_FILE.sub(lambda m: DOCUMENT_TITLES.get(m.group(1), m.group(0)), text)


def document_title(file: str) -> str:
    """How a page names a seed document: its title and number, or the file name when no pack
    gives one."""
    return DOCUMENT_TITLES.get(file, f"《{file}》")


class Source(Strict):
    """Where a number comes from: a seed document and its sentence, or a stated assumption."""

    file: str | None = None
    quote: str | None = None
    assumed: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Source:
        cited = self.file is not None and self.quote is not None
        if cited == (self.assumed is not None) or (self.file is None) != (self.quote is None):
            raise ValueError("出处须为 file + quote（文件名与原句）或 assumed（假设理由）二者之一")
        return self

    @property
    def is_assumed(self) -> bool:
        return self.assumed is not None

    def text(self) -> str:
        """One line a resident or an auditor can read."""
        if self.assumed:
            body = f"假设：{self.assumed}"
        else:
            body = f"{document_title(self.file or '')}：“{self.quote}”"
        return f"{body}（{self.note}）" if self.note else body


ILLUSTRATIVE_MARK = "【示意值，非文件规定，仅供工作人员测算】"
"""Opens the citation of a value no document gives (`assumed:`): staff read it; the resident portal
drops such a citation (`fupin.portal.selectors.resident_source`)."""


def cite(source: Source, documents: Mapping[str, str]) -> str:
    """How a resident or auditor sees a source: 《title》（number）：“sentence”. An assumed value
    is marked as illustrative, for staff, never as policy."""
    if source.assumed:
        body = f"{ILLUSTRATIVE_MARK}{source.assumed}"
    else:
        title = documents.get(source.file or "") or document_title(source.file or "")
        body = f"{title}：“{source.quote}”"
    return f"{body}（{source.note}）" if source.note else body


class Period(Strict):
    """Effective period, both ends inclusive; an open end means still in force."""

    start: date = Field(alias="from")
    end: date | None = Field(default=None, alias="to")

    def contains(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    def text(self) -> str:
        return f"{self.start.isoformat()} 起" + (f"至 {self.end.isoformat()}" if self.end else "")


class Parameter(Strict, Generic[T]):
    """One policy number (or table of numbers) with its effective period and source."""

    value: T
    source: Source
    effective: Period
    description: str | None = None


def is_parameter_dict(node: Any) -> bool:
    """A raw YAML mapping that is a parameter leaf (has a value and a source)."""
    return isinstance(node, dict) and "source" in node and "value" in node
