"""Writes of 价格临时补贴: the month's price index, the benefit-drawing import (staging → check →
merge, all or nothing) and the monthly run. Each one transaction, audited."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from fupin import bounds
from fupin.access.audit import record
from fupin.access.models import AuditAction, User
from fupin.access.scope import home_area_code, require_area, require_writer, scoped
from fupin.areas.models import village_code_range
from fupin.management.selectors import is_county
from fupin.policy.params import fen_to_yuan
from fupin.registry.idnumber import IdNumberError, parse_id_number
from fupin.registry.models import Person
from fupin.sheets.read import FileFault, Limits, read_cells

from .models import (
    BenefitDrawing,
    DrawingImport,
    DrawingRow,
    ImportState,
    PriceIndex,
    PriceSubsidy,
    SubsidyRun,
)
from .rules import default_pack_id, rules, triggered

HEADERS = {"身份证号": "id_number", "姓名": "name", "月份": "month", "失业保险金(元)": "benefit"}
MAX_ROWS = 200_000
_INDEX = re.compile(r"^\s*(\d{2,3})(?:\.(\d{1,2}))?\s*$")


class UnemploymentError(ValueError):
    """A refused step, with its reason in Chinese."""


def month_text(value: object) -> str:
    """'2018-3' / '2018-03' → '2018-03' inside the date range, or UnemploymentError."""
    try:
        return bounds.parse_month(str(value) if value is not None else "").strftime("%Y-%m")
    except bounds.BoundsError as exc:
        raise UnemploymentError(str(exc)) from None


def parse_index(text: object) -> int:
    """'103.5' → 10350 (同比指数，上年同月=100，最多两位小数，50–200 之间)."""
    m = _INDEX.match(str(text or ""))
    if not m:
        raise UnemploymentError(
            f"价格指数应写作 103.5 这样的数（上年同月=100），填写的是“{str(text)[:20]}”"
        )
    value = int(m.group(1)) * 100 + int((m.group(2) or "0").ljust(2, "0"))
    if not 5000 <= value <= 20000:
        raise UnemploymentError(f"价格指数 {text} 不合常理：应在 50 到 200 之间")
    return value


@transaction.atomic
def set_price_index(
    *, user: User, month: str, index: object, note: str = "", request: HttpRequest | None = None
) -> PriceIndex:
    """录入全省当月价格指数 (county staff only: one province-wide value)."""
    require_writer(user)
    if not is_county(user):
        raise UnemploymentError("价格指数由县级人社部门录入")
    month = month_text(month)
    value = parse_index(index)
    try:
        note = bounds.check_text(PriceIndex, "note", (note or "").strip())
    except bounds.BoundsError as exc:
        raise UnemploymentError(str(exc)) from None
    old = PriceIndex.objects.select_for_update().filter(month=month).first()
    if old and SubsidyRun.objects.filter(month=month, triggered=True).exists():
        raise UnemploymentError(f"{month} 已按指数 {old.index_text} 核算补贴，不能再改指数")
    obj, _ = PriceIndex.objects.update_or_create(
        month=month, defaults={"index_hundredths": value, "note": note, "entered_by": user}
    )
    record(
        AuditAction.UPDATE if old else AuditAction.CREATE,
        user=user,
        request=request,
        obj=obj,
        object_type="priceindex",
        summary=f"价格指数 {month}：{obj.index_text}",
    )
    return obj


def _money(value: object) -> int | None:
    if value in (None, ""):
        return None
    try:
        return bounds.yuan_to_fen(Decimal(str(value).strip()), "失业保险金")
    except (bounds.BoundsError, InvalidOperation) as exc:
        raise UnemploymentError(
            str(exc) if isinstance(exc, bounds.BoundsError) else "失业保险金不是金额"
        ) from None


@transaction.atomic
def stage_import(
    *, user: User, data: bytes, filename: str, request: HttpRequest | None = None
) -> DrawingImport:
    """Read the extract into staging rows and check every row (one pass, one bulk insert).
    A row's fault names its row and column; a person not in the user's registry is skipped
    with its reason (the subsidy is paid through 资金发放 to registry persons only)."""
    require_writer(user)
    filename = (filename or "名单.xlsx")[-100:]
    try:
        cells = read_cells(data, filename, Limits(max_rows=MAX_ROWS + 1))
    except FileFault as exc:
        raise UnemploymentError(str(exc)) from None
    if not cells:
        raise UnemploymentError("文件是空的")
    header = [str(c or "").strip() for c in cells[0]]
    missing = [h for h in HEADERS if h not in header]
    if missing:
        raise UnemploymentError(
            f"第1行表头缺少：{'、'.join(missing)}（应有：{'、'.join(HEADERS)}）"
        )
    col = {HEADERS[h]: header.index(h) for h in HEADERS}
    body = [r for r in cells[1:] if any(c not in (None, "") for c in r)]
    if len(body) > MAX_ROWS:
        raise UnemploymentError(f"一次最多导入 {MAX_ROWS} 行")
    job = DrawingImport.objects.create(
        area_code=home_area_code(user), filename=filename, state=ImportState.READY, created_by=user
    )
    parsed = []
    for i, r in enumerate(cells[1:], start=2):
        if not any(c not in (None, "") for c in r):
            continue

        def cell(name: str, r: Sequence[object] = r) -> object:
            j = col[name]
            return r[j] if j < len(r) else None

        row = DrawingRow(job=job, row_no=i, name=str(cell("name") or "").strip()[:50])
        faults = []
        try:
            row.id_number = parse_id_number(cell("id_number")).value
        except IdNumberError as exc:
            row.id_number = str(cell("id_number") or "")[:24]
            faults.append(f"身份证号：{exc}")
        try:
            row.month = month_text(cell("month"))
        except UnemploymentError as exc:
            faults.append(f"月份：{exc}")
        try:
            row.benefit_fen = _money(cell("benefit"))
        except UnemploymentError as exc:
            faults.append(f"失业保险金(元)：{exc}")
        if not row.name:
            faults.append("姓名：未填写")
        row.error = "；".join(faults)[:300]
        parsed.append(row)
    ids = {r.id_number for r in parsed if not r.error}
    people = {
        p.id_number: p
        for p in scoped(Person.objects.filter(id_number__in=ids), user).only(
            "id", "id_number", "name", "village_code"
        )
    }
    seen: dict[tuple[str, str], int] = {}
    for row in parsed:
        if row.error:
            continue
        key = (row.id_number, row.month)
        if key in seen:
            row.error = f"与第{seen[key]}行重复（同一人同一月份）"
            continue
        seen[key] = row.row_no
        person = people.get(row.id_number)
        if person is None:
            row.skip = "不在本辖区建档立卡名单"
        elif person.name != row.name:
            row.error = f"姓名：名单为“{row.name}”，建档立卡为“{person.name}”，请核对"
        else:
            row.person = person
    DrawingRow.objects.bulk_create(parsed, batch_size=5000)
    job.rows = len(parsed)
    job.errors = sum(1 for r in parsed if r.error)
    job.skipped = sum(1 for r in parsed if r.skip and not r.error)
    if job.errors:
        job.state = ImportState.FAILED
        job.message = f"{job.errors} 行有错误，整份名单未导入；请改正后重新上传"
    else:
        job.message = (
            f"{job.rows - job.skipped} 行待导入，{job.skipped} 行不在本辖区建档立卡名单（跳过）"
        )
    job.save(update_fields=["rows", "errors", "skipped", "state", "message"])
    record(
        AuditAction.IMPORT,
        user=user,
        request=request,
        obj=job,
        summary=f"上传失业保险金领取名单 {job.filename}：{job.rows} 行，{job.errors} 行错误",
    )
    return job


@transaction.atomic
def merge_import(
    *, user: User, job: DrawingImport, request: HttpRequest | None = None
) -> DrawingImport:
    """Merge a checked import in one step: new (person, month) rows added, the benefit of
    existing ones updated. A failed or merged import is refused."""
    require_writer(user)
    require_area(user, job.area_code)
    job = DrawingImport.objects.select_for_update().get(pk=job.pk)
    if job.state != ImportState.READY:
        raise UnemploymentError(f"这份名单{job.get_state_display()}，不能导入")
    rows = list(job.staged.filter(person__isnull=False, error="").select_related("person"))
    existing = {
        (d.person_id, d.month): d
        for d in BenefitDrawing.objects.filter(
            person_id__in={r.person_id for r in rows}, month__in={r.month for r in rows}
        )
    }
    new, changed = [], []
    for r in rows:
        d = existing.get((r.person_id, r.month))
        if d is None:
            new.append(
                BenefitDrawing(
                    person_id=r.person_id,
                    village_code=r.person.village_code,
                    month=r.month,
                    benefit_fen=r.benefit_fen,
                    source=job.filename,
                    job=job,
                )
            )
        elif d.benefit_fen != r.benefit_fen:
            d.benefit_fen, d.job, d.source = r.benefit_fen, job, job.filename
            changed.append(d)
    BenefitDrawing.objects.bulk_create(new, batch_size=5000)
    BenefitDrawing.objects.bulk_update(changed, ["benefit_fen", "job", "source"], batch_size=5000)
    job.state, job.merged_at = ImportState.MERGED, timezone.now()
    job.message = f"新增 {len(new)} 条，更新 {len(changed)} 条，跳过 {job.skipped} 条"
    job.save(update_fields=["state", "merged_at", "message"])
    record(
        AuditAction.IMPORT,
        user=user,
        request=request,
        obj=job,
        summary=f"导入失业保险金领取名单 {job.filename}：{job.message}",
    )
    return job


@transaction.atomic
def run_month(
    *, user: User, month: str, area_code: str | None = None, request: HttpRequest | None = None
) -> SubsidyRun:
    """价格临时补贴月度核算: when the month's index reaches the pack's trigger, every person of the
    area drawing unemployment benefit that month gets the pack's monthly amount. Running again
    adds only those not yet computed (the unique (person, month) constraint holds it even when
    two runs race)."""
    require_writer(user)
    month = month_text(month)
    area_code = area_code or home_area_code(user)
    require_area(user, area_code)
    index = PriceIndex.objects.filter(month=month).first()
    if index is None:
        raise UnemploymentError(f"尚未录入 {month} 的全省价格指数，不能核算")
    pack_id = default_pack_id()
    r = rules(pack_id)
    trigger = r.price_trigger.value
    run = SubsidyRun(
        month=month,
        area_code=area_code,
        pack_id=pack_id,
        index_hundredths=index.index_hundredths,
        trigger_bp=trigger,
        triggered=triggered(index.index_hundredths, trigger),
        created_by=user,
    )
    if not run.triggered:
        run.message = f"{month} 价格指数 {index.index_text}，涨幅未达到启动条件，本月不发放"
        run.save()
    else:
        run.save()
        amount = r.price_subsidy_monthly.value
        drawings = scoped(
            BenefitDrawing.objects.filter(
                month=month, village_code__range=village_code_range(area_code)
            ),
            user,
        ).values_list("person_id", "village_code")
        done = set(
            PriceSubsidy.objects.filter(
                month=month, village_code__range=village_code_range(area_code)
            ).values_list("person_id", flat=True)
        )
        rows = [
            PriceSubsidy(
                person_id=pid,
                village_code=vc,
                month=month,
                amount_fen=amount,
                index_hundredths=index.index_hundredths,
                rule=f"{pack_id} unemployment.price_subsidy_monthly",
                run=run,
            )
            for pid, vc in drawings.iterator(chunk_size=5000)
            if pid not in done
        ]
        PriceSubsidy.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
        run.created = PriceSubsidy.objects.filter(run=run).count()
        run.existing = len(done)
        run.message = (
            f"{month} 价格指数 {index.index_text} 达到启动条件，新增 {run.created} 人，"
            f"每人 {fen_to_yuan(amount)} 元；此前已核算 {run.existing} 人"
        )
        run.save(update_fields=["created", "existing", "message"])
    record(
        AuditAction.CREATE,
        user=user,
        request=request,
        obj=run,
        summary=f"价格临时补贴核算：{run.message}",
    )
    return run
