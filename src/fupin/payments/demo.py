"""DEMO_BUILDERS hook (after the other modules): payment batches of the subsidies the demo county
has granted, each step taken by the demo accounts as the rules require.

0. 2018 城乡居民医疗保险个人缴费代缴 for the whole county (the insurance module's 2018 medical run, which
   its own demo builder makes before this one): prepared by the agency, reviewed by the county,
   approved by the administrator, the agency list exported, paid and reconciled clean;
1. 公益性岗位补贴 of last month in the township with most placements: prepared by the township,
   reviewed by the agency, approved by the county, bank file exported, paid, reconciled clean;
2. 取证一次性求职补贴 of the year with most grants, for the whole county: prepared by the agency,
   reviewed by the county, approved by the administrator, paid, and its return file has one of
   each difference (refused, amount differs, unknown person, missing) left to resolve;
3. 创业担保贷款贴息 of last quarter: prepared by the agency, waiting for another person's review.

Deterministic: the same records are chosen in the same order (ids, no randomness).

What each kind has to pay is read through the kinds the modules register (`providers`), never
from their models: payments sits below employment, training and insurance, which import it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable

from django.utils import timezone

from fupin.access.models import User
from fupin.months import add_months, quarter_of, quarter_start
from fupin.policy.params import fen_to_yuan
from fupin.registry.models import Person

from . import reconcile, services
from .exports import agency_xlsx_response, bank_csv_response
from .models import Batch, BatchLine
from .providers import KindError, get_kind


def _return_file(rows: Iterable[tuple[object, ...]]) -> bytes:
    text = "明细号,身份证号,姓名,金额(元),结果,说明\n" + "".join(
        f"{a},{b},{c},{d},{e},{f}\n" for a, b, c, d, e, f in rows
    )
    return text.encode("utf-8")


def _lines(batch: Batch) -> list[BatchLine]:
    return list(
        BatchLine.objects.filter(batch=batch, live=True).select_related("person").order_by("id")
    )


def _pay(batch: Batch, payer: User, reference: str) -> None:
    response = bank_csv_response(user=payer, request=None, batch_id=batch.pk)
    response.file_to_stream.close()  # not response.close(): that ends the "request" and closes the database connection
    services.mark_paid(
        user=payer, batch_id=batch.pk, reference=reference, paid_on=timezone.localdate()
    )


def _reconciled_welfare_batch(
    town_user: User, agency: User, county: User, month: dt.date
) -> Batch | None:
    batch = services.prepare(
        user=town_user,
        kind="welfare_post",
        period=f"{month:%Y-%m}",
        area_code=town_user.area.code,
        note="演示：已支付并对账",
    )
    services.review(user=agency, batch_id=batch.pk)
    services.approve(user=county, batch_id=batch.pk)
    _pay(batch, agency, f"FLNS{month:%Y%m}001")
    rows = [
        (x.pk, x.person.id_number, x.person.name, fen_to_yuan(x.amount_fen), "成功", "")
        for x in _lines(batch)
    ]
    reconcile.import_return(
        user=agency,
        batch_id=batch.pk,
        data=_return_file(rows),
        filename=f"公益性岗位补贴{month:%Y%m}回盘.csv",
    )
    return batch


def _batch_with_differences(agency: User, county: User, admin: User, year: int) -> Batch:
    batch = services.prepare(
        user=agency,
        kind="job_seeking",
        period=str(year),
        area_code=county.area.code,
        note="演示：对账有差异待处理",
    )
    services.review(user=county, batch_id=batch.pk)
    services.approve(user=admin, batch_id=batch.pk)
    _pay(batch, agency, f"FLNS{year}JS01")
    lines = _lines(batch)
    in_batch = {x.person_id for x in lines}
    stranger = Person.objects.exclude(pk__in=in_batch).order_by("id").first()
    rows = []
    for i, x in enumerate(lines):
        amount = fen_to_yuan(x.amount_fen)
        if i == 0:
            rows.append((x.pk, x.person.id_number, x.person.name, amount, "失败", "账户已销户"))
        elif i == 1:
            rows.append(
                (
                    x.pk,
                    x.person.id_number,
                    x.person.name,
                    fen_to_yuan(x.amount_fen - 5000),
                    "成功",
                    "",
                )
            )
        elif i == 2 and len(lines) > 3:
            continue  # not in the return file
        else:
            rows.append((x.pk, x.person.id_number, x.person.name, amount, "成功", ""))
    if stranger is not None:
        rows.append((9_999_999, stranger.id_number, stranger.name, "500.00", "成功", "不在本批次"))
    reconcile.import_return(
        user=agency, batch_id=batch.pk, data=_return_file(rows), filename=f"求职补贴{year}回盘.csv"
    )
    return batch


def _lines_by_town(code: str, county: User, period: str) -> Counter:
    """How many entitlement lines of the kind each township has in the period (county-wide)."""
    try:
        kind = get_kind(code)
    except KindError:
        return Counter()
    lines = kind.lines(user=county, period=period, area_code=county.area.code)
    return Counter(line.village_code[:9] for line in lines)


def _busiest_year(code: str, county: User, today: dt.date) -> int | None:
    """The year of the last ten with most lines of the kind (the latest on a tie), None if none."""
    best, most = None, 0
    for year in range(today.year, today.year - 10, -1):
        n = sum(_lines_by_town(code, county, str(year)).values())
        if n > most:
            best, most = year, n
    return best


def _medical_2018(agency: User, county: User, admin: User) -> Batch | None:
    try:
        batch = services.prepare(
            user=agency,
            kind="medical_premium",
            period="2018",
            area_code=county.area.code,
            note="演示：2018年度医疗保险代缴，已缴费并对账",
        )
    except services.PaymentError:
        return None
    services.review(user=county, batch_id=batch.pk)
    services.approve(user=admin, batch_id=batch.pk)
    agency_xlsx_response(user=agency, request=None, batch_id=batch.pk).file_to_stream.close()
    services.mark_paid(
        user=agency, batch_id=batch.pk, reference="FLYB2018DJ001", paid_on=timezone.localdate()
    )
    rows = [
        (x.pk, x.person.id_number, x.person.name, fen_to_yuan(x.amount_fen), "已代缴", "")
        for x in _lines(batch)
    ]
    reconcile.import_return(
        user=agency,
        batch_id=batch.pk,
        data=_return_file(rows),
        filename="2018年度医疗保险代缴回盘.csv",
    )
    return batch


def build() -> str:
    today = timezone.localdate()
    county, agency, admin = (User.objects.get(username=n) for n in ("county", "insurance", "admin"))
    made = []
    medical = _medical_2018(agency, county, admin)
    if medical is not None:
        made.append(
            f"2018年度医疗保险代缴批次 {medical.pk}（{medical.line_count} 人，"
            f"{fen_to_yuan(medical.total_fen)} 元，已对账）"
        )
    last_month = add_months(today.replace(day=1), -1)
    by_town = _lines_by_town("welfare_post", county, f"{last_month:%Y-%m}")
    if by_town:
        town = min(by_town, key=lambda t: (-by_town[t], t))  # most lines, then the lowest code
        town_user = User.objects.get(username=f"town-{town}")
        b = _reconciled_welfare_batch(town_user, agency, county, last_month)
        made.append(f"公益性岗位补贴批次 {b.pk}（{b.line_count} 人次，已对账）")
    year = _busiest_year("job_seeking", county, today)
    if year:
        b = _batch_with_differences(agency, county, admin, year)
        made.append(
            f"求职补贴批次 {b.pk}（{b.line_count} 人次，差异 {b.differences.count()} 条待处理）"
        )
    last_quarter = add_months(quarter_start(today), -3)
    period = f"{last_quarter.year}-Q{quarter_of(last_quarter)}"
    try:
        b = services.prepare(
            user=agency,
            kind="interest_subsidy",
            period=period,
            area_code=county.area.code,
            note="演示：待复核",
        )
        made.append(f"贷款贴息批次 {b.pk}（{b.line_count} 人次，待复核）")
    except services.PaymentError:
        pass
    return "资金发放：" + ("；".join(made) if made else "无可发放的补贴")
