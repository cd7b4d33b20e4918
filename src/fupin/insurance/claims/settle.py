"""The official settlement of stored claims (正式结算): each person-year settled whole, so the
year-to-date deductibles, thresholds and caps run over every stored claim of the year.

Each claim meets the county region's values of its admission date (`fupin.policy` by date), the
person's category on that day (`fupin.insurance.categories`) and the chronic class of the
person's 慢性病医疗证 on that day (`fupin.appraisal.selectors.chronic_classes_for`). The split
comes from the column path (`settle_frame`) and goes to the official table (`ClaimSplit`,
replacing those claims' rows) — the only copy; the claim keeps policy, period and identity. The
trail (`ClaimTrail`) is written afterwards in the background from the scalar path, checked against
the split to the fen (`trails`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

import polars as pl
from django.conf import settings
from django.db import connection
from django.db.models import Choices
from django.utils import timezone

from fupin.appraisal.models import CertificateChange, ChangeKind
from fupin.appraisal.selectors import chronic_classes_for
from fupin.insurance.categories import ENJOYING, CategoryOnDay, timelines
from fupin.policy import Claim, ClaimsError, load_pack, load_policy, settle_frame
from fupin.policy.claims import Fault, to_frame
from fupin.policy.precedence import DEFAULT_PRECEDENCE, category_precedence
from fupin.policy.regions import Policy
from fupin.registry.choices import SpecialIdentity, Status
from fupin.registry.models import IdentityPeriod, Person, StatusChange

from .models import ClaimSplit, ClaimTrail, MedicalClaim, VisitType

PARTS = {"basic_pay": "basic_fen", "critical_pay": "critical_fen", "assistance_pay": "assistance_fen",
         "fallback_pay": "fallback_fen", "self_pay": "self_fen"}  # fmt: skip
CHUNK = 2000


def county_region() -> str:
    """The region (policy line by date) of the county's pack: what official settlements use."""
    pack = load_pack(settings.COUNTY_POLICY_PACK)
    return pack.region_id or pack.id


def county_policy() -> Policy:
    return load_policy(county_region())


def identity_of(
    person_ids: Iterable[int], days: Iterable[tuple[int, date, str]]
) -> tuple[dict[tuple[int, date], CategoryOnDay], dict[tuple[int, date], str]]:
    """({(person, day): CategoryOnDay}, {(person, day): chronic class}) for the claims given as
    (person_id, admission_date, visit_type) — three queries for the categories, one for classes."""
    days = list(days)
    precedence = category_precedence(county_policy())
    lines = timelines(Person.objects.filter(pk__in=set(person_ids)), precedence)
    categories = {(pid, day): lines[pid].on(day) for pid, day, _ in days}
    classes = chronic_classes_for(
        [(pid, day) for pid, day, visit in days if visit == VisitType.CHRONIC]
    )
    return categories, classes


# -- set-based identity: the same rules as `identity_of` (fupin.insurance.categories), as joins --
# SQLite: more persons than this, and the tables are read whole and filtered here.
ID_LIST_LIMIT = 2_000
KEYS = {"person_id": pl.Int64, "admission_date": pl.Date}


def _read(sql: str, params: list, column: str, ids: list[int], schema: dict) -> pl.DataFrame:
    """One SELECT (`sql` ends in a WHERE clause) restricted to the persons or households `ids` by
    `column`, the first column of `schema`: an array parameter on PostgreSQL, an IN list on SQLite
    up to ID_LIST_LIMIT, else the whole table read and filtered in the frame."""
    from fupin.sqlframe import read_sql

    if connection.vendor == "postgresql":
        return read_sql(f"{sql} AND {column} = ANY(%s)", [*params, ids], schema)
    if len(ids) <= ID_LIST_LIMIT:
        marks = ", ".join(["%s"] * len(ids)) or "NULL"
        return read_sql(f"{sql} AND {column} IN ({marks})", [*params, *ids], schema)
    first = next(iter(schema))
    frame = read_sql(sql, params, schema)
    return frame.filter(pl.col(first).is_in(pl.Series(ids, dtype=pl.Int64).implode()))


