"""What the employment module has paid through 资金发放 (fupin.payments): public-welfare post
subsidies (公益性岗位补贴, one line per placement and month, as granted) and workshop awards
(就业扶贫车间奖补, one line per workshop and absorbed worker and year, paid to the workshop)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from fupin.access.models import User
from fupin.access.scope import scoped
from fupin.areas.models import village_code_range
from fupin.payments.providers import EntitlementLine, Kind, period_months
from fupin.policy.employment import rules

from . import selectors
from .models import WelfareSubsidy


def welfare_post_lines(*, user: User, period: str, area_code: str) -> Iterator[EntitlementLine]:
    """Every 公益性岗位补贴 granted for the month (`grant_welfare_subsidies`), amounts as stored."""
    year, month, _ = period_months(period)
    qs = (
        scoped(
            WelfareSubsidy.objects.filter(
                month=dt.date(year, month, 1), village_code__range=village_code_range(area_code)
            ),
            user,
        )
        .select_related("referral__posting__employer")
        .order_by("village_code", "person_id", "id")
    )
    sources: dict[str, str] = {}
    for s in qs.iterator(chunk_size=5000):
        if s.pack_id not in sources:
            sources[s.pack_id] = rules(s.pack_id).welfare_post_monthly_subsidy.source.text()
        yield EntitlementLine(
            kind=WELFARE_POST.code,
            person_id=s.person_id,
            period=period,
            amount_fen=s.amount_fen,
            rule=f"{s.pack_id} employment.welfare_post_monthly_subsidy",
            source=sources[s.pack_id],
            village_code=s.village_code,
            item=f"referral-{s.referral_id}",
            note=f"{s.referral.posting.employer.name}·{s.referral.posting.title}",
        )


def workshop_award_lines(*, user: User, period: str, area_code: str) -> Iterator[EntitlementLine]:
    """就业扶贫车间奖补 of the year as the employment module counts them, each to its workshop."""
    rows, info = selectors.workshop_awards(user, int(period))
    low, high = village_code_range(area_code)
    param = info["param"]
    for row in rows:
        if not row.amount_fen or not low <= row.person.village_code <= high:
            continue
        yield EntitlementLine(
            kind=WORKSHOP_AWARD.code,
            person_id=row.person.pk,
            period=period,
            amount_fen=row.amount_fen,
            rule=f"{info['pack_id']} employment.workshop_award_per_worker_year",
            source=param.source.text(),
            village_code=row.person.village_code,
            item=f"employer-{row.employer.pk}",
            payee_name=row.employer.name,
            payee_code=row.employer.credit_code,
            note=f"吸纳 {row.person.name}（{row.hired_on:%Y-%m-%d} 上岗）",
        )


WELFARE_POST = Kind(
    code="welfare_post", name="公益性岗位补贴", unit="month", provider=welfare_post_lines
)
WORKSHOP_AWARD = Kind(
    code="workshop_award",
    name="就业扶贫车间奖补",
    unit="year",
    provider=workshop_award_lines,
    payee="organisation",
    description="按吸纳的建档立卡贫困劳动力人数发给扶贫车间",
)
