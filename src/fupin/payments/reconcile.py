"""对账: a paid batch against the return file of the bank or the insurance agency.

The file is read only through `fupin.sheets.read.read_cells`. Its first row names the columns:
明细号, 身份证号, 金额(元), 结果 (required) and 姓名, 说明 (optional). Every row is checked first;
any bad row (an unreadable 明细号, ID number or amount, an unknown result, a 明细号 given
twice) refuses the whole file with the row, the column and the fault — nothing is imported.
Then each row is one of: paid as expected; refused (退回); paid with another amount
(金额不符); or a person who is not in this batch (回盘人员不在本批次). A live line the
file does not mention is missing (未回盘). Every difference is listed and must be resolved
with a reason (`services.resolve`); the batch is reconciled when none is open.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.http import HttpRequest

from fupin import bounds
from fupin.access.audit import record
from fupin.access.models import AuditAction, User
from fupin.access.scope import get_scoped
from fupin.registry.idnumber import IdNumberError, parse_id_number
from fupin.sheets.read import FileFault, Limits, col_letter, read_cells

from .models import Batch, BatchLine, BatchState, Difference, DifferenceKind, LineStatus, ReturnFile
from .services import (
    PaymentError,
    Progress,
    _close_if_done,
    _locked,
    _require_county,
    no_progress,
)

REQUIRED = {"明细号": "seq", "身份证号": "id_number", "金额(元)": "amount", "结果": "result"}
OPTIONAL = {"姓名": "name", "说明": "text"}
ALIASES = {
    "金额": "金额(元)",
    "实发金额(元)": "金额(元)",
    "实发金额": "金额(元)",
    "失败原因": "说明",
    "备注": "说明",
    "处理结果": "结果",
    "状态": "结果",
}
PAID_WORDS = {"成功", "已到账", "已支付", "已代缴", "到账", "支付成功", "代缴成功"}
REFUSED_WORDS = {"失败", "退回", "拒付", "未到账", "支付失败", "退票", "代缴失败"}
SHOWN_FAULTS = 50


class ReturnFileError(PaymentError):
    """The file, or some of its rows, cannot be read: nothing imported. `faults` lists (row, column, fault)."""

    def __init__(self, message: str, faults: list[tuple[int, str, str]] | None = None):
        self.faults = faults or []
        super().__init__(message)


@dataclass
class Row:
    number: int
    seq: int
    id_number: str
    amount_fen: int
    paid: bool
    name: str
    text: str


def _header(cells: list) -> dict[str, int]:
    names = {}
    for j, value in enumerate(cells):
        title = str(value or "").strip().replace("（", "(").replace("）", ")")
        title = ALIASES.get(title, title)
        if title in REQUIRED or title in OPTIONAL:
            names.setdefault(title, j)
    missing = [t for t in REQUIRED if t not in names]
    if missing:
        raise ReturnFileError(
            f"回盘文件第1行应为列名，缺少：{'、'.join(missing)}（须有 明细号、身份证号、金额(元)、结果 四列），未导入"
        )
    return names


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _seq(value: object) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return bounds.parse_id(
        value if isinstance(value, int) and not isinstance(value, bool) else _text(value), "明细号"
    )


_PLAIN_YUAN = re.compile(r"^\s*(\d{1,9})(?:\.(\d{1,2}))?\s*$")


def _fen(value: object) -> int:
    """金额(元) → fen: the common "500" / "500.00" by arithmetic, anything else through fupin.bounds (its messages)."""
    m = _PLAIN_YUAN.match(value) if isinstance(value, str) else None
    if m is None:
        return bounds.yuan_to_fen(value, "金额(元)")
    fen = int(m.group(1)) * 100 + int((m.group(2) or "0").ljust(2, "0"))
    return bounds.check_fen(fen, "金额(元)")


def _id_number(value: object, expected: str | None) -> str:
    """The ID number of a row: the line's own (already checked in the registry) when it is exactly that, else parsed."""
    if isinstance(value, str) and expected is not None and value.strip().upper() == expected:
        return expected
    return parse_id_number(value if not isinstance(value, int) else str(value)).value


