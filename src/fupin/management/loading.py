"""Loading the county's indicator definitions (指标) (data/indicators.yaml) into the database."""

from __future__ import annotations

from pathlib import Path

import yaml
from django.db import transaction

from .indicators import IndicatorError, validate
from .models import Indicator, IndicatorKind, PeriodType

DATA = Path(__file__).parent / "data"
FIELDS = {
    "code",
    "name",
    "kind",
    "unit",
    "numerator",
    "denominator",
    "period_type",
    "cumulative",
    "source_doc",
    "source_text",
    "active",
}


def read_definitions(path: Path | None = None) -> list[dict]:
    rows = yaml.safe_load((path or DATA / "indicators.yaml").read_text(encoding="utf-8")) or []
    if not isinstance(rows, list):
        raise IndicatorError("指标文件应为列表，每项一个指标")
    return rows


@transaction.atomic
def load_indicators(path: Path | None = None) -> int:
    """Create or update every indicator of the file by its code; all or nothing, each validated."""
    n = 0
    for order, row in enumerate(read_definitions(path), 1):
        where = f"第{order}项"
        if not isinstance(row, dict) or not row.get("code") or not row.get("name"):
            raise IndicatorError(f"{where}：应写明 code 和 name")
        unknown = set(row) - FIELDS
        if unknown:
            raise IndicatorError(
                f"{where}（{row['code']}）：无法识别的项 {'、'.join(sorted(unknown))}"
            )
        kind = row.get("kind", IndicatorKind.COUNT)
        if kind not in IndicatorKind.values:
            raise IndicatorError(
                f"{where}（{row['code']}）：类型“{kind}”应为 {'、'.join(IndicatorKind.values)} 之一"
            )
        if row.get("period_type", PeriodType.MONTH) not in PeriodType.values:
            raise IndicatorError(f"{where}（{row['code']}）：统计周期应为 month、quarter 或 year")
        values = {k: v for k, v in row.items() if k in FIELDS and k != "code"}
        values.setdefault("numerator", {})
        values["order"] = order
        ind, _ = Indicator.objects.update_or_create(code=row["code"], defaults=values)
        validate(ind)
        n += 1
    return n


def active_indicators() -> list[Indicator]:
    """The indicators in use, the county's definitions loaded first if the table is empty."""
    if not Indicator.objects.exists():
        load_indicators()
    return list(Indicator.objects.filter(active=True))
