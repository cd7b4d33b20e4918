"""民政部门导入: households off the poverty list (低保边缘、支出型困难等) pushed by civil affairs,
read from an xlsx or CSV, validated row by row, written all or nothing as monitored households
in 预警 (one alert each, signal “民政部门推送”), audited.

Columns (first row; order free): 户主姓名, 户主身份证号, 村代码, 家庭人口, 人均纯收入（元）, 类别
(边缘易致贫户 / 突发严重困难户), 情况说明.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.http import HttpRequest

from fupin import bounds
from fupin.access.audit import record
from fupin.access.models import AuditAction, User
from fupin.access.scope import area_code_in_scope, require_writer
from fupin.areas.models import Area, Level
from fupin.registry.idnumber import IdNumberError, parse_id_number
from fupin.registry.models import Person
from fupin.sheets.read import FileFault, col_letter, read_cells

from .models import Alert, Category, MonitoredHousehold, Origin, Signal, Stage, StageChange
from .rules import rules

COLUMNS = {
    "head_name": "户主姓名",
    "head_id_number": "户主身份证号",
    "village_code": "村代码",
    "member_count": "家庭人口",
    "income": "人均纯收入（元）",
    "category": "类别",
    "description": "情况说明",
}
ALIASES = {
    "人均纯收入(元)": "income",
    "人均纯收入": "income",
    "所在村代码": "village_code",
    "身份证号": "head_id_number",
}
CATEGORIES = {str(Category.EDGE.label): Category.EDGE, str(Category.SUDDEN.label): Category.SUDDEN}
MAX_FAULTS = 50


class ImportRefused(ValueError):
    """The file, or some of its rows, cannot be imported; `faults` are Chinese lines naming row and column."""

    def __init__(self, faults: list[str]):
        super().__init__("；".join(faults[:3]))
        self.faults = faults


def _header(row: list) -> dict[str, int]:
    names = {label: key for key, label in COLUMNS.items()} | ALIASES
    found: dict[str, int] = {}
    for i, cell in enumerate(row):
        key = names.get(str(cell or "").strip())
        if key:
            found[key] = i
    if missing := [COLUMNS[k] for k in COLUMNS if k not in found]:
        raise ImportRefused([f"第1行（表头）缺少列：{'、'.join(missing)}"])
    return found


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def import_file(
    *, user: User, data: bytes, filename: str, day: dt.date, request: HttpRequest | None = None
) -> int:
    """Validate every row, then write them all in one transaction; returns the number of households."""
    require_writer(user)
    try:
        rows = read_cells(data, filename)
    except FileFault as exc:
        raise ImportRefused([str(exc)]) from None
    if not rows:
        raise ImportRefused(["文件是空的"])
    cols = _header(rows[0])
    villages = set(Area.objects.filter(level=Level.VILLAGE).values_list("code", flat=True))
    faults: list[str] = []
    good: list[dict] = []
    seen: dict[str, int] = {}

    def fault(n: int, key: str, message: str) -> None:
        faults.append(f"第{n}行 {col_letter(cols[key])}列（{COLUMNS[key]}）：{message}")

    for n, row in enumerate(rows[1:], start=2):
        cell = {k: _text(row[i]) if i < len(row) else "" for k, i in cols.items()}
        if not any(cell.values()):
            continue
        before = len(faults)
        if not cell["head_name"] or len(cell["head_name"]) > 50:
            fault(n, "head_name", "须填写，最多 50 个字")
        try:
            idn = parse_id_number(cell["head_id_number"]).value
        except IdNumberError as exc:
            fault(n, "head_id_number", str(exc))
            idn = ""
        if idn and idn in seen:
            fault(n, "head_id_number", f"与第{seen[idn]}行重复")
        elif idn:
            seen[idn] = n
        code = cell["village_code"]
        if code not in villages:
            fault(n, "village_code", f"“{code}”不是村代码")
        elif not area_code_in_scope(user, code):
            fault(n, "village_code", "不在本辖区")
        try:
            members = int(cell["member_count"])
            if not 1 <= members <= 99:
                raise ValueError
        except ValueError:
            fault(n, "member_count", "须为 1 到 99 的整数")
            members = 0
        try:
            income = (
                bounds.yuan_to_fen(cell["income"], COLUMNS["income"]) if cell["income"] else None
            )
        except bounds.BoundsError as exc:
            fault(n, "income", str(exc))
            income = None
        category = CATEGORIES.get(cell["category"])
        if category is None:
            fault(n, "category", f"须为 {'、'.join(CATEGORIES)}")
        if not cell["description"] or len(cell["description"]) > 300:
            fault(n, "description", "须填写，最多 300 个字")
        if len(faults) == before:
            good.append(
                {
                    "n": n,
                    "head_name": cell["head_name"],
                    "head_id_number": idn,
                    "village_code": code,
                    "member_count": members,
                    "income_per_capita_fen": income,
                    "category": category,
                    "description": cell["description"],
                }
            )
    ids = [g["head_id_number"] for g in good]
    on_list = set(Person.objects.filter(id_number__in=ids).values_list("id_number", flat=True))
    monitored = set(
        MonitoredHousehold.objects.filter(head_id_number__in=ids).values_list(
            "head_id_number", flat=True
        )
    )
    for g in good:
        if g["head_id_number"] in on_list:
            fault(g["n"], "head_id_number", "已在建档立卡名单上：请在该户登记预警")
        elif g["head_id_number"] in monitored:
            fault(g["n"], "head_id_number", "该户已是监测对象（可能在其他辖区登记）")
    if faults:
        more = f"……共 {len(faults)} 处问题" if len(faults) > MAX_FAULTS else ""
        raise ImportRefused(
            sorted(faults, key=lambda f: int(f[1 : f.index("行")]))[:MAX_FAULTS]
            + ([more] if more else [])
        )
    if not good:
        raise ImportRefused(["文件中没有数据行"])
    check_due = day + dt.timedelta(days=rules().check_days.value)
    with transaction.atomic():
        households = MonitoredHousehold.objects.bulk_create(
            [
                MonitoredHousehold(
                    village_code=g["village_code"],
                    head_name=g["head_name"],
                    head_id_number=g["head_id_number"],
                    member_count=g["member_count"],
                    income_per_capita_fen=g["income_per_capita_fen"],
                    category=g["category"],
                    stage=Stage.ALERT,
                    origin=Origin.CIVIL,
                    alerted_on=day,
                    check_due=check_due,
                    created_by=user,
                )
                for g in good
            ]
        )
        StageChange.objects.bulk_create(
            [
                StageChange(
                    monitored=m,
                    village_code=m.village_code,
                    new_stage=Stage.ALERT,
                    day=day,
                    reason=f"民政部门导入（{filename}）"[:500],
                    changed_by=user,
                )
                for m in households
            ]
        )
        Alert.objects.bulk_create(
            [
                Alert(
                    monitored=m,
                    village_code=m.village_code,
                    signal=Signal.CIVIL,
                    cause_key=f"civil:{day.isoformat()}",
                    detail=g["description"],
                    rule="民政部门推送",
                    raised_on=day,
                    created_by=user,
                )
                for m, g in zip(households, good, strict=True)
            ]
        )
        record(
            AuditAction.IMPORT,
            user=user,
            request=request,
            object_type="monitoredhousehold",
            object_id=filename[:64],
            summary=f"民政部门导入监测对象 {len(households)} 户（{filename}）",
        )
    return len(households)