def parse(
    data: bytes,
    filename: str,
    known: dict[int, str] | None = None,
    progress: Progress = no_progress,
) -> list[Row]:
    """Every row of the return file, checked; ReturnFileError listing every bad row otherwise.
    `known` (明细号 → ID number of the batch's lines) spares re-checking the numbers the registry holds."""
    known = known or {}
    try:
        cells = read_cells(data, filename, Limits(max_bytes=settings.MAX_UPLOAD_BYTES))
    except FileFault as exc:
        raise ReturnFileError(str(exc)) from None
    if not cells:
        raise ReturnFileError("回盘文件是空的，未导入")
    cols = _header(cells[0])
    rows, faults, first_seen = [], [], {}
    total = len(cells) - 1
    for number, raw in enumerate(cells[1:], start=2):
        if number % 5000 == 0:
            progress(2, "逐行核对", number - 1, total)
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in raw):
            continue

        def cell(title: str, raw: list = raw) -> object:
            j = cols.get(title)
            return raw[j] if j is not None and j < len(raw) else None

        row_faults: list[tuple[int, str, str]] = []

        def fault(
            title: str,
            message: str,
            number: int = number,
            row_faults: list[tuple[int, str, str]] = row_faults,
        ) -> None:
            row_faults.append((number, f"{col_letter(cols[title])}列“{title}”", message))

        seq = id_number = amount = paid = None
        try:
            seq = _seq(cell("明细号"))
        except bounds.BoundsError as exc:
            fault("明细号", str(exc))
        try:
            id_number = _id_number(cell("身份证号"), known.get(seq))
        except IdNumberError as exc:
            fault("身份证号", str(exc))
        try:
            amount = _fen(cell("金额(元)"))
        except bounds.BoundsError as exc:
            fault("金额(元)", str(exc))
        result = _text(cell("结果"))
        if result in PAID_WORDS:
            paid = True
        elif result in REFUSED_WORDS:
            paid = False
        else:
            fault("结果", f"应为“成功”或“失败”（或 已到账/退回 等），填写的是“{result[:20]}”")
        if seq is not None and not row_faults:
            if seq in first_seen:
                fault("明细号", f"明细号 {seq} 与第{first_seen[seq]}行重复")
            first_seen.setdefault(seq, number)
        if row_faults:
            faults.extend(row_faults)
            continue
        rows.append(
            Row(
                number,
                seq,
                id_number,
                amount,
                paid,
                _text(cell("姓名"))[:50] if "姓名" in cols else "",
                _text(cell("说明"))[:200] if "说明" in cols else "",
            )
        )
    if faults:
        shown = "；".join(f"第{n}行{col}：{msg}" for n, col, msg in faults[:SHOWN_FAULTS])
        more = f"；另有 {len(faults) - SHOWN_FAULTS} 处" if len(faults) > SHOWN_FAULTS else ""
        raise ReturnFileError(f"回盘文件有 {len(faults)} 处错误，未导入：{shown}{more}", faults)
    if not rows:
        raise ReturnFileError("回盘文件除列名外没有数据行，未导入")
    return rows


def import_return(
    *,
    user: User,
    batch_id: int,
    data: bytes,
    filename: str,
    request: HttpRequest | None = None,
    progress: Progress = no_progress,
) -> ReturnFile:
    """导入回盘文件 and list the differences, all or nothing. `progress` hears the three steps:
    读取回盘文件, 逐行核对 (rows of total), 写入对账结果."""
    _require_county(user, "导入回盘文件")
    batch = get_scoped(Batch.objects.all(), user, pk=batch_id)
    _may_import(batch)
    # Lines do not change after approval: their ID numbers can be read before the lock.
    known = dict(
        BatchLine.objects.filter(batch=batch, live=True)
        .values_list("id", "person__id_number")
        .iterator(chunk_size=20_000)
    )
    progress(1, "读取回盘文件", 0, 0)
    rows = parse(
        data, filename, known, progress
    )  # outside the transaction: the child process may take a while
    progress(3, "写入对账结果", 0, len(rows))
    with transaction.atomic():
        batch = _locked(user, batch_id, None)
        _may_import(batch)
        return _classify(user, batch, rows, filename[:200], request)


def _may_import(batch: Batch) -> None:
    if batch.state == BatchState.RECONCILED or ReturnFile.objects.filter(batch=batch).exists():
        raise PaymentError("本批次已导入回盘文件，不能重复导入")
    if batch.state != BatchState.PAID:
        raise PaymentError(
            f"批次当前状态为“{batch.get_state_display()}”，须先登记支付再导入回盘文件"
        )


