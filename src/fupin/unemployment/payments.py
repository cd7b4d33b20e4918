"""价格临时补贴 through 资金发放 (fupin.payments): one line per person and month, as the month's
run computed it."""

from __future__ import annotations

from collections.abc import Iterator

from fupin.access.models import User
from fupin.access.scope import scoped
from fupin.areas.models import village_code_range
from fupin.payments.providers import EntitlementLine, Kind

from .models import PriceSubsidy
from .rules import rules


def price_subsidy_lines(*, user: User, period: str, area_code: str) -> Iterator[EntitlementLine]:
    qs = scoped(
        PriceSubsidy.objects.filter(
            month=period, village_code__range=village_code_range(area_code)
        ),
        user,
    ).order_by("village_code", "person_id")
    for s in qs.iterator(chunk_size=5000):
        pack_id = s.rule.split(" ", 1)[0]
        yield EntitlementLine(
            kind=PRICE_SUBSIDY.code,
            person_id=s.person_id,
            period=period,
            amount_fen=s.amount_fen,
            rule=s.rule,
            source=rules(pack_id).price_subsidy_monthly.source.text(),
            village_code=s.village_code,
            note=f"{period} 全省价格指数 {s.index_hundredths // 100}.{s.index_hundredths % 100:02d}",
        )


PRICE_SUBSIDY = Kind(
    code="unemployment_price_subsidy",
    name="失业保险金领取人员价格临时补贴",
    unit="month",
    provider=price_subsidy_lines,
    description="全省价格涨幅达到启动条件的月份，领取失业保险金人员按月发放（003）",
)