def _labels(choices: type[Choices]) -> dict[str, str]:
    return {str(value): str(label) for value, label in choices.choices}


def identify_frame(keys: pl.DataFrame) -> pl.DataFrame:
    """Each distinct (person_id, admission_date) of `keys` with `category`, `category_basis` and
    `chronic_class` ("" when no valid 慢性病医疗证 that day) as the registry and the certificates
    now stand — `identity_of`'s rules set-based: four queries (persons, 低保/特困 periods, status
    changes, certificate changes), then joins, whatever the number of claims.

    In the county policy's order of categories (`fupin.policy.precedence`), the first held:
    特困 or 低保: a period of the identity covering the day (the first by start, id), or, when
    the person has no period of it, the current registration; else 建档立卡 if the poverty status of
    the day (the person's own status history, or the household's when the person has none; the
    last change on or before the day; before the first change the status it changed from; no
    history: the current status) carries the policies; else 普通参保居民."""
    keys = keys.select(pl.col(k).cast(t) for k, t in KEYS.items()).unique()
    ids = keys["person_id"].unique().sort().to_list()
    person_t, period_t = Person._meta.db_table, IdentityPeriod._meta.db_table
    change_t, cert_t = StatusChange._meta.db_table, CertificateChange._meta.db_table
    persons = _read(
        f"SELECT id, household_id, status, CAST(dibao AS integer), CAST(tekun AS integer) FROM {person_t}"
        " WHERE 1 = 1",
        [],
        "id",
        ids,
        {"person_id": pl.Int64, "household_id": pl.Int64, "status": pl.String, "dibao": pl.Int8,
         "tekun": pl.Int8},
    )  # fmt: skip
    periods = _read(
        f'SELECT person_id, identity, start, "end", id FROM {period_t} WHERE 1 = 1',
        [],
        "person_id",
        ids,
        {"person_id": pl.Int64, "identity": pl.String, "start": pl.Date, "end": pl.Date,
         "id": pl.Int64},
    )  # fmt: skip
    households = persons["household_id"].drop_nulls().unique().sort().to_list()
    changes = _read(
        f"SELECT household_id, person_id, old_status, new_status, effective_date, id FROM {change_t}"
        " WHERE 1 = 1",
        [],
        "household_id",
        households,
        {"household_id": pl.Int64, "person_id": pl.Int64, "old_status": pl.String,
         "new_status": pl.String, "effective_date": pl.Date, "id": pl.Int64},
    )  # fmt: skip
    certs = _read(
        f"SELECT person_id, effective_on, chronic_class, id FROM {cert_t} WHERE kind <> %s",
        [ChangeKind.HOSPITAL.value],
        "person_id",
        ids,
        {"person_id": pl.Int64, "effective_on": pl.Date, "chronic_class": pl.String,
         "id": pl.Int64},
    )  # fmt: skip
    precedence = category_precedence(county_policy())
    return _identify(keys, persons, periods, changes, certs, precedence)


