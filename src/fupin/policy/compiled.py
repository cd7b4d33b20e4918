"""A policy compiled for the column path (编译后的政策): plain numbers and texts, no pack models.

The column path (`batch.settle_frame`) and the claims check (`claims.parse_claims`) read a
policy through this alone: the dates and messages of each span of the policy, the chronic
classes, and per rule slot (span × person category, as `rules.RuleBook` numbers them) the
value of every rule as a lookup table. `compiler.py` makes it from the validated packs and
keeps it as JSON beside them, so `python -m fupin.policy settle` starts without reading YAML
or building the pydantic pack models.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any


def date_refusal(day: date, region_name: str, periods: str) -> str:
    """Why a claim of `day` cannot be settled under a region (Chinese)."""
    return f"入院日期 {day.isoformat()} 不在{region_name}任何政策期间内；现有期间：{periods}"


def maternity_refusal(period: str) -> str:
    return f"{period} 的政策未规定住院分娩按住院结算：请按住院结算，或核对政策"


@dataclass(frozen=True)
class Tables:
    """Every rule's value per slot (slot = span × 4 + category; × 4 + level where the value
    depends on the hospital level, level 0 unused). Absent layers have empty tables."""

    ip_deductible: list[int]
    ip_ratio: list[int]
    ip_cap: list[int]
    classes: list[str]  # chronic classes of every span, sorted; the column path numbers them
    n_classes: int
    ch_deductible: list[int]
    ch_ratio: list[int]  # ((slot × n_classes + class) × 4 + level)
    ch_cap: dict[str, list[int]]
    ch_above: dict[str, list[int]]
    maternity: list[int]
    rehab: list[int]
    transfer_once: list[int]
    has_critical: bool = False
    bands: list[tuple[list[int], list[int], list[int]]] = field(default_factory=list)
    crit_cap: list[int] = field(default_factory=list)
    crit_visits: list[tuple[int, int]] = field(default_factory=list)  # (inpatient, chronic)
    has_assistance: bool = False
    asst_ratio: list[int] = field(default_factory=list)
    asst_cap: list[int] = field(default_factory=list)
    asst_visits: list[tuple[int, int]] = field(default_factory=list)
    has_major: bool = False
    major_ok: list[int] = field(default_factory=list)
    major_ratio: list[int] = field(default_factory=list)
    major_listed: dict[str, list[int]] = field(default_factory=dict)  # prefix → per slot 0/1
    has_one_deductible: bool = False
    one_listed: dict[str, list[int]] = field(default_factory=dict)
    has_line: bool = False
    line_ok: list[int] = field(default_factory=list)
    line_ok_chronic: list[int] = field(default_factory=list)
    line_share: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class CompiledPolicy:
    """What claims are checked and settled under (a `regions.Policy`), as plain data."""

    id: str
    at: date | None  # None: each claim by its admission date
    region_name: str
    periods: str  # the region's periods, as refusals name them
    first_start: date  # the region's first day with values
    starts: list[date]  # of the spans used (one when `at` is set)
    ends: list[date | None]
    span_texts: list[str]
    admits_maternity: list[bool]
    chronic_classes: list[str]
    chronic_diseases: dict[str, str]  # disease code prefix → chronic class
    control_categories: list[str]  # 单病种控费: the categories it applies to in some span
    control_listed: dict[str, list[int]]  # its disease prefixes → per slot 0/1
    tables: Tables

    def refusal(self, day: date) -> str:
        return date_refusal(day, self.region_name, self.periods)

    def to_json(self) -> str:
        data = asdict(self)
        for name in ("at", "first_start"):
            data[name] = data[name] and data[name].isoformat()
        data["starts"] = [d.isoformat() for d in self.starts]
        data["ends"] = [d and d.isoformat() for d in self.ends]
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> CompiledPolicy:
        """The policy `to_json` wrote. Raises ValueError, KeyError or TypeError on anything else."""
        data: dict[str, Any] = json.loads(text)
        day = date.fromisoformat
        return cls(
            **{
                **data,
                "at": data["at"] and day(data["at"]),
                "first_start": day(data["first_start"]),
                "starts": [day(d) for d in data["starts"]],
                "ends": [d and day(d) for d in data["ends"]],
                "tables": Tables(**data["tables"]),
            }
        )