def _update_lines(batch: Batch, differing: list[BatchLine]) -> None:
    """Every live line of the batch is paid but the differing ones. PostgreSQL: two set-based
    UPDATEs (the differing lines COPYed into a staging table); elsewhere the ORM."""
    if connection.vendor != "postgresql":
        BatchLine.objects.filter(batch=batch, live=True).update(
            status=LineStatus.PAID, returned_fen=F("amount_fen")
        )
        BatchLine.objects.bulk_update(
            differing, ["status", "returned_fen", "status_reason"], batch_size=2000
        )
        return
    with connection.cursor() as cur:
        cur.execute(
            "CREATE TEMP TABLE payline_return (id bigint PRIMARY KEY, status varchar(10), returned_fen bigint, "
            "status_reason varchar(200)) ON COMMIT DROP"
        )
        with cur.cursor.copy(
            "COPY payline_return (id, status, returned_fen, status_reason) FROM STDIN"
        ) as copy:
            for x in differing:
                copy.write_row((x.pk, x.status, x.returned_fen, x.status_reason))
        cur.execute(
            "UPDATE payments_batchline l SET status = %s, returned_fen = l.amount_fen WHERE l.batch_id = %s AND l.live "
            "AND NOT EXISTS (SELECT 1 FROM payline_return r WHERE r.id = l.id)",
            [LineStatus.PAID, batch.pk],
        )
        cur.execute(
            "UPDATE payments_batchline l SET status = r.status, "
            "returned_fen = r.returned_fen, status_reason = r.status_reason "
            "FROM payline_return r WHERE l.id = r.id AND l.batch_id = %s",
            [batch.pk],
        )
        cur.execute("DROP TABLE payline_return")


def _classify(
    user: User, batch: Batch, rows: list[Row], filename: str, request: HttpRequest
) -> ReturnFile:
    lines = {
        pk: (id_number, fen, village)
        for pk, id_number, fen, village in BatchLine.objects.filter(
            batch=batch, live=True
        ).values_list("id", "person__id_number", "amount_fen", "village_code")
    }
    paid_ids, seen, diffs, differing = [], set(), [], []
    for row in rows:
        line = lines.get(row.seq)
        if line is None or line[0] != row.id_number:
            diffs.append(
                Difference(
                    batch=batch,
                    kind=DifferenceKind.UNKNOWN,
                    village_code=batch.area_code,
                    row_number=row.number,
                    id_number=row.id_number,
                    name=row.name,
                    returned_fen=row.amount_fen,
                    returned_text=row.text,
                )
            )
            continue
        seen.add(row.seq)
        _, expected, village = line
        common = dict(
            batch=batch,
            line_id=row.seq,
            village_code=village,
            row_number=row.number,
            id_number=row.id_number,
            name=row.name,
            expected_fen=expected,
            returned_fen=row.amount_fen,
            returned_text=row.text,
        )
        if not row.paid:
            diffs.append(Difference(kind=DifferenceKind.REFUSED, **common))
            differing.append(
                BatchLine(
                    pk=row.seq, status=LineStatus.REFUSED, returned_fen=0, status_reason=row.text
                )
            )
        elif row.amount_fen != expected:
            diffs.append(Difference(kind=DifferenceKind.DIFFERS, **common))
            differing.append(
                BatchLine(
                    pk=row.seq,
                    status=LineStatus.DIFFERS,
                    returned_fen=row.amount_fen,
                    status_reason=row.text,
                )
            )
        else:
            paid_ids.append(row.seq)
    for pk, (id_number, expected, village) in lines.items():
        if pk not in seen:
            diffs.append(
                Difference(
                    batch=batch,
                    line_id=pk,
                    kind=DifferenceKind.MISSING,
                    village_code=village,
                    id_number=id_number,
                    expected_fen=expected,
                )
            )
            differing.append(
                BatchLine(pk=pk, status=LineStatus.MISSING, status_reason="回盘文件中没有此明细")
            )
    _update_lines(batch, differing)
    Difference.objects.bulk_create(diffs, batch_size=2000)
    rf = ReturnFile.objects.create(
        batch=batch,
        area_code=batch.area_code,
        filename=filename,
        rows=len(rows),
        paid=len(paid_ids),
        differences=len(diffs),
        imported_by=user,
    )
    record(
        AuditAction.IMPORT,
        user=user,
        request=request,
        obj=batch,
        summary=f"导入回盘文件“{filename}”：{len(rows)} 行，{len(paid_ids)} 人次到账，差异 {len(diffs)} 条",
    )
    _close_if_done(batch)
    return rf
