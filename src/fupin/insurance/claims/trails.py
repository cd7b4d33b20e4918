"""计算过程 of stored claims: written in the background (计算过程补写), shown or computed on demand.

A settlement (an import's merge, 按新身份重算) writes the split with each claim's identity
(`ClaimSplit`) set-based and deletes the trails (`ClaimTrail`) of the person-years it changed; it then
queues `fill_trails_task`, which writes the missing trails in chunks of whole person-years (the
year-to-date deductibles and caps run over the whole year; a year whose first stay is a transfer
is settled with the earlier claims its chain reaches back to, as the split was: `store.chain_context`),
each chunk its own transaction, from
the scalar path under the claim's recorded category and chronic class. Each claim's scalar parts
are checked against its stored split to the fen: a claim that does not agree gets no trail and is
listed on the fill — a wrong trail is never stored.

On PostgreSQL a chunk takes `ClaimSplit` in SHARE mode first: a re-settle or an import writing
splits (SHARE ROW EXCLUSIVE) waits for the chunk, and the chunk for them, so a trail is always
checked against the split it is stored beside.

Pages and the API read the stored trail; for a claim without one (the fill has not reached it)
`shown_trails` computes it for its person-year (a few claims), checks it against the split and
marks it as computed — or, on disagreement, gives a Chinese warning instead of steps.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl
from django.db import connection, transaction
from django.utils import timezone
from django_tasks import task

from fupin import liveness
from fupin.access.models import User
from fupin.access.scope import OutOfScope, acting_user, require_area
from fupin.policy import Claim, ClaimsError, PackError, load_policy, settle_claims
from fupin.policy.params import fen_to_yuan
from fupin.policy.regions import Policy
from fupin.sqlframe import read_sql

from . import runjob, store
from .models import (
    ClaimImport,
    ClaimSplit,
    ClaimTrail,
    MedicalClaim,
    OfficialResettlement,
    TrailFill,
    TrailState,
    VisitType,
)

LIVENESS = "insurance.trailfill"
ABANDONED = "补写进程意外退出（如内存耗尽或进程被终止）：已补写的计算过程保留，其余的在查看时现算并核对；可再次补写。"
CHUNK_CLAIMS = 20_000  # claims per chunk transaction (whole person-years)
LISTED = 50  # mismatching claims kept by number on the fill
COMPUTED_NOTE = "（计算过程补写中，现算并已与正式分担核对一致）"
PARTS = ("basic_fen", "critical_fen", "assistance_fen", "fallback_fen", "self_fen")
COLUMNS = {
    "id": pl.Int64, "claim_no": pl.String, "person_id": pl.Int64, "year": pl.Int64, "policy": pl.String,
    "category": pl.String, "visit_type": pl.String, "hospital_level": pl.Int8, "chronic_class": pl.String,
    "disease_code": pl.String, "admission_date": pl.Date, "total_fen": pl.Int64, "in_policy_fen": pl.Int64,
    "rehab_fen": pl.Int64, "transfer": pl.Int8, **{p: pl.Int64 for p in PARTS}, "has_trail": pl.Int8,
}  # fmt: skip
STRINGS = ("policy", "category", "chronic_class", "disease_code")


# -- the scalar path, checked against the stored split --------------------------------------------
def scalar_trails(frame: pl.DataFrame) -> tuple[pl.DataFrame, list[tuple[int, str]]]:
    """Trails of the claims of `frame` (whole person-years, COLUMNS) on the scalar path under each
    claim's recorded policy, category and chronic class: (id, period, steps as JSON text) of the
    claims whose five parts equal the stored split to the fen, and [(id, claim_no)] of those that
    do not (or cannot be settled any more, or have no split).

    Claims carry their row id as claim id, as the column path got them (`store.settle_stored`,
    `settle._settle`), so both paths order a person's claims of one day alike."""
    ids, periods, steps, bad = [], [], [], []
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
    for (policy_id,), part in frame.group_by("policy", maintain_order=True):
        try:
            policy = load_policy(policy_id)
        except PackError:
            bad.extend(part.select("id", "claim_no").rows())
            continue
        for rows, settled in _settle(policy, part):
            if settled is None:
                bad.extend((r["id"], r["claim_no"]) for r in rows)
                continue
            for r, s in zip(rows, settled, strict=True):
                got = (s.basic_pay, s.critical_pay, s.assistance_pay, s.fallback_pay, s.self_pay)
                if any(r[p] is None for p in PARTS) or got != tuple(r[p] for p in PARTS):
                    bad.append((r["id"], r["claim_no"]))
                    continue
                ids.append(r["id"])
                periods.append(s.period[:40])
                steps.append(
                    dumps([{"layer": st.layer, "rule": st.rule, "detail": st.detail,
                            "amount": st.amount, "source": st.source} for st in s.steps])
                )  # fmt: skip
    trails = pl.DataFrame(
        {"id": ids, "period": periods, "steps": steps},
        schema={"id": pl.Int64, "period": pl.String, "steps": pl.String},
    )
    return trails, bad


