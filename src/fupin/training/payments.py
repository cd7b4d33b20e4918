"""What the training module has paid through 资金发放 (fupin.payments): the one-time job-seeking
subsidy on a certificate (取证求职补贴, once in a lifetime, in the batch of the year it was granted)
and the living allowance of technical-school students (技工院校生活费补助, per school year)."""

from __future__ import annotations

from collections.abc import Iterator

from fupin.access.models import User
from fupin.access.scope import scoped
from fupin.areas.models import village_code_range
from fupin.payments.providers import ONCE, EntitlementLine, Kind
from fupin.policy.employment import rules

from .models import JobSeekingSubsidy, TechnicalStudentAid


def job_seeking_lines(*, user: User, period: str, area_code: str) -> Iterator[EntitlementLine]:
    qs = (
        scoped(
            JobSeekingSubsidy.objects.filter(
                granted_on__year=int(period), village_code__range=village_code_range(area_code)
            ),
            user,
        )
        .select_related("enrolment__course")
        .order_by("village_code", "person_id")
    )
    for s in qs.iterator(chunk_size=5000):
        yield EntitlementLine(
            kind=JOB_SEEKING.code,
            person_id=s.person_id,
            period=ONCE,
            amount_fen=s.amount_fen,
            rule=f"{s.pack_id} employment.job_seeking_subsidy_on_certificate",
            source=rules(s.pack_id).job_seeking_subsidy_on_certificate.source.text(),
            village_code=s.village_code,
            note=f"{s.enrolment.course.title}取证，{s.granted_on:%Y-%m-%d} 核定",
        )


def technical_aid_lines(*, user: User, period: str, area_code: str) -> Iterator[EntitlementLine]:
    qs = scoped(
        TechnicalStudentAid.objects.filter(
            school_year=int(period),
            living_allowance_fen__gt=0,
            village_code__range=village_code_range(area_code),
        ),
        user,
    ).order_by("village_code", "person_id")
    for a in qs.iterator(chunk_size=5000):
        yield EntitlementLine(
            kind=TECHNICAL_AID.code,
            person_id=a.person_id,
            period=period,
            amount_fen=a.living_allowance_fen,
            rule=f"{a.pack_id} employment.technical_student_living_allowance_yearly",
            source=rules(a.pack_id).technical_student_living_allowance_yearly.source.text(),
            village_code=a.village_code,
            note=f"{a.school} {a.major}".strip(),
        )


JOB_SEEKING = Kind(
    code="job_seeking",
    name="取证一次性求职补贴",
    unit="year",
    provider=job_seeking_lines,
    description="按核定年度编制；每人一次（期间记为“一次性”）",
)
TECHNICAL_AID = Kind(
    code="technical_aid",
    name="技工院校贫困家庭学生生活费补助",
    unit="year",
    provider=technical_aid_lines,
    description="按学年（起始年）编制",
)
