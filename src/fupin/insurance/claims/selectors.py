"""Reads of stored claims (医疗费用结算单). Pages, API routes and exports read through the scoped functions here.

`self_pay_flags` (and the scoped `high_self_pay`) is for other modules too — return-to-poverty
monitoring reads who passed the pack's self-pay line (docs/CONVENTIONS.md, "High medical
self-pay of a person in a year").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Substr

from fupin.access.models import User
from fupin.access.scope import get_scoped, scoped
from fupin.policy import load_pack
from fupin.policy.params import BP
from fupin.policy.regions import load_region
from fupin.policy.schema import Pack
from fupin.registry.models import Household, Person

from .models import (
    ClaimImport,
    ClaimSplit,
    IdentityImport,
    MedicalClaim,
    OfficialChange,
    OfficialResettlement,
    ResettledClaim,
    Resettlement,
    TrailFill,
)

CHUNK = 5000
PARTS = ("basic_fen", "critical_fen", "assistance_fen", "fallback_fen", "self_fen")


def with_split(qs: QuerySet) -> QuerySet:
    """The claims with their official settlement (`ClaimSplit`): the identity it was settled with
    under the same names (`category`, `chronic_class`, `policy`, `period`, `category_basis`,
    `settled_at`) and the parts as `split_basic_fen` … `split_self_fen` ("" / None / 0 for a claim
    not settled yet) — `MedicalClaim.objects.with_split()`."""
    return qs.with_split()


def claims(user: User) -> QuerySet:
    return with_split(scoped(MedicalClaim.objects.all(), user))


@dataclass(frozen=True)
class CostControl:
    """单病种控费 of the county pack in force in a year: the stays of these diseases, for these
    categories, are flagged and counted for the report (amounts unchanged) — the same rule as the
    engine's `single_disease_cost_control`, read as a filter over stored claims."""

    name: str
    categories: tuple[str, ...]
    diseases: dict[str, str]  # disease-code prefix (upper case) → disease name

    def q(self) -> Q:
        codes = Q()
        for prefix in self.diseases:
            codes |= Q(disease_code__istartswith=prefix)
        stays = ~Q(visit_type="chronic_outpatient")
        return Q(category__in=self.categories) & stays & codes

    def disease_of(self, claim: MedicalClaim) -> str:
        """The controlled disease a stored claim is flagged for, or ""."""
        code = (claim.disease_code or "").upper()
        if claim.category not in self.categories or claim.visit_type == "chronic_outpatient":
            return ""
        return next((n for p, n in self.diseases.items() if code.startswith(p)), "")


def cost_control_for(year: int) -> CostControl | None:
    """The county's 单病种控费 list for `year` (the pack in force on 31 December), or None."""
    pack = pack_for_year(year)
    cc = pack.medical.cost_control if pack is not None and pack.medical is not None else None
    if cc is None:
        return None
    return CostControl(
        name=cc.name,
        categories=tuple(cc.categories.value),
        diseases={k.upper(): v for k, v in cc.diseases.value.items()},
    )


def claim_list(
    user: User,
    *,
    year: int,
    town: str = "",
    category: str = "",
    visit_type: str = "",
    cost_control: bool = False,
) -> QuerySet:
    qs = claims(user).filter(year=year).select_related("person")
    if cost_control:
        control = cost_control_for(year)
        qs = qs.filter(control.q()) if control is not None else qs.none()
    if town:
        qs = qs.filter(village_code__startswith=town)
    if category:
        qs = qs.filter(category=category)
    if visit_type:
        qs = qs.filter(visit_type=visit_type)
    return qs.order_by("village_code", "person_id", "admission_date", "claim_no")


def township_totals(qs: QuerySet, control: CostControl | None = None) -> list[dict]:
    """Per township: claims, persons, and the sums of costs and of each part (fen); with `control`,
    also how many claims are 单病种控费 stays (`controlled`)."""
    counted = {"controlled": Count("id", filter=control.q())} if control is not None else {}
    rows = (
        qs.order_by()
        .annotate(town=Substr("village_code", 1, 9))
        .values("town")
        .annotate(
            n=Count("id"),
            persons=Count("person_id", distinct=True),
            total=Sum("total_fen"),
            in_policy=Sum("in_policy_fen"),
            **{p: Sum(f"split__{p}") for p in PARTS},
            **counted,
        )
        .order_by("town")
    )
    return list(rows)


def person_claims(user: User, person: Person, year: int | None = None) -> QuerySet:
    qs = claims(user).filter(person=person)
    return qs.filter(year=year) if year else qs


def imports(user: User) -> QuerySet:
    return scoped(ClaimImport.objects.all(), user)


def claim_import(user: User, pk: int) -> ClaimImport:
    return get_scoped(ClaimImport.objects.all(), user, pk=pk)


def identity_imports(user: User) -> QuerySet:
    return scoped(IdentityImport.objects.all(), user)


def identity_import(user: User, pk: int) -> IdentityImport:
    return get_scoped(IdentityImport.objects.all(), user, pk=pk)


def import_faults(user: User, job: ClaimImport) -> QuerySet:
    """Every faulty staged row of an upload (row order), read inside the user's area."""
    job = claim_import(user, job.pk)
    return job.rows.exclude(errors=[]).order_by("row_no")


def official_runs(user: User) -> QuerySet:
    return scoped(OfficialResettlement.objects.all(), user)


def official_run(user: User, pk: int) -> OfficialResettlement:
    return get_scoped(OfficialResettlement.objects.all(), user, pk=pk)


def trail_fill(user: User, pk: int) -> TrailFill:
    return get_scoped(TrailFill.objects.all(), user, pk=pk)