def _claim(r: dict) -> Claim:
    chronic = r["visit_type"] == VisitType.CHRONIC
    return Claim(str(r["id"]), str(r["person_id"]), r["category"], r["visit_type"],
                 r["hospital_level"], r["chronic_class"] or None if chronic else None,
                 r["disease_code"] or None, r["admission_date"], r["total_fen"], r["in_policy_fen"],
                 r["rehab_fen"], bool(r["transfer"]))  # fmt: skip


def _settle(policy: Policy, part: pl.DataFrame) -> Iterable[tuple[list[dict], list | None]]:
    """(rows, settlements) for the part at once; when some claim cannot be settled any more (a
    date or class the policy refuses), person by person, None for the refused ones."""
    rows = part.rows(named=True)
    try:
        yield rows, settle_claims(policy, [_claim(r) for r in rows])
        return
    except ClaimsError:
        pass
    for _, group in part.group_by("person_id", maintain_order=True):  # a chain runs across years
        rows = group.rows(named=True)
        try:
            yield rows, settle_claims(policy, [_claim(r) for r in rows])
        except ClaimsError:
            yield rows, None


def read_person_years(pairs: pl.DataFrame) -> pl.DataFrame:
    """Every settled claim of the (person_id, year) pairs, with its stored split (null parts: none)
    and whether it has a trail (COLUMNS), and `context` 0; then the earlier claims their transfer
    chains (转院) reach back to across the New Year (`store.chain_context`), `context` 1: settled
    along, as the split was, but never given a trail here."""
    frame = _read(pairs)
    context = store.chain_context(frame, _read)
    return pl.concat(
        [
            frame.with_columns(pl.lit(0, pl.Int8).alias("context")),
            context.with_columns(pl.lit(1, pl.Int8).alias("context")),
        ]
    ).sort("person_id", "year", "id")


def _read(pairs: pl.DataFrame) -> pl.DataFrame:
    """Every settled claim of the (person_id, year) pairs, COLUMNS."""
    if not pairs.height:
        return pl.DataFrame(schema=COLUMNS)
    claim_t, split_t, trail_t = (
        MedicalClaim._meta.db_table,
        ClaimSplit._meta.db_table,
        ClaimTrail._meta.db_table,
    )
    persons = pairs["person_id"].unique().sort().to_list()
    years = pairs["year"].unique().sort().to_list()
    sql = (
        "SELECT c.id, c.claim_no, c.person_id, c.year, s.policy, s.category, c.visit_type, c.hospital_level,"
        " s.chronic_class, c.disease_code, c.admission_date, c.total_fen, c.in_policy_fen, c.rehab_fen,"
        f" CAST(c.transfer AS integer), {', '.join(f's.{p}' for p in PARTS)},"
        " CASE WHEN t.claim_id IS NULL THEN 0 ELSE 1 END"
        f" FROM {claim_t} c JOIN {split_t} s ON s.claim_id = c.id"
        f" LEFT JOIN {trail_t} t ON t.claim_id = c.id WHERE 1 = 1"
    )
    if connection.vendor == "postgresql":
        frame = read_sql(
            f"{sql} AND c.person_id = ANY(%s) AND c.year = ANY(%s)", [persons, years], COLUMNS
        )
    else:
        marks = ", ".join(["%s"] * len(persons))
        ymarks = ", ".join(["%s"] * len(years))
        frame = read_sql(
            f"{sql} AND c.person_id IN ({marks}) AND c.year IN ({ymarks})",
            [*persons, *years],
            COLUMNS,
        )
    return (
        frame.join(pairs.select("person_id", "year"), on=["person_id", "year"], how="semi")
        .with_columns(pl.col(c).fill_null("") for c in STRINGS)
        .sort("person_id", "year", "id")
    )


# -- display ---------------------------------------------------------------------------------------
@dataclass
class Shown:
    """A claim's trail as shown: the steps (amounts in fen) and the period, or a warning."""

    steps: list[dict]
    period: str
    note: str = ""  # COMPUTED_NOTE when computed now
    warning: str = ""  # the scalar path disagrees with the stored split: no steps


