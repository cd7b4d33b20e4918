"""The yearly 代缴 run in set-based SQL: every person of an area gets one row per scheme — entitled
with the amount and the rule, or excluded with the reason — and the changes since last year.

No row travels through Python: each scheme is one INSERT … SELECT over the registry joined to the
insurance records into a temporary table; then only what differs from the stored list is written
(stale rows deleted, changed rows updated, new rows inserted), all inside the caller's
transaction: a run is all or nothing, and running it twice writes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.db.backends.utils import CursorWrapper
from django.db.models import Model

from fupin.areas.models import village_code_range
from fupin.registry.models import Person

from .models import EnrolmentRecord, MedicalEnrolment, PensionRecord, SubsidyChange, SubsidyEntry
from .rules import GROUP_NAMES, YearPlan, born_before

# Who is in a group (代缴对象类别), as SQL over the registry person `p`. Codes come from the
# pack's closed list (rules.Group), never from a request.
GROUP_SQL = {
    "poor": "p.status IN ('new', 'poor', 'returned')",
    "exited_policy": "p.status = 'exited_policy'",
    "dibao": "p.dibao = %(true)s",
    "tekun": "p.tekun = %(true)s",
    "wubao": "p.wubao = %(true)s",
    "disability_1_2": "p.disability_grade BETWEEN 1 AND 2",
    "disability_1_3": "p.disability_grade BETWEEN 1 AND 3",
}
assert set(GROUP_SQL) == set(GROUP_NAMES)


def _t(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _group_case(groups: list[str] | tuple[str, ...]) -> str:
    if not groups:
        return "NULL"
    return "CASE " + " ".join(f"WHEN {GROUP_SQL[g]} THEN '{g}'" for g in groups) + " ELSE NULL END"


def _gone_case() -> str:
    """The reasons a person is out whatever the scheme: dead, moved away, otherwise removed."""
    return (
        "WHEN (p.status = 'removed' AND p.removal_reason = 'death') OR x_dead = %(true)s THEN 'deceased' "
        "WHEN p.status = 'removed' AND p.removal_reason = 'moved' THEN 'moved' "
        "WHEN p.status = 'removed' THEN 'removed' "
    )


def _area_filter(area_code: str) -> tuple[str, dict]:
    if not area_code:
        return "1 = 1", {}
    lo, hi = village_code_range(area_code)
    return "p.village_code BETWEEN %(lo)s AND %(hi)s", {"lo": lo, "hi": hi}


def _people_sql(
    plan: YearPlan, groups: list[str] | tuple[str, ...], where: str, people: People | None = None
) -> str:
    """The people of the area with what decides their outcome, one row each. A list reads only its
    own insurance's record (the pension record, or the year's medical enrolment), and of the
    insurance extract only the rows reporting a death (unique per ID number and insurance).
    With `people` (a county-wide pension run), the same columns from the run's narrow copy."""
    if people is not None:
        return (
            "SELECT p.id, p.village_code, p.status, p.removal_reason, p.birth_date, p.x_dead, p.pstatus, "
            f"p.paid_year, p.rpaid_by, p.years_paid, p.mpaid_by, p.{people.column(groups)} AS grp "
            f"FROM {people.table} p WHERE {where}"
        )
    if plan.insurance == "pension":
        record = f"LEFT JOIN {_t(PensionRecord)} r ON r.person_id = p.id "
        cols = "r.status AS pstatus, r.paid_year, r.paid_by AS rpaid_by, r.years_paid, NULL AS mpaid_by"
    else:
        record = f"LEFT JOIN {_t(MedicalEnrolment)} m ON m.person_id = p.id AND m.year = %(year)s "
        cols = (
            "NULL AS pstatus, NULL AS paid_year, NULL AS rpaid_by, NULL AS years_paid, "
            "m.paid_by AS mpaid_by"
        )
    return (
        f"SELECT p.id, p.village_code, p.status, p.removal_reason, p.birth_date, e.deceased AS x_dead, "
        f"{cols}, {_group_case(groups)} AS grp "
        f"FROM {_t(Person)} p {record}"
        f"LEFT JOIN (SELECT id_number, deceased FROM {_t(EnrolmentRecord)} WHERE insurance = %(insurance)s "
        f"AND deceased = %(true)s) e ON e.id_number = p.id_number "
        f"WHERE {where}"
    )