def latest_trail_fill(user: User, **owner: object) -> TrailFill | None:
    """The newest 计算过程补写 of a run or an import (`official_run=` / `claim_import=`) in the
    user's area, or None."""
    return scoped(TrailFill.objects.filter(**owner), user).order_by("-id").first()


def official_changes(user: User, run: OfficialResettlement) -> QuerySet:
    """The claims a re-settle changed, with claim and person, inside the user's area."""
    qs = scoped(OfficialChange.objects.filter(run=run), user)
    return qs.select_related("claim", "claim__person").order_by(
        "village_code", "claim__person_id", "claim__admission_date", "claim_id"
    )


def official_change_totals(qs: QuerySet) -> dict:
    """Sums (fen) of each part before and after over the changed claims."""
    sums = qs.order_by().aggregate(n=Count("pk"), **{f"old_{p}": Sum(f"old_{p}") for p in PARTS},
                                   **{p: Sum(p) for p in PARTS})  # fmt: skip
    return {k: (v or 0) for k, v in sums.items()}


def resettlements(user: User) -> QuerySet:
    return scoped(Resettlement.objects.all(), user)


def resettlement(user: User, pk: int) -> Resettlement:
    return get_scoped(Resettlement.objects.all(), user, pk=pk)


def comparison(user: User, run: Resettlement, town: str = "") -> list[dict]:
    """Per township: the official split beside the re-settled one (fen), for the run's claims."""
    qs = scoped(ResettledClaim.objects.filter(run=run), user)
    if town:
        qs = qs.filter(village_code__startswith=town)
    rows = (qs.order_by().annotate(town=Substr("village_code", 1, 9)).values("town")
            .annotate(n=Count("id"), total=Sum("claim__total_fen"),
                      **{f"official_{p}": Sum(f"claim__split__{p}") for p in PARTS}, **{p: Sum(p) for p in PARTS})
            .order_by("town"))  # fmt: skip
    return list(rows)


# -- high medical self-pay (因病致贫返贫风险) ---------------------------------------------------------
@dataclass(frozen=True)
class SelfPayFlag:
    """A person's medical self-pay in a year against the line set by the pack."""

    person_id: int
    year: int
    self_pay_fen: int  # the year's stored self-pay (个人自付) over all the person's claims
    income_fen: int  # the household's yearly income the line is a share of
    share_bp: int  # the pack's catastrophic_share, basis points
    income_basis: str  # where the income comes from (Chinese)
    source: str  # the share's source sentence, or "假设：…"

    @property
    def line_fen(self) -> int:
        """The line in fen, rounded down (the comparison itself is exact)."""
        return self.income_fen * self.share_bp // BP

    @property
    def flagged(self) -> bool:
        """Self-pay strictly above share × income, compared exactly in integers."""
        return self.self_pay_fen * BP > self.income_fen * self.share_bp


def pack_for_year(year: int) -> Pack | None:
    """The county's pack in force on 31 December of `year` (its dated catastrophic_share), or None."""
    county = load_pack(settings.COUNTY_POLICY_PACK)
    region = load_region(county.region_id or county.id)
    span = region.span_at(date(year, 12, 31))
    return None if span is None else region.spans[span].pack


def self_pay_flags(person_ids: Iterable[int], year: int) -> dict[int, SelfPayFlag]:
    """{person_id: SelfPayFlag} for the given persons with stored claims in `year` (flagged or not;
    `.flagged` says which). Household income: per-capita income × members as the registry records
    it; where none is recorded, the pack's income_per_capita (marked so in `income_basis`).
    Empty when no pack is in force that year. Not area-scoped: pass persons read through scoped()."""
    pack = pack_for_year(year)
    if pack is None:
        return {}
    share = pack.catastrophic_share
    ids = person_ids if isinstance(person_ids, QuerySet) else list(person_ids)
    sums = dict(ClaimSplit.objects.filter(person_id__in=ids, year=year).order_by().values("person_id")
                .annotate(s=Sum("self_fen")).values_list("person_id", "s"))  # fmt: skip
    keys = sorted(sums)
    households: dict[int, int] = {}
    for i in range(0, len(keys), CHUNK):
        households.update(
            Person.objects.filter(pk__in=keys[i : i + CHUNK]).values_list("id", "household_id")
        )
    wanted = sorted(set(households.values()))
    hh: dict[int, Household] = {}
    for i in range(0, len(wanted), CHUNK):
        hh.update((h.pk, h) for h in Household.objects.filter(pk__in=wanted[i : i + CHUNK]))
    out: dict[int, SelfPayFlag] = {}
    for pid, total in sums.items():
        h = hh[households[pid]]
        members = max(h.member_count, 1)
        if h.income_year and h.per_capita_income_fen:
            income = h.per_capita_income_fen * members
            basis = f"家庭人均纯收入 {h.per_capita_income_fen / 100:.2f} 元 × {members} 人（{h.income_year} 年度登记）"
        else:
            income = pack.income_per_capita.value * members
            basis = f"家庭收入未登记，按政策包人均可支配收入 {income // members / 100:.2f} 元 × {members} 人（示意值）"
        out[pid] = SelfPayFlag(
            pid, year, int(total or 0), income, share.value, basis, pack.cite(share.source)
        )
    return out


def high_self_pay(user: User, year: int) -> list[SelfPayFlag]:
    """The flagged persons of `year` inside the user's area."""
    ids = claims(user).filter(year=year).values_list("person_id", flat=True).distinct()
    return [f for f in self_pay_flags(ids, year).values() if f.flagged]