def _identify(
    keys: pl.DataFrame,
    persons: pl.DataFrame,
    periods: pl.DataFrame,
    changes: pl.DataFrame,
    certs: pl.DataFrame,
    precedence: tuple[str, ...] = DEFAULT_PRECEDENCE,
) -> pl.DataFrame:
    status_label = _labels(Status)
    identity_label = _labels(SpecialIdentity)
    day = pl.col("admission_date")
    iso = lambda c: pl.col(c).dt.to_string("%Y-%m-%d")  # noqa: E731
    out = keys.join(persons, on="person_id", how="left")
    # 1–2: 特困, then 低保 — a period covering the day, else the current registration if no period.
    for identity in (SpecialIdentity.TEKUN, SpecialIdentity.DIBAO):
        own = periods.filter(pl.col("identity") == identity.value)
        label = identity_label[identity.value]
        hit = (
            keys.join(own, on="person_id")
            .filter((pl.col("start") <= day) & (pl.col("end").is_null() | (day <= pl.col("end"))))
            .sort("start", "id")
            .group_by("person_id", "admission_date", maintain_order=True)
            .first()
            .select(
                "person_id",
                "admission_date",
                pl.concat_str(
                    pl.lit(f"{label}：{label} "),
                    iso("start"),
                    pl.lit("–"),
                    pl.when(pl.col("end").is_null()).then(pl.lit("至今")).otherwise(iso("end")),
                ).alias(f"_{identity.value}"),
            )
        )
        out = out.join(hit, on=["person_id", "admission_date"], how="left").with_columns(
            pl.when(pl.col(f"_{identity.value}").is_not_null())
            .then(pl.col(f"_{identity.value}"))
            .when(
                ~pl.col("person_id").is_in(own["person_id"].unique().implode())
                & (pl.col(identity.value) == 1)
            )
            .then(pl.lit(f"{label}：无起止日期记录，按当前登记"))
            .alias(f"_{identity.value}")
        )
    # 3: the poverty status of the day — own history, else the household's.
    own_changes = changes.filter(pl.col("person_id").is_not_null()).join(
        persons.select("person_id"), on="person_id", how="semi"
    )
    with_own = own_changes["person_id"].unique().implode()
    by_household = (
        persons.filter(~pl.col("person_id").is_in(with_own))
        .select("person_id", "household_id")
        .join(changes.filter(pl.col("person_id").is_null()).drop("person_id"), on="household_id")
    )
    cols = ["person_id", "effective_date", "id", "old_status", "new_status"]
    history = pl.concat([own_changes.select(cols), by_household.select(cols)]).sort(
        "person_id", "effective_date", "id"
    )
    first = history.group_by("person_id", maintain_order=True).first().select(
        "person_id", pl.col("effective_date").alias("_first_day"),
        pl.col("old_status").alias("_first_old"),
    )  # fmt: skip
    last_of_day = history.unique(["person_id", "effective_date"], keep="last", maintain_order=True)
    out = (
        out.sort("admission_date")
        .join_asof(
            last_of_day.select("person_id", "effective_date", "new_status").sort("effective_date"),
            left_on="admission_date",
            right_on="effective_date",
            by="person_id",
            strategy="backward",
            check_sortedness=False,  # sorted by the date above; the check cannot see groups
        )
        .join(first, on="person_id", how="left")
    )
    label_of = lambda c: pl.col(c).replace_strict(status_label, default=pl.col(c))  # noqa: E731
    out = out.with_columns(
        pl.when(pl.col("_first_day").is_null())
        .then(pl.col("status"))
        .when(pl.col("effective_date").is_null())
        .then(pl.col("_first_old").fill_null(""))
        .otherwise(pl.col("new_status"))
        .alias("_status"),
        pl.when(pl.col("_first_day").is_null())
        .then(pl.concat_str(pl.lit("无状态变更记录，按当前状态“"), label_of("status"), pl.lit("”")))
        .when(pl.col("effective_date").is_null() & (pl.col("_first_old").fill_null("") == ""))
        .then(pl.concat_str(iso("_first_day"), pl.lit(" 建档之前未在册")))
        .when(pl.col("effective_date").is_null())
        .then(pl.concat_str(iso("_first_day"), pl.lit(" 变更前为“"), label_of("_first_old"), pl.lit("”")))
        .otherwise(pl.concat_str(iso("effective_date"), pl.lit(" 起为“"), label_of("new_status"), pl.lit("”")))
        .alias("_status_basis"),
    )  # fmt: skip
    enjoying = pl.col("_status").is_in(pl.Series(sorted(ENJOYING), dtype=pl.String).implode())
    held = {  # category → (held that day, basis)
        "poor": (enjoying, pl.concat_str(pl.lit("建档立卡："), pl.col("_status_basis"))),
        **{name: (pl.col(f"_{name}").is_not_null(), pl.col(f"_{name}")) for name in ("tekun", "dibao")},
    }  # fmt: skip
    first, *rest = precedence
    category = pl.when(held[first][0]).then(pl.lit(first))
    basis = pl.when(held[first][0]).then(held[first][1])
    for name in rest:
        category = category.when(held[name][0]).then(pl.lit(name))
        basis = basis.when(held[name][0]).then(held[name][1])
    category = category.otherwise(pl.lit("general"))
    basis = basis.otherwise(
        pl.concat_str(pl.lit("非建档立卡享受政策人员："), pl.col("_status_basis"))
    )
    out = out.select("person_id", "admission_date", category.alias("category"),
                     basis.alias("category_basis"))  # fmt: skip
    # The 慢性病医疗证 of the day: the last change on or before it (a revocation leaves "").
    cert_day = (
        certs.sort("person_id", "effective_on", "id")
        .unique(["person_id", "effective_on"], keep="last", maintain_order=True)
        .sort("effective_on")
    )
    out = (
        out.sort("admission_date")
        .join_asof(
            cert_day.select("person_id", "effective_on", "chronic_class"),
            left_on="admission_date",
            right_on="effective_on",
            by="person_id",
            strategy="backward",
            check_sortedness=False,  # sorted by the date above; the check cannot see groups
        )
        .select(
            "person_id",
            "admission_date",
            "category",
            "category_basis",
            pl.col("chronic_class").fill_null(""),
        )
    )
    return out


