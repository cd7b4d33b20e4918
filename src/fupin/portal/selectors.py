"""What a resident sees (居民查询, read-only). The resident's scope is their household: every read here is
filtered by the ids of the household's members, taken from the session (request.resident_household),
never from the URL. Staff selectors of the other modules take a staff `user` and its area scope; these
read the same tables for one household, without changing anything of those modules."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import models

from fupin.appraisal.models import Application, Certificate
from fupin.appraisal.rules import rules as appraisal_rules
from fupin.employment.models import Recommendation, Referral, WelfareSubsidy
from fupin.insurance.claims.models import ClaimSplit, MedicalClaim
from fupin.insurance.claims.selectors import PARTS as SPLIT_PARTS
from fupin.insurance.claims.selectors import with_split
from fupin.insurance.claims.trails import shown_trails
from fupin.insurance.models import MedicalEnrolment, PensionRecord, SubsidyEntry
from fupin.payments.models import BatchLine
from fupin.payments.providers import kind_name, period_label
from fupin.policy.params import CATEGORY_NAMES, fen_to_yuan
from fupin.policy.rules import ILLUSTRATIVE_MARK
from fupin.registry.models import Person
from fupin.startup.models import Loan, StartupSubsidy
from fupin.training.models import Enrolment, JobSeekingSubsidy, TechnicalStudentAid

from .models import ResidentRequest

LIMIT = 50  # rows of one kind shown on a phone; older ones are at the village station


def member_ids(members: list[Person]) -> list[int]:
    return [p.pk for p in members]


def by_person(rows: Iterable[models.Model], attr: str = "person_id") -> dict[int, list]:
    out: dict[int, list] = {}
    for r in rows:
        out.setdefault(getattr(r, attr), []).append(r)
    return out


def overview(members: list[Person]) -> dict:
    """我的信息: members, pension and medical status, premiums paid by government, help plan,
    chronic-disease certificates and designated hospitals. `members`: request.resident_members."""
    people = members
    ids = [p.pk for p in people]
    from fupin.assistance.models import PlannedMeasure

    pension = {r.person_id: r for r in PensionRecord.objects.filter(person_id__in=ids)}
    medical = by_person(MedicalEnrolment.objects.filter(person_id__in=ids).order_by("-year"))
    for p in people:
        p.pension_record = pension.get(p.pk)
        p.medical_latest = (medical.get(p.pk) or [None])[0]
    return {
        "members": people,
        "premiums": list(
            SubsidyEntry.objects.filter(person_id__in=ids, outcome="entitled")
            .select_related("person")
            .order_by("-year", "insurance")[:LIMIT]
        ),
        "measures": list(
            PlannedMeasure.objects.filter(person_id__in=ids)
            .select_related("person")
            .order_by("due_on", "id")[:LIMIT]
        ),
        "certificates": list(
            Certificate.objects.filter(person_id__in=ids)
            .select_related("person", "hospital")
            .order_by("-issued_on")[:LIMIT]
        ),
        "applications": (
            Application.objects.filter(person_id__in=ids)
            .select_related("person")
            .order_by("-id")[:10]
        ),  # lazy: read only when there is no certificate to show
    }


def jobs(members: list[Person]) -> dict:
    """就业与培训: current job recommendations, referrals, training and certificates."""
    ids = member_ids(members)
    return {
        "recommendations": list(
            Recommendation.objects.filter(person_id__in=ids, current=True)
            .select_related("person", "posting", "posting__employer")
            .order_by("person_id", "rank")[:LIMIT]
        ),
        "referrals": list(
            Referral.objects.filter(person_id__in=ids)
            .select_related("person", "posting", "posting__employer")
            .order_by("-referred_on", "-id")[:LIMIT]
        ),
        "enrolments": list(
            Enrolment.objects.filter(person_id__in=ids)
            .select_related("person", "course")
            .order_by("-enrolled_on", "-id")[:LIMIT]
        ),
    }


def money(members: list[Person]) -> dict:
    """补贴与贷款: every payment line (what was paid or is being paid, and by which rule), loans,
    subsidies granted."""
    ids = member_ids(members)
    lines = list(
        BatchLine.objects.filter(person_id__in=ids, live=True)
        .select_related("person", "batch")
        .order_by("-id")[:LIMIT]
    )
    for line in lines:
        line.kind_label = kind_name(line.kind)
        line.period_label = period_label(line.period)
        line.yuan = fen_to_yuan(line.amount_fen)
    return {
        "lines": lines,
        "loans": list(
            Loan.objects.filter(person_id__in=ids).select_related("person").order_by("-start_on")
        ),
        "startup": list(StartupSubsidy.objects.filter(person_id__in=ids).select_related("person")),
        "job_seeking": list(
            JobSeekingSubsidy.objects.filter(person_id__in=ids).select_related("person")
        ),
        "technical": list(
            TechnicalStudentAid.objects.filter(person_id__in=ids).select_related("person")
        ),
        "welfare": list(
            WelfareSubsidy.objects.filter(person_id__in=ids)
            .select_related("person")
            .order_by("-month")[:24]
        ),
    }


def claims(members: list[Person]) -> list[MedicalClaim]:
    ids = member_ids(members)
    return list(
        with_split(MedicalClaim.objects.filter(person_id__in=ids))
        .select_related("person")
        .order_by("-admission_date", "-id")[:LIMIT]
    )


PART_WORDS = [
    ("basic_fen", "基本医疗保险报销"),
    ("critical_fen", "大病保险报销"),
    ("assistance_fen", "医疗救助"),
    ("fallback_fen", "兜底保障（政府再补）"),
]


def split_of(claim: MedicalClaim) -> dict[str, int]:
    """The claim's official split (`ClaimSplit`, the one source): from the `with_split` annotation
    when the claim was read through it, else read here; all 0 for a claim not settled yet."""
    if hasattr(claim, "split_self_fen"):
        return {p: getattr(claim, f"split_{p}") for p in SPLIT_PARTS}
    row = ClaimSplit.objects.filter(pk=claim.pk).values(*SPLIT_PARTS).first()
    return row or dict.fromkeys(SPLIT_PARTS, 0)


# One illustrative citation in a step's sources: the mark, the assumption, its period 【…】.
ILLUSTRATIVE_PART = re.compile(re.escape(ILLUSTRATIVE_MARK) + r".*?(?:【[^】]*】|$)")
NOT_POLICY = "本步骤用到的部分数额不是政策文件的规定，仅为测算示意；以医保经办机构的结算为准。"


def resident_source(source: str) -> str:
    """A step's sources as a resident may read them: the documents cited by title and number; a
    value no document gives (示意值, marked for staff) is not shown as policy, only said to be none."""
    if ILLUSTRATIVE_MARK not in source:
        return source
    cited = "；".join(p for p in ILLUSTRATIVE_PART.sub("", source).split("；") if p.strip())
    return f"{cited}。{NOT_POLICY}" if cited else NOT_POLICY


def explain(claim: MedicalClaim) -> dict:
    """A stored claim in plain words: what it cost, who paid which part, and why (each step) —
    from its official settlement (`ClaimSplit`: the identity and the split settled together),
    read here when the claim was read without it."""
    if not hasattr(claim, "split_self_fen"):
        claim = MedicalClaim.objects.with_split().get(pk=claim.pk)
    yuan = fen_to_yuan
    split = split_of(claim)
    paid = [(words, yuan(split[f])) for f, words in PART_WORDS if split[f]]
    covered = sum(split[f] for f, _ in PART_WORDS)
    sentences = [
        f"这次{claim.get_visit_type_display()}（{claim.admission_date:%Y年%m月%d日}，"
        f"{claim.hospital or '医院'}，{claim.hospital_level}级医院）总共花费 {yuan(claim.total_fen)} 元，"
        f"其中能按政策报销的费用（政策范围内）是 {yuan(claim.in_policy_fen)} 元。",
    ]
    if claim.total_fen > claim.in_policy_fen:
        sentences.append(
            f"另外 {yuan(claim.total_fen - claim.in_policy_fen)} 元是政策范围外的费用（如目录外的药品、"
            "项目），医保不报。"
        )
    if claim.category:
        sentences.append(
            f"看病那天您按“{CATEGORY_NAMES.get(claim.category, claim.category)}”享受待遇"
            + (f"（{claim.category_basis}）" if claim.category_basis else "")
            + "。"
        )
    if claim.chronic_class:
        sentences.append(
            f"您持有慢性病医疗证（{appraisal_rules().class_name(claim.chronic_class)}），"
            "按慢性病门诊政策报销。"
        )
    if paid:
        sentences.append(
            "各项报销合计 "
            + yuan(covered)
            + " 元："
            + "，".join(f"{w} {a} 元" for w, a in paid)
            + "。"
        )
    sentences.append(f"最后您自己付 {yuan(split['self_fen'])} 元。")
    steps = [
        {
            "layer": s.get("layer", ""),
            "detail": s.get("detail", ""),
            "amount": yuan(int(s.get("amount") or 0)),
            "source": resident_source(str(s.get("source") or "")),
        }
        for s in _trail_steps(claim)
        if isinstance(s, dict)
    ]
    return {
        "sentences": sentences,
        "steps": steps,
        "parts": [(w, yuan(split[f])) for f, w in PART_WORDS]
        + [("个人自付", yuan(split["self_fen"]))],
        "total": yuan(claim.total_fen),
    }


def _trail_steps(claim: MedicalClaim) -> list[dict]:
    """The claim's trail (计算过程): stored, or computed now and checked against the official
    split; none when they disagree (the sentences above still explain the split)."""
    shown = shown_trails([claim]).get(claim.pk)
    return shown.steps if shown is not None and not shown.warning else []


def requests_of(members: list[Person]) -> list[ResidentRequest]:
    ids = member_ids(members)
    return list(
        ResidentRequest.objects.filter(person_id__in=ids)
        .select_related("person")
        .order_by("-created_at", "-id")[:LIMIT]
    )
