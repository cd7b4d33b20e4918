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
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, model_validator

# Units and names live in `units.py` (no pydantic); other modules read them from here too.
from fupin.policy.units import (  # noqa: F401
    BP,
    CATEGORIES,
    CATEGORY_NAMES,
    FEN_PER_YUAN,
    FIRST_YEAR,
    LAST_YEAR,
    LEVEL_NAMES,
    LEVELS,
    VISIT_TYPE_NAMES,
    VISIT_TYPES,
    Category,
    Level,
    VisitType,
    fen_to_yuan,
    percent,
    round_half_up,
    to_basis_points,
    visit_kind,
    yuan_to_fen,
)

T = TypeVar("T")

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