class People:
    """A county-wide pension run reads the registry once: the people with what decides their
    outcome (the same columns as `_people_sql`, one group column per scheme's group list) go into
    an unlogged table of the run — readable by parallel workers, unlike a temporary one; gone
    with the transaction if it fails, dropped by `close` otherwise — and every scheme reads that
    narrow copy instead of scanning the wide registry and joining the records again."""

    def __init__(self, plan: YearPlan, run_id: int, lists: list[list[str] | tuple[str, ...]]):
        self.table = connection.ops.quote_name(f"insurance_run_people_{int(run_id)}")
        self.columns: dict[tuple[str, ...], str] = {}
        for groups in lists:
            self.columns.setdefault(tuple(groups), f"g{len(self.columns)}")
        source = _people_sql(plan, [], "1 = 1")
        grp = source.index(" AS grp ")
        start = source.rindex(", ", 0, grp)
        cases = ", ".join(f"{_group_case(list(g))} AS {c}" for g, c in self.columns.items())
        select = source[:start] + ", " + cases + source[grp + len(" AS grp") :]
        with connection.cursor() as cur:
            cur.execute(
                f"CREATE UNLOGGED TABLE {self.table} AS {select}",
                {"year": plan.year, "insurance": plan.insurance, "true": True},
            )
            cur.execute(f"ANALYZE {self.table}")

    def column(self, groups: list[str] | tuple[str, ...]) -> str:
        return self.columns[tuple(groups)]

    def close(self) -> None:
        with connection.cursor() as cur:
            cur.execute(f"DROP TABLE {self.table}")


STAGE = "insurance_run_rows"  # this run's rows, a temporary table of the transaction
COLS = "year, insurance, scheme, person_id, village_code, outcome, rule, reason, amount_fen, years, run_id"
VALUES = ("village_code", "outcome", "rule", "reason", "amount_fen", "years")


def _insert(select_sql: str, params: dict, target: str = STAGE) -> int:
    if isinstance(target, Fresh):
        return target.insert(select_sql, params)
    with connection.cursor() as cur:
        cur.execute(f"INSERT INTO {target} ({COLS}) {select_sql}", params)
        return cur.rowcount


# ---- PostgreSQL, county-wide: build the year's list as a fresh table and swap it in ----

SEQUENCE = "insurance_subsidyentry_part_id_seq"  # migration 0006
# Parallel workers per statement, besides the leader (PostgreSQL caps it at max_parallel_workers).
PARALLEL_WORKERS = 2
PEOPLE_ONCE = True  # a county-wide pension run reads the registry once (`People`)