def shown_trails(claims: Iterable[MedicalClaim]) -> dict[int, Shown]:
    """{claim id: Shown} for stored claims (already read through the area scope, with their
    settlement: `with_split()`): the stored trail
    of the claim's settlement, else the trail computed now for its person-year and checked against
    its split to the fen."""
    claims = [c for c in claims if c.category]
    stored = {
        t.claim_id: t
        for t in ClaimTrail.objects.filter(pk__in=[c.pk for c in claims]).only(
            "claim_id", "steps", "period", "settled_at"
        )
    }
    out, missing = {}, []
    for c in claims:
        t = stored.get(c.pk)
        if t is not None and t.settled_at == c.settled_at:
            out[c.pk] = Shown(t.steps, t.period or c.period)
        else:
            missing.append(c)
    if not missing:
        return out
    pairs = pl.DataFrame(
        {"person_id": [c.person_id for c in missing], "year": [c.year for c in missing]},
        schema={"person_id": pl.Int64, "year": pl.Int64},
    ).unique()
    trails, bad = scalar_trails(read_person_years(pairs))
    computed = {r[0]: r for r in trails.rows()}
    bad_ids = {i for i, _ in bad}
    for c in missing:
        if c.pk in computed and c.pk not in bad_ids:
            _, period, steps = computed[c.pk]
            out[c.pk] = Shown(json.loads(steps), period, note=COMPUTED_NOTE)
        else:
            out[c.pk] = Shown(
                [],
                c.period,
                warning=(
                    f"结算单 {c.claim_no} 的计算过程现算结果与正式分担不一致（或已不能按原政策计算），"
                    "为避免显示错误的计算过程，此处不显示：正式分担以上表为准，请按新身份重算该年度或请管理员核查。"
                ),
            )
    return out


def yuan_steps(steps: list[dict]) -> list[dict]:
    """Steps with their amount in yuan (two decimals), for pages."""
    return [{**s, "amount": fen_to_yuan(s["amount"])} for s in steps]


# -- the background fill ---------------------------------------------------------------------------
def queue_fill(
    *,
    user: User,
    area_code: str,
    year: int | None = None,
    official_run: OfficialResettlement | None = None,
    claim_import: ClaimImport | None = None,
) -> TrailFill:
    """A fill of the missing trails in `area_code` (and `year`), queued once the caller's
    transaction commits (called by the services that settle: `official`, `imports`)."""
    fill = TrailFill.objects.create(area_code=area_code, year=year, official_run=official_run,
                                    claim_import=claim_import, created_by=user)  # fmt: skip
    transaction.on_commit(lambda: fill_trails_task.enqueue(fill.pk, user.pk))
    return fill


def missing_person_years(area_code: str, year: int | None) -> pl.DataFrame:
    """(person_id, year, n) of every person-year in the area with settled claims lacking a trail,
    n the number of its claims (the chunk size counts whole person-years)."""
    split_t, trail_t = ClaimSplit._meta.db_table, ClaimTrail._meta.db_table
    where, params = "m.village_code LIKE %s", [f"{area_code}%"]
    if year is not None:
        where, params = f"{where} AND m.year = %s", [*params, year]
    sql = (  # the settled claims are those with a split (ClaimSplit carries person, year, village)
        f"SELECT c.person_id, c.year, count(*) FROM {split_t} c JOIN ("
        f"SELECT DISTINCT m.person_id, m.year FROM {split_t} m WHERE {where}"
        f" AND NOT EXISTS (SELECT 1 FROM {trail_t} t WHERE t.claim_id = m.claim_id)) p"
        " ON p.person_id = c.person_id AND p.year = c.year"
        " GROUP BY c.person_id, c.year ORDER BY c.person_id, c.year"
    )
    return read_sql(sql, params, {"person_id": pl.Int64, "year": pl.Int64, "n": pl.Int64})


def execute(fill: TrailFill, *, user: User) -> dict:
    """Run the fill as `user`, holding its lock until its final state is written; a fill
    delivered twice runs once."""
    try:
        with liveness.holding(LIVENESS, fill.pk):
            fill.refresh_from_db()
            if fill.state != TrailState.QUEUED:
                return {}
            try:
                return _fill(fill, user)
            except Exception as exc:
                fail(
                    fill.pk,
                    f"补写未完成：{runjob.reason(exc)}；已补写的计算过程保留，其余的在查看时现算并核对",
                )
                raise
    except liveness.AlreadyRunning:
        return {}


