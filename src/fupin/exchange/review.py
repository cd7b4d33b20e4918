"""What a reviewer sees of two ID numbers (比对审核): where they differ, without unmasking them.

Masked as everywhere (360222********7819), two numbers of a likely same person often look equal:
the digit that differs is hidden. Masked, the page marks the differing positions and names them
(“第12位（出生月份）不同”, “第13、14位颠倒”) but shows no hidden digit; only a user allowed to see
full numbers, asking for them (audited), sees the digits too.
"""

from __future__ import annotations

from dataclasses import dataclass

# Positions (1-based, inclusive) of the parts of an ID number (GB 11643).
PARTS = [
    (1, 6, "地址码"),
    (7, 10, "出生年份"),
    (11, 12, "出生月份"),
    (13, 14, "出生日"),
    (15, 17, "顺序码"),
    (18, 18, "校验码"),
]
SHOWN = set(range(1, 7)) | set(range(15, 19))  # what fupin.registry.idnumber.mask leaves visible


def part_of(position: int) -> str:
    return next(name for lo, hi, name in PARTS if lo <= position <= hi)


@dataclass(frozen=True)
class Cell:
    char: str
    differs: bool


@dataclass(frozen=True)
class IdDiff:
    left: list[Cell]
    right: list[Cell]
    text: str

    @staticmethod
    def _runs(cells: list[Cell]) -> list[Cell]:
        """Neighbouring cells alike merged, for the page: 360222**, *, *****7819."""
        out: list[Cell] = []
        for c in cells:
            if out and out[-1].differs == c.differs:
                out[-1] = Cell(out[-1].char + c.char, c.differs)
            else:
                out.append(c)
        return out

    @property
    def left_runs(self) -> list[Cell]:
        return self._runs(self.left)

    @property
    def right_runs(self) -> list[Cell]:
        return self._runs(self.right)


def _cells(value: str, differing: set[int], unmasked: bool) -> list[Cell]:
    if len(value) != 18 and not unmasked:
        return [Cell("*", False) for _ in value]
    return [
        Cell(ch if unmasked or i in SHOWN else "*", i in differing)
        for i, ch in enumerate(value, start=1)
    ]


def id_diff(registry: str, enrolment: str, *, unmasked: bool = False) -> IdDiff:
    """Registry and extract numbers side by side, the differing positions marked and described."""
    if not registry or not enrolment:
        return IdDiff(_cells(registry, set(), unmasked), _cells(enrolment, set(), unmasked), "")
    if len(registry) != len(enrolment):
        return IdDiff(
            _cells(registry, set(), unmasked),
            _cells(enrolment, set(), unmasked),
            f"位数不同（{len(registry)}位 / {len(enrolment)}位）",
        )
    differing = [
        i for i, (a, b) in enumerate(zip(registry, enrolment, strict=True), start=1) if a != b
    ]
    notes = []
    k = 0
    while k < len(differing):
        i = differing[k]
        a, b = registry[i - 1], enrolment[i - 1]
        if (
            k + 1 < len(differing)
            and differing[k + 1] == i + 1
            and i + 1 < 18
            and registry[i] == b
            and enrolment[i] == a
        ):
            where = (
                part_of(i) if part_of(i) == part_of(i + 1) else f"{part_of(i)}、{part_of(i + 1)}"
            )
            notes.append(
                f"第{i}、{i + 1}位颠倒（{where}）"
                + (f"：{a}{registry[i]}→{b}{a}" if unmasked else "")
            )
            k += 2
            continue
        notes.append(f"第{i}位不同（{part_of(i)}）" + (f"：{a}→{b}" if unmasked else ""))
        k += 1
    marked = set(differing)
    return IdDiff(
        _cells(registry, marked, unmasked),
        _cells(enrolment, marked, unmasked),
        "；".join(notes) or "相同",
    )