class Fresh:
    """The year's list of one insurance, computed whole beside the stored one (PostgreSQL, a
    county-wide run).

    Each scheme is one CREATE TEMPORARY TABLE … AS SELECT that also reads the stored row of the same
    person and scheme: a statement PostgreSQL runs with parallel workers (an INSERT … SELECT never
    is), so the registry scan and its hash joins are shared between processes. Each row carries
    the stored id (none for a new row) and whether it equals the stored row. Then either nothing
    differs — the temporary tables are dropped and nothing is written — or a new table is filled
    from them (an unchanged row keeps its id and the run that wrote it, a changed row keeps its id
    and takes this run, a new row takes a new id) and attached in place of the stored partition,
    its indexes built once, in bulk. All inside the caller's transaction (all or nothing; two runs
    of a year queue on the run's advisory lock).
    """

    def __init__(self, plan: YearPlan, run_id: int):
        self.year, self.insurance, self.run_id = int(plan.year), plan.insurance, run_id
        assert self.insurance in ("medical", "pension")
        self.parent = _t(SubsidyEntry)
        self.sub = connection.ops.quote_name(f"insurance_subsidyentry_{self.insurance}")
        self.other = connection.ops.quote_name(f"insurance_subsidyentry_{self.insurance}_other")
        self.leaf_name = f"insurance_subsidyentry_{self.insurance}_{self.year}"
        self.table = connection.ops.quote_name(f"{self.leaf_name}_new")
        self.stages: list[str] = []

    def insert(self, select_sql: str, params: dict) -> int:
        same = " AND ".join(f"o.{c} = s.{c}" for c in VALUES)
        cols = COLS.replace(" ", "").split(",")
        stage = f"pg_temp.insurance_fresh_{len(self.stages)}"
        self.stages.append(stage)
        with connection.cursor() as cur:
            cur.execute(f"DROP TABLE IF EXISTS {stage}")  # a failed run earlier in this session
            cur.execute(
                f"CREATE TEMPORARY TABLE {stage.split('.')[1]} ON COMMIT DROP AS "
                f"SELECT o.id AS old_id, {', '.join(f's.{c}' for c in cols[:-1])}, "
                f"CASE WHEN o.id IS NOT NULL AND {same} THEN o.run_id ELSE s.run_id END AS run_id, "
                f"(o.id IS NOT NULL AND {same}) AS same "
                f"FROM ({select_sql}) AS s({', '.join(cols)}) "
                f"LEFT JOIN {self.parent} o ON o.year = %(year)s AND o.insurance = %(insurance)s "
                f"AND o.scheme = s.scheme AND o.person_id = s.person_id",
                params,
            )
            return cur.rowcount

    def finish(self) -> dict:
        """Swap the new list in if anything differs; the counts of what differs."""
        t, p = self.table, {"year": self.year, "insurance": self.insurance}
        rows = " UNION ALL ".join(f"SELECT * FROM {s}" for s in self.stages)
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT COUNT(*) FILTER (WHERE old_id IS NULL), "
                f"COUNT(*) FILTER (WHERE old_id IS NOT NULL AND NOT same), COUNT(*) FROM ({rows}) x"
            )
            inserted, updated, total = cur.fetchone()
            cur.execute(
                f"SELECT COUNT(*) FROM {self.parent} WHERE year = %(year)s AND insurance = %(insurance)s",
                p,
            )
            deleted = cur.fetchone()[0] - (total - inserted)
            if inserted or updated or deleted:
                cur.execute(
                    f"CREATE TABLE {t} (LIKE {self.parent} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
                )
                # New ids in the order the rows were computed (registry order within a scheme).
                cur.execute(
                    f"INSERT INTO {t} (id, {COLS}) SELECT COALESCE(old_id, nextval('{SEQUENCE}')), "
                    f"{COLS} FROM ({rows}) x"
                )
                cur.execute(f"ANALYZE {t}")
                cur.execute("SELECT to_regclass(%s) IS NOT NULL", [self.leaf_name])
                if cur.fetchone()[0]:
                    leaf = connection.ops.quote_name(self.leaf_name)
                    cur.execute(f"ALTER TABLE {self.sub} DETACH PARTITION {leaf}")
                    cur.execute(f"DROP TABLE {leaf}")
                # Rows of this year written into the default partition (a township run before the
                # county's first) are in the new table now.
                cur.execute(f"DELETE FROM {self.other} WHERE year = %(year)s", p)
                cur.execute(
                    f"ALTER TABLE {self.sub} ATTACH PARTITION {t} FOR VALUES IN ({self.year})"
                )
                cur.execute(
                    f"ALTER TABLE {t} RENAME TO {connection.ops.quote_name(self.leaf_name)}"
                )
            for stage in self.stages:
                cur.execute(f"DROP TABLE {stage}")
        return {"written": {"inserted": inserted, "updated": updated, "deleted": deleted}}