def period_texts(policy: Policy, days: Iterable[date]) -> dict[date, str]:
    """The policy period (as the trail names it, 40 characters) of each admission day the policy
    settles; days it refuses are left out."""
    out = {}
    for day in set(days):
        span = policy.span_of(day)
        if span is not None:
            out[day] = policy.spans[span].text()[:40]
    return out


def settle_person_years(pairs: Iterable[tuple[int, int]], policy: Policy | None = None) -> int:
    """Settle every stored claim of each (person_id, year) on the column path and write each
    claim's official settlement (`ClaimSplit`: the split and the identity it was settled with,
    one bulk insert per chunk of persons); the claims' trails are deleted, for `trails.fill_trails_task` to write
    (checked to the fen against the split). Runs in the caller's transaction; returns the number
    of claims written.

    转院 across the New Year: the next year of a person whose next year's first stay is a transfer
    is settled again too (a December claim added changes the January transfer's deductible), on
    while that year too is followed by one; and a year whose first stay is a transfer is settled
    with the earlier claims its chain reaches back to, as stored (their recorded identity), which
    are not written. One read per year forward or back per chunk of persons, not per person."""
    by_person: dict[int, set[int]] = defaultdict(set)
    for pid, year in pairs:
        by_person[pid].add(year)
    policy = policy or county_policy()
    written = 0
    persons = sorted(by_person)
    for i in range(0, len(persons), CHUNK):
        chunk = persons[i : i + CHUNK]
        wanted = {(p, y) for p in chunk for y in by_person[p]}
        rows = _claims_of(wanted)
        later = wanted
        while next_years := _claims_of({(p, y + 1) for p, y in later} - wanted):
            later = _first_stay_transfers(next_years)
            wanted |= later
            rows += [c for c in next_years if (c.person_id, c.year) in later]
        context, known, earlier = [], set(wanted), _first_stay_transfers(rows)
        while earlier := {(p, y - 1) for p, y in earlier} - known:
            known |= earlier
            found = [c for c in _claims_of(earlier) if c.category]
            context += found
            earlier = _first_stay_transfers(found)
        written += _settle(sorted(rows, key=lambda c: c.pk), policy, context)
    return written


