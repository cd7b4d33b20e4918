"""工伤先行支付 through 资金发放 (fupin.payments): one line per recognised case whose first
payment was granted in the batch's month, for workers who are registry persons."""

from __future__ import annotations

from collections.abc import Iterator

from fupin.access.models import User
from fupin.access.scope import scoped
from fupin.areas.models import village_code_range
from fupin.payments.providers import EntitlementLine, Kind, period_months

from .models import Decision, InjuryCase
from .rules import rules


def first_payment_lines(*, user: User, period: str, area_code: str) -> Iterator[EntitlementLine]:
    year, month, _ = period_months(period)
    qs = scoped(
        InjuryCase.objects.filter(
            decision=Decision.RECOGNISED,
            first_payment_fen__isnull=False,
            person__isnull=False,
            first_payment_on__year=year,
            first_payment_on__month=month,
            village_code__range=village_code_range(area_code),
        ),
        user,
    ).order_by("village_code", "id")
    for case in qs.iterator(chunk_size=2000):
        yield EntitlementLine(
            kind=WORK_INJURY_FIRST_PAYMENT.code,
            person_id=case.person_id,
            period=period,
            amount_fen=case.first_payment_fen,
            rule=f"{case.pack_id} work_injury.first_payment_cap",
            source=rules(case.pack_id).first_payment_poor_priority.source.text(),
            village_code=case.village_code,
            item=f"case-{case.pk}",
            note=f"{case.employer_name} {case.accident_on:%Y-%m-%d} 工伤先行支付",
        )


WORK_INJURY_FIRST_PAYMENT = Kind(
    code="work_injury_first_payment",
    name="工伤保险待遇先行支付",
    unit="month",
    provider=first_payment_lines,
    description="认定为工伤、用人单位未支付的，由工伤保险基金先行支付（003）",
)