def _drop_stage(cur: CursorWrapper) -> None:
    schema = (
        "pg_temp" if connection.vendor == "postgresql" else "temp"
    )  # never a real table of that name
    cur.execute(f"DROP TABLE IF EXISTS {schema}.{STAGE}")


def _stage() -> None:
    drop = " ON COMMIT DROP" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cur:
        _drop_stage(
            cur
        )  # a run that failed earlier in this same session (inside an outer transaction)
        cur.execute(
            f"CREATE TEMPORARY TABLE {STAGE} (year integer NOT NULL, "
            "insurance varchar(8) NOT NULL, scheme varchar(16) NOT NULL, "
            "person_id bigint NOT NULL, village_code varchar(12) NOT NULL, "
            "outcome varchar(8) NOT NULL, rule varchar(20) NOT NULL, "
            "reason varchar(14) NOT NULL, amount_fen bigint NOT NULL, "
            f"years integer NOT NULL, run_id bigint NOT NULL){drop}"
        )


def _merge(base: dict, where: str, people_in_area: str) -> dict:
    """Write only what differs from the stored list: stale rows out, changed rows updated, new rows
    in. A second run of the same data writes nothing (and costs reads only)."""
    e = _t(SubsidyEntry)
    area = where.replace("p.village_code", f"{e}.village_code")
    same = (
        f"s.person_id = {e}.person_id AND s.year = {e}.year AND s.insurance = {e}.insurance "
        f"AND s.scheme = {e}.scheme"
    )
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(f"ANALYZE {STAGE}")  # temporary tables are never analysed by autovacuum
        cur.execute(
            f"DELETE FROM {e} WHERE year = %(year)s AND insurance = %(insurance)s "
            f"AND ({area} OR person_id IN ({people_in_area})) "
            f"AND NOT EXISTS (SELECT 1 FROM {STAGE} s WHERE {same})",
            base,
        )
        deleted = cur.rowcount
        differs = " OR ".join(f"{e}.{c} <> s.{c}" for c in VALUES)
        cur.execute(
            f"UPDATE {e} SET {', '.join(f'{c} = s.{c}' for c in (*VALUES, 'run_id'))} "
            f"FROM {STAGE} s WHERE {same} AND ({differs})"
        )
        updated = cur.rowcount
        cur.execute(
            f"INSERT INTO {e} ({COLS}) SELECT {COLS} FROM {STAGE} s WHERE NOT EXISTS "
            f"(SELECT 1 FROM {e} WHERE {same})"
        )
        inserted = cur.rowcount
        _drop_stage(cur)
    return {"written": {"inserted": inserted, "updated": updated, "deleted": deleted}}


def _covers_all(area_code: str, base: dict) -> bool:
    """Whether the area holds every person and every stored row of the year (the county's own run):
    then the run may replace the year's whole list."""
    if not area_code:
        return True
    lo, hi = village_code_range(area_code)
    p = dict(base, lo=lo, hi=hi)
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT EXISTS (SELECT 1 FROM {_t(Person)} WHERE village_code < %(lo)s) "
            f"OR EXISTS (SELECT 1 FROM {_t(Person)} WHERE village_code > %(hi)s) "
            f"OR EXISTS (SELECT 1 FROM {_t(SubsidyEntry)} WHERE year = %(year)s AND insurance = %(insurance)s "
            f"AND (village_code < %(lo)s OR village_code > %(hi)s))",
            p,
        )
        return not cur.fetchone()[0]


STEP_PREMIUM = "计算年度代缴名单"
STEP_BACK_PAY = "计算60周岁以上补缴名单"
STEP_EARLY = "计算提前领取养老金名单"
STEP_ACCOUNT = "计算一次性个人账户补贴"
STEP_WRITE = "与已存名单比较并写入"
STEP_CHANGES = "与上年度比较新增、减少"
STEP_TALLY = "按规则、原因统计"