def _claims_of(pairs: set[tuple[int, int]]) -> list[MedicalClaim]:
    """The stored claims of the (person_id, year) pairs, in id order: one query."""
    if not pairs:
        return []
    persons, years = {p for p, _ in pairs}, {y for _, y in pairs}
    claims = MedicalClaim.objects.with_split().filter(person_id__in=persons, year__in=years)
    return [c for c in claims.order_by("pk") if (c.person_id, c.year) in pairs]


def _first_stay_transfers(rows: list[MedicalClaim]) -> set[tuple[int, int]]:
    """(person_id, year) of the person-years among `rows` whose first stay (not chronic
    outpatient, by admission date and id) is a transfer — `store.chain_years` on claim objects."""
    first: dict[tuple[int, int], bool] = {}
    for c in sorted(rows, key=lambda c: (c.admission_date, c.pk)):
        if c.visit_type != VisitType.CHRONIC:
            first.setdefault((c.person_id, c.year), c.transfer)
    return {key for key, transfer in first.items() if transfer}


def _claim(c: MedicalClaim, category: str, chronic_class: str | None) -> Claim:
    return Claim(
        claim_id=str(c.pk),  # the row id, as the column path of a whole year gets it
        person_id=str(c.person_id),
        category=category,
        visit_type=c.visit_type,
        hospital_level=c.hospital_level,
        chronic_class=chronic_class,
        disease_code=c.disease_code or None,
        admission_date=c.admission_date,
        total_cost=c.total_fen,
        in_policy_cost=c.in_policy_fen,
        rehab_cost=c.rehab_fen,
        transfer=c.transfer,
    )


def _settle(rows: list[MedicalClaim], policy: Policy, context: Iterable[MedicalClaim] = ()) -> int:
    """Settle and write `rows`, together with `context` (earlier claims, as stored; not written)."""
    if not rows:
        return 0
    categories, classes = identity_of(
        {c.person_id for c in rows}, [(c.person_id, c.admission_date, c.visit_type) for c in rows]
    )
    faults = [
        Fault(
            None,
            "chronic_class",
            f"入院当日（{c.admission_date}）无有效慢性病医疗证，不能按门诊慢性病结算",
            claim=c.claim_no,
        )
        for c in rows
        if c.visit_type == VisitType.CHRONIC and (c.person_id, c.admission_date) not in classes
    ]
    if faults:
        raise ClaimsError(faults)
    claims = [
        _claim(
            c,
            categories[(c.person_id, c.admission_date)].category,
            classes.get((c.person_id, c.admission_date)),
        )
        for c in rows
    ]
    context = list(context)
    before = [
        _claim(
            c, c.category, c.chronic_class or None if c.visit_type == VisitType.CHRONIC else None
        )
        for c in context
    ]
    try:
        split = settle_frame(policy, to_frame(claims + before), first_row=0).head(len(claims))
    except ClaimsError as exc:
        raise exc.by_claim([c.claim_no for c in (*rows, *context)]) from exc
    periods = period_texts(policy, (c.admission_date for c in rows))
    now = timezone.now()
    splits = []
    for c, claim, parts in zip(rows, claims, split.iter_rows(named=True), strict=True):
        day = categories[(c.person_id, c.admission_date)]
        splits.append(ClaimSplit(claim_id=c.pk, person_id=c.person_id, year=c.year, village_code=c.village_code,
                                 **{column: parts[key] for key, column in PARTS.items()}, policy=policy.id,
                                 period=periods[c.admission_date], category=day.category,
                                 category_basis=day.basis[:200], chronic_class=claim.chronic_class or "",
                                 settled_at=now))  # fmt: skip
    ClaimTrail.objects.filter(pk__in=[c.pk for c in rows]).delete()
    ClaimSplit.objects.filter(pk__in=[c.pk for c in rows]).delete()
    ClaimSplit.objects.bulk_create(splits, batch_size=1000)
    return len(rows)