def _fill(fill: TrailFill, user: User) -> dict:
    require_area(user, fill.area_code)
    TrailFill.objects.filter(pk=fill.pk).update(state=TrailState.RUNNING)
    pairs = missing_person_years(fill.area_code, fill.year)
    total = int(pairs["n"].sum()) if pairs.height else 0
    TrailFill.objects.filter(pk=fill.pk).update(rows_total=total)
    done, written, bad = 0, 0, []
    for chunk in _chunks(pairs):
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cur:
                    cur.execute(f"LOCK TABLE {ClaimSplit._meta.db_table} IN SHARE MODE")
            frame = read_person_years(chunk)
            need = frame.filter((pl.col("has_trail") == 0) & (pl.col("context") == 0))
            trails, mismatched = scalar_trails(frame)
            need_ids = set(need["id"].to_list())
            written += write_trails(trails.filter(pl.col("id").is_in(sorted(need_ids))))
            bad.extend(no for i, no in mismatched if i in need_ids)
        done += int(chunk["n"].sum())
        TrailFill.objects.filter(pk=fill.pk).update(
            rows_done=min(done, total), mismatched=len(bad), mismatched_claims=bad[:LISTED]
        )
    message = f"补写计算过程 {written} 笔" if written else "没有需要补写的计算过程"
    if bad:
        message += (
            f"；{len(bad)} 笔逐笔计算与正式分担不一致，未写入计算过程（如 {'、'.join(bad[:10])}），"
            "查看时显示提示：请按新身份重算该年度或请管理员核查"
        )
    TrailFill.objects.filter(pk=fill.pk).update(
        state=TrailState.DONE, rows_done=total, message=message, finished_at=timezone.now()
    )
    return {"written": written, "mismatched": len(bad)}


def _chunks(pairs: pl.DataFrame) -> Iterable[pl.DataFrame]:
    """Runs of whole person-years of about CHUNK_CLAIMS claims."""
    start, size = 0, 0
    counts = pairs["n"].to_list()
    for i, n in enumerate(counts):
        size += n
        if size >= CHUNK_CLAIMS:
            yield pairs.slice(start, i + 1 - start)
            start, size = i + 1, 0
    if start < len(counts):
        yield pairs.slice(start)


def write_trails(trails: pl.DataFrame) -> int:
    """Insert the trails (id, period, steps as JSON text) of claims that have none, with the
    claim's person, year, village, policy and settlement time (its `ClaimSplit`); a claim that got
    one meanwhile keeps it. In the caller's transaction."""
    if not trails.height:
        return 0
    split_t, trail_t = ClaimSplit._meta.db_table, ClaimTrail._meta.db_table
    cols = "claim_id, person_id, year, village_code, policy, period, steps, settled_at"
    with connection.cursor() as cur:
        if connection.vendor != "postgresql":
            cur.executemany(
                f"INSERT OR IGNORE INTO {trail_t} ({cols}) SELECT claim_id, person_id, year, village_code,"
                f" policy, %s, %s, settled_at FROM {split_t} WHERE claim_id = %s",
                [(period, steps, i) for i, period, steps in trails.rows()],
            )
            return trails.height
        cur.execute(
            "CREATE TEMPORARY TABLE fupin_new_trail (id bigint, period text, steps text) ON COMMIT DROP"
        )
        with cur.cursor.copy(
            "COPY fupin_new_trail (id, period, steps) FROM STDIN (FORMAT csv)"
        ) as copy:
            copy.write(trails.write_csv(include_header=False))
        cur.execute(
            f"INSERT INTO {trail_t} ({cols}) SELECT c.claim_id, c.person_id, c.year, c.village_code,"
            f" c.policy, t.period, t.steps::jsonb, c.settled_at FROM fupin_new_trail t"
            f" JOIN {split_t} c ON c.claim_id = t.id"
            " ON CONFLICT (claim_id) DO NOTHING"
        )
        written = cur.rowcount
        cur.execute("DROP TABLE fupin_new_trail")
    return written


def fail(fill_id: int, message: str) -> None:
    runjob.fail(TrailFill, fill_id, message)


def recover_abandoned(fill: TrailFill) -> bool:
    """A fill left "running" by a dead process → failed with the reason; True if it was."""
    return runjob.recover_abandoned(TrailFill, LIVENESS, fill, ABANDONED)


def latest_fill(**owner: object) -> TrailFill | None:
    """The newest fill of a run or import (`official_run=` / `claim_import=`), abandoned ones
    marked failed."""
    fill = TrailFill.objects.filter(**owner).order_by("-id").first()
    if fill is not None:
        recover_abandoned(fill)
    return fill


# The job `queue_fill` queues after commit, acting for the user who started the settlement;
# listed in `tasks` for the worker.
@task()
def fill_trails_task(fill_id: int, user_id: int) -> dict:
    fill = TrailFill.objects.get(pk=fill_id)
    try:
        user = acting_user(user_id, fill.area_code)
    except OutOfScope as exc:
        fail(fill_id, f"不能补写：{exc}")
        return {}
    return execute(fill, user=user)