def steps(plan: YearPlan) -> list[str]:
    """The named steps `compute` reports for this plan, in order."""
    pension = plan.insurance == "pension"
    return [
        STEP_PREMIUM,
        *([STEP_BACK_PAY] if pension and plan.back_pay_rule is not None else []),
        *([STEP_EARLY] if pension and plan.early_rule is not None else []),
        *([STEP_ACCOUNT] if pension and plan.account_rule is not None else []),
        STEP_WRITE,
        STEP_CHANGES,
        STEP_TALLY,
    ]


def _no_progress(label: str) -> None:
    pass


def compute(
    plan: YearPlan, *, area_code: str, run_id: int, progress: Callable[[str], None] = _no_progress
) -> dict:
    """Bring the area's rows of `plan.year` and `plan.insurance` (all schemes) to what the rules
    give now, writing only what differs, and redo the changes since last year. Call inside a
    transaction. Returns the counts. `progress` hears each of `steps(plan)` as it starts."""
    where, area_params = _area_filter(area_code)
    base = {
        "year": plan.year,
        "insurance": plan.insurance,
        "run": run_id,
        "true": True,
        **area_params,
    }
    people_in_area = f"SELECT p.id FROM {_t(Person)} p WHERE {where}"
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "SET LOCAL jit = off"
            )  # compiling these few statements costs more than it saves
            # Hash joins of a million rows in memory, and the swapped-in partition's indexes in one sort.
            cur.execute("SET LOCAL work_mem = '256MB'")
            cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
            # The county-wide statements (CREATE TABLE … AS, counts, the tally) are worth sharing
            # between processes: handing a row from a worker to the leader costs far less here than
            # the planner's defaults assume (measured: bench/subsidy.py, README).
            cur.execute("SET LOCAL max_parallel_workers_per_gather = %s", [PARALLEL_WORKERS])
            cur.execute("SET LOCAL parallel_setup_cost = 100")
            cur.execute("SET LOCAL parallel_tuple_cost = 0.001")
        area = where.replace("p.village_code", "village_code")
        cur.execute(
            f"DELETE FROM {_t(SubsidyChange)} WHERE year = %(year)s AND insurance = %(insurance)s "
            f"AND ({area} OR person_id IN ({people_in_area}))",
            base,
        )
        # The year's first run over this area writes straight into the list (nothing to compare with).
        cur.execute(
            f"SELECT EXISTS (SELECT 1 FROM {_t(SubsidyEntry)} WHERE year = %(year)s AND insurance = %(insurance)s "
            f"AND ({area} OR person_id IN ({people_in_area})))",
            base,
        )
        direct = not cur.fetchone()[0]
    fresh = connection.vendor == "postgresql" and _covers_all(area_code, base)
    if fresh:
        target = Fresh(plan, run_id)
    else:
        target = _t(SubsidyEntry) if direct else STAGE
        if not direct:
            _stage()
    pension = plan.insurance == "pension"
    groups = [g for g, _ in plan.groups]
    people = None
    if fresh and pension and PEOPLE_ONCE:
        people = People(
            plan,
            run_id,
            [groups, plan.back_pay_groups, plan.early_groups, plan.account_groups],
        )
    amounts = " ".join(f"WHEN '{g}' THEN {rule.amount_fen}" for g, rule in plan.groups)
    amount_case = f"CASE grp {amounts} ELSE 0 END" if amounts else "0"
    p: dict = dict(base)
    reason = "CASE " + _gone_case()
    if pension:
        reason += "WHEN pstatus = 'drawing' THEN 'drawing' "
    reason += (
        "WHEN grp IS NULL AND status = 'exited' THEN 'exited' WHEN grp IS NULL THEN 'not_covered' "
    )
    if pension:
        p["young"] = born_before(plan.reference_day, plan.min_age)
        p["old"] = born_before(plan.reference_day, plan.pension_age)
        reason += (
            "WHEN birth_date > %(young)s THEN 'under_age' WHEN birth_date <= %(old)s THEN 'over_age' "
            "WHEN paid_year = %(year)s AND rpaid_by = 'self' THEN 'paid' "
        )
    else:
        reason += "WHEN mpaid_by = 'self' THEN 'paid' "
    reason += "ELSE NULL END"
    # The inner query names the person's columns plainly, so the CASEs read without prefixes.
    inner = _people_sql(plan, groups, where, people).replace(
        "p.status, p.removal_reason, p.birth_date",
        "p.status AS status, p.removal_reason AS removal_reason, p.birth_date AS birth_date",
    )
    reason_sql = reason.replace("p.status", "status").replace("p.removal_reason", "removal_reason")
    counts: dict = {}
    progress(STEP_PREMIUM)
    counts["premium_rows"] = _insert(
        f"SELECT %(year)s, %(insurance)s, 'premium', id, village_code, "
        f"CASE WHEN reason IS NULL THEN 'entitled' ELSE 'excluded' END, COALESCE(grp, ''), COALESCE(reason, ''), "
        f"CASE WHEN reason IS NULL THEN {amount_case} ELSE 0 END, 0, %(run)s "
        f"FROM (SELECT q.*, {reason_sql} AS reason FROM ({inner}) q) z",
        p,
        target,
    )
    if pension and plan.back_pay_rule is not None:
        bp = dict(
            base,
            old=born_before(plan.reference_day, plan.back_pay_min_age),
            need=plan.back_pay_required_years,
        )
        bgroups = plan.back_pay_groups
        breason = (
            ("CASE " + _gone_case())
            .replace("p.status", "status")
            .replace("p.removal_reason", "removal_reason")
            + "WHEN pstatus = 'drawing' THEN 'drawing' WHEN grp IS NULL AND status = 'exited' THEN 'exited' "
            "WHEN grp IS NULL THEN 'not_covered' WHEN COALESCE(years_paid, "
            "0) >= %(need)s THEN 'enough_years' ELSE NULL END"
        )
        inner_b = _people_sql(
            plan, bgroups, f"{where} AND p.birth_date <= %(old)s", people
        ).replace(
            "p.status, p.removal_reason, p.birth_date",
            "p.status AS status, p.removal_reason AS removal_reason, p.birth_date AS birth_date",
        )
        tier = plan.back_pay_rule.amount_fen
        progress(STEP_BACK_PAY)
        counts["back_pay_rows"] = _insert(
            f"SELECT %(year)s, %(insurance)s, 'back_pay', id, village_code, "
            "CASE WHEN reason IS NULL THEN 'entitled' ELSE 'excluded' END, "
            "CASE WHEN reason IS NULL THEN 'back_pay' ELSE '' END, "
            "COALESCE(reason, ''), CASE WHEN reason IS NULL THEN (%(need)s - "
            f"COALESCE(years_paid, 0)) * {tier} ELSE 0 END, "
            f"CASE WHEN reason IS NULL THEN %(need)s - COALESCE(years_paid, 0) ELSE 0 END, %(run)s "
            f"FROM (SELECT q.*, {breason} AS reason FROM ({inner_b}) q) z",
            bp,
            target,
        )
    if pension and plan.early_rule is not None:
        ep = dict(
            base,
            old=born_before(plan.reference_day, plan.pension_age),
            young=born_before(plan.reference_day, plan.pension_age - plan.early_years),
        )
        ereason = (
            ("CASE " + _gone_case())
            .replace("p.status", "status")
            .replace("p.removal_reason", "removal_reason")
            + "WHEN pstatus = 'drawing' THEN 'drawing' WHEN grp IS NULL AND status = 'exited' THEN 'exited' "
            "WHEN grp IS NULL THEN 'not_covered' ELSE NULL END"
        )
        inner_e = _people_sql(
            plan,
            plan.early_groups,
            f"{where} AND p.birth_date > %(old)s AND p.birth_date <= %(young)s",
            people,
        ).replace(
            "p.status, p.removal_reason, p.birth_date",
            "p.status AS status, p.removal_reason AS removal_reason, p.birth_date AS birth_date",
        )
        progress(STEP_EARLY)
        counts["early_rows"] = _insert(
            f"SELECT %(year)s, %(insurance)s, 'early_pension', id, village_code, "
            "CASE WHEN reason IS NULL THEN 'entitled' ELSE 'excluded' END, "
            "CASE WHEN reason IS NULL THEN 'early_pension' ELSE '' END, "
            f"COALESCE(reason, ''), 0, 0, %(run)s FROM (SELECT q.*, {ereason} AS reason FROM ({inner_e}) q) z",
            ep,
            target,
        )
    if pension and plan.account_rule is not None:
        ap = dict(base, old=born_before(plan.reference_day, plan.back_pay_min_age))
        inner_a = _people_sql(
            plan,
            plan.account_groups,
            f"{where} AND p.birth_date <= %(old)s AND p.status <> 'removed'",
            people,
        )
        progress(STEP_ACCOUNT)
        counts["account_rows"] = _insert(
            f"SELECT %(year)s, %(insurance)s, 'account_subsidy', id, village_code, 'entitled', 'account_subsidy', '', "
            f"{plan.account_rule.amount_fen}, 0, %(run)s FROM ({inner_a}) q "
            f"WHERE grp IS NOT NULL AND pstatus = 'drawing' AND (x_dead IS NULL OR x_dead <> %(true)s)",
            ap,
            target,
        )
    if people is not None:
        people.close()
    progress(STEP_WRITE)
    if fresh:
        counts.update(target.finish())
    elif direct:
        counts["written"] = {
            "inserted": sum(v for k, v in counts.items() if k.endswith("_rows")),
            "updated": 0,
            "deleted": 0,
        }
    else:
        counts.update(_merge(base, where, people_in_area))
    if connection.vendor == "postgresql" and not fresh and sum(counts["written"].values()) > 10_000:
        with connection.cursor() as cur:
            # The planner must know the rows just written, or it joins this year to last year row by row.
            cur.execute(f"ANALYZE {_t(SubsidyEntry)}")
    progress(STEP_CHANGES)
    counts.update(_changes(plan, where, base, whole=fresh))
    progress(STEP_TALLY)
    counts.update(_tally(plan, where.replace("p.village_code", "village_code"), base))
    return counts


def _changes(plan: YearPlan, where: str, base: dict, whole: bool = False) -> dict:
    """新增 / 减少 against last year's premium list of the same area."""
    e = _t(SubsidyEntry)
    area = where.replace("p.village_code", "cur.village_code")
    params = dict(base, prev=plan.year - 1)
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT EXISTS (SELECT 1 FROM {e} cur WHERE cur.year = %(prev)s AND cur.insurance = %(insurance)s "
            f"AND cur.scheme = 'premium' AND {area})",
            params,
        )
        if not cur.fetchone()[0]:
            return {"previous": False, "added": 0, "removed": 0}
        cols = "year, insurance, person_id, village_code, change, reason, detail, run_id"
        if whole and connection.vendor == "postgresql":
            # The whole county: both lists whole, so one full join finds who came and who went —
            # a CREATE TABLE … AS, which PostgreSQL runs in parallel, then only those rows written.
            cur.execute("DROP TABLE IF EXISTS pg_temp.insurance_run_changes")
            cur.execute(
                f"CREATE TEMPORARY TABLE insurance_run_changes ON COMMIT DROP AS "
                f"SELECT %(year)s AS year, %(insurance)s AS insurance, "
                f"COALESCE(cur.person_id, prev.person_id) AS person_id, "
                f"COALESCE(cur.village_code, prev.village_code) AS village_code, "
                f"CASE WHEN cur.outcome = 'entitled' THEN 'added' ELSE 'removed' END AS change, "
                f"CASE WHEN cur.outcome = 'entitled' THEN COALESCE(prev.reason, '') "
                f"ELSE COALESCE(cur.reason, '') END AS reason, "
                f"CASE WHEN cur.outcome = 'entitled' THEN cur.rule ELSE prev.rule END AS detail, %(run)s AS run_id "
                f"FROM (SELECT person_id, village_code, outcome, rule, reason FROM {e} WHERE year = %(year)s "
                f"AND insurance = %(insurance)s AND scheme = 'premium') cur "
                f"FULL JOIN (SELECT person_id, village_code, outcome, rule, reason FROM {e} WHERE year = %(prev)s "
                f"AND insurance = %(insurance)s AND scheme = 'premium') prev ON prev.person_id = cur.person_id "
                f"WHERE (cur.outcome = 'entitled' AND (prev.outcome IS NULL OR prev.outcome = 'excluded')) "
                f"OR (prev.outcome = 'entitled' AND (cur.outcome IS NULL OR cur.outcome = 'excluded'))",
                params,
            )
            cur.execute(
                f"INSERT INTO {_t(SubsidyChange)} ({cols}) SELECT {cols} FROM insurance_run_changes"
            )
            cur.execute(
                "SELECT COUNT(*) FILTER (WHERE change = 'added'), COUNT(*) FILTER (WHERE change = 'removed') "
                "FROM insurance_run_changes"
            )
            added, removed = (int(x or 0) for x in cur.fetchone())
            cur.execute("DROP TABLE insurance_run_changes")
            return {"previous": True, "added": added, "removed": removed}
        cur.execute(
            f"INSERT INTO {_t(SubsidyChange)} ({cols}) "
            "SELECT %(year)s, %(insurance)s, cur.person_id, cur.village_code, 'added', "
            "COALESCE(prev.reason, ''), cur.rule, %(run)s "
            f"FROM {e} cur LEFT JOIN {e} prev ON prev.person_id = cur.person_id AND prev.year = %(prev)s "
            f"AND prev.insurance = %(insurance)s AND prev.scheme = 'premium' "
            f"WHERE cur.year = %(year)s AND cur.insurance = %(insurance)s AND cur.scheme = 'premium' AND {area} "
            f"AND cur.outcome = 'entitled' AND (prev.id IS NULL OR prev.outcome = 'excluded')",
            params,
        )
        added = cur.rowcount
        prev_area = area.replace("cur.village_code", "prev.village_code")
        cur.execute(
            f"INSERT INTO {_t(SubsidyChange)} ({cols}) "
            "SELECT %(year)s, %(insurance)s, prev.person_id, COALESCE(cur.village_code, "
            "prev.village_code), 'removed', "
            f"COALESCE(cur.reason, ''), prev.rule, %(run)s "
            f"FROM {e} prev LEFT JOIN {e} cur ON cur.person_id = prev.person_id AND cur.year = %(year)s "
            f"AND cur.insurance = %(insurance)s AND cur.scheme = 'premium' "
            "WHERE prev.year = %(prev)s AND prev.insurance = %(insurance)s "
            f"AND prev.scheme = 'premium' AND {prev_area} "
            f"AND prev.outcome = 'entitled' AND (cur.id IS NULL OR cur.outcome = 'excluded')",
            params,
        )
        removed = cur.rowcount
    return {"previous": True, "added": added, "removed": removed}


def _tally(plan: YearPlan, area: str, base: dict) -> dict:
    """What the run wrote, per scheme, outcome, rule and reason (for the run page and the CLI)."""
    out: dict = {"by_scheme": {}}
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT scheme, outcome, rule, reason, COUNT(*), SUM(amount_fen) FROM {_t(SubsidyEntry)} "
            f"WHERE year = %(year)s AND insurance = %(insurance)s AND {area} GROUP BY scheme, outcome, rule, reason",
            base,
        )
        for scheme, outcome, rule, reason, n, fen in cur.fetchall():
            s = out["by_scheme"].setdefault(
                scheme, {"entitled": 0, "excluded": 0, "amount_fen": 0, "rules": {}, "reasons": {}}
            )
            s[outcome] += n
            if outcome == "entitled":
                s["amount_fen"] += int(fen or 0)
                s["rules"][rule] = s["rules"].get(rule, 0) + n
            else:
                s["reasons"][reason] = s["reasons"].get(reason, 0) + n
    return out
