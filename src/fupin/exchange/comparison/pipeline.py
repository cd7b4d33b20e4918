"""信息比对: the poverty registry against a social-insurance enrolment extract.

One SQL pipeline over two tables, `registry` and `enrolment` (see COLUMNS). Steps:

1. read and check IDs exactly as `parse_id_number` does (15-digit legacy numbers upgraded,
   full-width digits, spaces, a lower-case x repaired; see ids.py);
2. `invalid_id` and `duplicate_id` on either side;
3. exact match by ID → `matched`, `enrolled_elsewhere`, `suspended`, `deceased`, and the flags
   `tag_missing` and `premium_not_subsidised`;
4. for listed persons still without an enrolment row: candidate pairs in the same county that
   share the ID number but for one window of two adjacent digits (five routes, so a wrong
   birth-date digit, a wrong sequence digit or two swapped digits anywhere still meet). A pair
   is the same person when the first 17 digits are equal (only the check character differs), or
   when they differ by one digit or one swap *and* the names agree (homophones, traditional
   characters, middle dots, swapped given names). An ID that differs in more is
   somebody else whatever the name: conflicting identifying evidence outweighs a name.
   → `id_mismatch_candidate` (never merged automatically: a person reviews each pair);
5. the rest → `not_enrolled_pension` / `not_enrolled_medical`. Tagged enrolment rows of the
   registry's counties that belong to no one on the list → `tag_stale` (the untag list) only when
   certain: a row that might be a listed person's (a near ID, or a like name with a near ID; here
   the name is a sixth route) goes to `tag_stale_review` with the reason, for a person to decide.

Django-free; the engine is an adapter (engine.py). The Django job is a thin wrapper.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fupin.policy.packs import load_pack
from fupin.policy.params import Parameter, Strict

from . import ids

if TYPE_CHECKING:
    from .engine import DuckDBEngine
    from .spark import SparkEngine

CATEGORIES = [
    "matched", "not_enrolled_pension", "not_enrolled_medical", "enrolled_elsewhere", "suspended",
    "premium_not_subsidised", "tag_missing", "tag_stale", "tag_stale_review", "id_mismatch_candidate", "invalid_id",
    "duplicate_id", "deceased",
]  # fmt: skip
LABELS = {
    "matched": "已参保（比对一致）", "not_enrolled_pension": "未参加养老保险", "not_enrolled_medical": "未参加医疗保险",
    "enrolled_elsewhere": "在外县参保", "suspended": "参保暂停或终止", "premium_not_subsidised": "应代缴未代缴",
    "tag_missing": "未做贫困人员标识", "tag_stale": "标识应取消",
    "tag_stale_review": "标识待核实（可能属于名单上的人）",
    "id_mismatch_candidate": "疑似同一人（身份证号不一致）",
    "invalid_id": "身份证号无效", "duplicate_id": "身份证号重复", "deceased": "参保系统显示已死亡",
}  # fmt: skip
COLUMNS = {
    "registry": [
        "id_number",
        "name",
        "area_code",
        "status",
        "poor",
        "dibao",
        "tekun",
        "severe_disability",
    ],
    "enrolment": [
        "id_number",
        "name",
        "area_code",
        "insurance",
        "enrolment_status",
        "poverty_tag",
        "premium_subsidy",
        "deceased",
    ],
}
FLAG_COLUMNS = {
    "registry": ["poor", "dibao", "tekun", "severe_disability"],
    "enrolment": ["poverty_tag", "premium_subsidy", "deceased"],
}
DOMAINS = {
    "insurance": ["pension", "medical"],
    "enrolment_status": ["active", "suspended", "terminated"],
}
# Registry statuses: the codes of fupin.registry.choices.Status, or their Chinese labels.
STATUSES = {
    "new": "new", "poor": "poor", "exited_policy": "exited_policy", "exited": "exited", "returned": "returned",
    "removed": "removed", "新识别": "new", "未脱贫": "poor", "已脱贫(享受政策)": "exited_policy",
    "已脱贫(不再享受政策)": "exited", "返贫": "returned", "自然减少": "removed",
}  # fmt: skip
# The tables whose rows grow with the inputs (a registry or extract row each, or a pair per listed
# person); the others hold the few unmatched and near rows. A cluster engine stores these on disk.
INPUT_SIZED = frozenset(
    {"registry", "enrolment", "reg", "enr", "reg_ok", "pairs", "listed", "results"}
)
RESULT_COLUMNS = ["category", "insurance", "registry_row", "enrolment_row", "id_number", "name", "area_code",
                  "enrol_id_number", "enrol_name", "enrol_area_code", "score", "detail"]  # fmt: skip


class EnrolmentRules(Strict):
    """The pack's `enrolment` section: policy numbers the comparison needs (参保比对)."""

    pension_min_age: Parameter[int]


@dataclass
class Settings:
    # 城乡居民基本养老保险 minimum enrolment age: a policy number, from the pack (see from_pack).
    pension_min_age: int
    as_of: dt.date = field(default_factory=dt.date.today)
    # Names at least this alike (0..1; names.py) let an ID one digit or one swap away be the same
    # person. A homophone, traditional character, dot or swap scores ≥ 0.92; different names ≤ 0.8.
    name_min: float = 0.85
    name_min_same_village: float = 0.5

    @classmethod
    def from_pack(cls, pack_id: str, **kwargs) -> Settings:
        """The comparison's policy numbers from the pack's `enrolment` section."""
        enrolment = load_pack(pack_id).section("enrolment", EnrolmentRules)
        return cls(pension_min_age=enrolment.pension_min_age.value, **kwargs)


class _Clock:
    """Wall-clock seconds per phase, added into a dict (or nothing when none is given)."""

    def __init__(self, into: dict | None):
        self.into, self.last = into, time.perf_counter()

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        if self.into is not None:
            self.into[phase] = self.into.get(phase, 0.0) + now - self.last
        self.last = now


class BadInput(ValueError):
    """A bad input file; the message names the file, row and column."""


def _flag(col: str) -> str:
    # check_inputs has admitted only 0/1, true/false and 是/否: a numeric or boolean column takes the
    # cheap integer path, text falls back to the spellings.
    return (
        f"COALESCE(TRY_CAST({col} AS INTEGER) = 1, "
        f"CAST({col} AS STRING) = 'true' OR CAST({col} AS STRING) = 'True' OR CAST({col} AS STRING) = 'TRUE' "
        f"OR CAST({col} AS STRING) = '是')"
    )


def check_inputs(engine: DuckDBEngine | SparkEngine, labels: dict[str, str]) -> None:
    """Columns present, flags 0/1, domains respected; BadInput names the first bad row and column."""
    for table, cols in COLUMNS.items():
        have = set(engine.columns(table))
        missing = [c for c in cols if c not in have]
        if missing:
            raise BadInput(
                f"{labels[table]}：缺少列 {', '.join(missing)}（应有：{', '.join(cols)}）"
            )
        first_data_line = 2 if labels.get(f"{table}_kind") == "csv" else 1
        flags = "'0', '1', 'true', 'false', 'True', 'False', 'TRUE', 'FALSE', '是', '否'"
        checks = [(c, f"CAST({c} AS STRING) NOT IN ({flags}) OR {c} IS NULL", "应为 0 或 1")
                  for c in FLAG_COLUMNS[table]]  # fmt: skip
        checks.append(
            (
                "id_number",
                "id_number IS NULL OR trim(CAST(id_number AS STRING)) = ''",
                "身份证号为空",
            )
        )
        checks.append(
            (
                "area_code",
                "area_code IS NULL OR NOT "
                + engine.regex_full("trim(CAST(area_code AS STRING))", "[0-9]{6}([0-9]{3}){0,2}"),
                "区划代码应为6、9或12位数字",
            )
        )
        if table == "registry":
            allowed = ", ".join(f"'{s}'" for s in STATUSES)
            checks.append(
                (
                    "status",
                    f"status IS NULL OR trim(status) NOT IN ({allowed})",
                    "状态应为 new/poor/exited_policy/exited/returned/removed（或其中文名称）",
                )
            )
        for c, values in DOMAINS.items():
            if c in cols:
                allowed = ", ".join(f"'{v}'" for v in values)
                checks.append(
                    (
                        c,
                        f"{c} IS NULL OR trim({c}) NOT IN ({allowed})",
                        f"应为 {' / '.join(values)}",
                    )
                )
        # One scan for all checks: the first bad row of each; the first check (in order) that has one is reported.
        firsts = engine.rows(
            "SELECT "
            + ", ".join(f"MIN(row_no) FILTER (WHERE {bad})" for _, bad, _ in checks)
            + f" FROM {table}"
        )[0]
        for (col, _, message), row_no in zip(checks, firsts, strict=True):
            if row_no is not None:
                value = engine.rows(
                    f"SELECT CAST({col} AS STRING) FROM {table} WHERE row_no = {int(row_no)}"
                )[0][0]
                line = row_no + first_data_line - 1
                raise BadInput(
                    f"{labels[table]} 第{line}行“{col}”列：值“{value if value is not None else ''}”无效，{message}"
                )


def run(
    engine: DuckDBEngine | SparkEngine,
    settings: Settings,
    progress: Callable[[int, int, str], None] = lambda step, total, label: None,
    timings: dict | None = None,
) -> dict:
    """Run every step on the engine's `registry` and `enrolment` tables; results in table `results`.

    Returns the summary {category: count} over all categories. `timings`, if given, receives the
    seconds spent per phase: ids (normalise and check IDs, duplicates), exact, fuzzy, categories.
    """
    clock = _Clock(timings)
    s = settings
    e = engine
    steps = 7
    as_of = s.as_of.isoformat()
    pension_cutoff = (
        s.as_of.replace(year=s.as_of.year - s.pension_min_age)
        if not (s.as_of.month == 2 and s.as_of.day == 29)
        else dt.date(s.as_of.year - s.pension_min_age, 2, 28)
    )
    status_map = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in STATUSES.items())

    progress(1, steps, "规范身份证号")
    reg_src = f"""
        SELECT row_no, id_number AS raw_id, trim(name) AS name, trim(CAST(area_code AS STRING)) AS area_code,
               substr(trim(CAST(area_code AS STRING)), 1, 6) AS county,
               CASE trim(status) {status_map} END AS status,
               {_flag("poor")} AS poor, {_flag("dibao")} AS dibao, {_flag("tekun")} AS tekun,
               {_flag("severe_disability")} AS severe
        FROM registry"""
    reg_ids = ids.id_frame(e, reg_src, as_of, numeric=e.is_float("registry", "id_number"))
    e.create("reg", f"SELECT *, COUNT(*) OVER (PARTITION BY id) AS n_same FROM ({reg_ids}) t")
    # The extract is the big side (tens of millions of rows): one pass, no window over it.
    e.create(
        "enr",
        ids.id_frame(
            e,
            f"""
            SELECT row_no, id_number AS raw_id, trim(name) AS name, trim(CAST(area_code AS STRING)) AS area_code,
                   substr(trim(CAST(area_code AS STRING)), 1, 6) AS county, trim(insurance) AS insurance,
                   trim(enrolment_status) AS enrolment_status,
                   {_flag("poverty_tag")} AS tagged, {_flag("premium_subsidy")} AS subsidised,
                   {_flag("deceased")} AS deceased
            FROM enrolment""",
            as_of,
            numeric=e.is_float("enrolment", "id_number"),
        ),
    )

    progress(2, steps, "无效与重复身份证号")
    # Duplicates in the extract: a group-by kept only for the (few) repeated (id, insurance).
    e.create(
        "enr_dup",
        "SELECT id, insurance, COUNT(*) AS n_same FROM enr WHERE id IS NOT NULL "
        "GROUP BY id, insurance HAVING COUNT(*) > 1",
    )
    cols = (
        "category, insurance, registry_row, enrolment_row, id_number, name, area_code, "
        "enrol_id_number, enrol_name, enrol_area_code, score, detail"
    )
    parts = [
        "SELECT 'invalid_id', NULL, row_no, NULL, id, name, area_code, NULL, NULL, NULL, NULL, "
        "'建档立卡：' || fault FROM reg WHERE fault IS NOT NULL",
        "SELECT 'invalid_id', insurance, NULL, row_no, NULL, NULL, area_code, id, name, "
        "area_code, NULL, '参保数据：' || fault FROM enr WHERE fault IS NOT NULL",
        "SELECT 'duplicate_id', NULL, row_no, NULL, id, name, area_code, NULL, NULL, NULL, NULL, "
        "'建档立卡中出现' || CAST(n_same AS STRING) || '次' FROM reg WHERE fault IS NULL "
        "AND n_same > 1",
        """SELECT 'duplicate_id', e.insurance, NULL, e.row_no, NULL, NULL, e.area_code, e.id, e.name, e.area_code, NULL,
                  '同一险种参保数据中出现' || CAST(d.n_same AS STRING) || '次'
           FROM enr e JOIN enr_dup d ON d.id = e.id AND d.insurance = e.insurance WHERE e.fault IS NULL""",
    ]

    clock.lap("ids")
    progress(3, steps, "按身份证号精确比对")
    e.create("reg_ok", "SELECT * FROM reg WHERE fault IS NULL AND n_same = 1")
    # The best enrolment row per person and insurance (active before suspended before terminated):
    # the window runs over the matched pairs only, not over the whole extract.
    e.create(
        "pairs",
        """
        SELECT * EXCEPT (rk) FROM (
            SELECT r.row_no AS r_row, e.row_no AS e_row, r.id, r.name AS r_name, e.name AS e_name,
                   r.area_code AS r_area, e.area_code AS e_area, r.county AS r_county, e.county AS e_county,
                   r.status, r.poor, r.dibao, r.tekun, r.severe,
                   e.insurance, e.enrolment_status, e.tagged, e.subsidised, e.deceased,
                   ROW_NUMBER() OVER (PARTITION BY r.row_no, e.insurance ORDER BY
                       CASE e.enrolment_status WHEN 'active' THEN 0 WHEN 'suspended' THEN 1 ELSE 2 END, e.row_no) AS rk
            FROM reg_ok r JOIN enr e ON e.id = r.id
            WHERE e.fault IS NULL) t
        WHERE rk = 1""",
    )
    pair_cols = (
        "{cat}, insurance, r_row, e_row, id, r_name, r_area, id, e_name, e_area, NULL, {detail}"
    )
    on_list = "status <> 'removed'"
    parts += [
        "SELECT " + pair_cols.format(cat="'deceased'", detail="'参保系统显示已死亡，建档立卡仍为' || status")
        + f" FROM pairs WHERE deceased AND {on_list}",
        "SELECT " + pair_cols.format(cat="'suspended'", detail="'参保状态：' || enrolment_status")
        + " FROM pairs WHERE NOT deceased AND enrolment_status IN ('suspended', 'terminated')",
        "SELECT " + pair_cols.format(cat="'enrolled_elsewhere'", detail="'参保地 ' || e_area")
        + " FROM pairs WHERE NOT deceased AND enrolment_status = 'active' AND e_county <> r_county",
        "SELECT " + pair_cols.format(cat="'matched'", detail="NULL")
        + " FROM pairs WHERE NOT deceased AND enrolment_status = 'active' AND e_county = r_county",
        "SELECT " + pair_cols.format(cat="'tag_missing'", detail="'在建档立卡名单中，参保系统未标识'")
        + f" FROM pairs WHERE poor AND {on_list} AND NOT deceased AND NOT tagged",
        "SELECT " + pair_cols.format(cat="'premium_not_subsidised'", detail="'应由政府代缴个人缴费'")
        + f" FROM pairs WHERE (poor OR dibao OR tekun OR severe) AND {on_list} AND NOT deceased"
        " AND enrolment_status = 'active' AND e_county = r_county AND NOT subsidised",
    ]  # fmt: skip

    clock.lap("exact")
    progress(4, steps, "模糊比对候选（身份证号五种分块 / 县+姓名）")
    e.create(
        "reg_rem",
        f"""
        SELECT r.*, i.insurance FROM reg_ok r
        CROSS JOIN (SELECT 'pension' AS insurance UNION ALL SELECT 'medical') i
        WHERE r.poor AND r.{on_list} AND (i.insurance = 'medical' OR r.birth <= DATE '{pension_cutoff.isoformat()}')
          AND NOT EXISTS (SELECT 1 FROM pairs p WHERE p.r_row = r.row_no AND p.insurance = i.insurance)""",
    )
    # Candidate pairs: the same county and insurance, and the same ID but for one window of adjacent
    # digits (BLOCKS). Every pair that can be linked (same first 17 digits, or one digit or one swap
    # apart) shares one of these keys, so no name route is needed here: a name route would bring
    # every namesake of a big county. The big extract is only probed against the small remainder;
    # rows whose ID is someone's on the registry are dropped from the (few) pairs afterwards.
    routes = [
        f"SELECT r.row_no AS r_row, e.row_no AS e_row, r.insurance FROM reg_rem r JOIN enr e "
        f"ON e.insurance = r.insurance AND e.county = r.county AND {key(e, 'e')} = {key(e, 'r')}"
        for key in BLOCKS
    ]
    e.create(
        "blocked",
        "SELECT DISTINCT r_row, e_row, insurance FROM (" + " UNION ALL ".join(routes) + ") t",
    )
    e.create(
        "cand",
        """SELECT c.* FROM blocked c JOIN enr e ON e.row_no = c.e_row
                        WHERE NOT EXISTS (SELECT 1 FROM reg x WHERE x.id = e.id)""",
    )

    progress(5, steps, "姓名相似度（拼音、形近字）与身份证号比较")
    e.create(
        "scored",
        f"""
        SELECT c.r_row, c.e_row, c.insurance, r.id AS r_id, r.name AS r_name, r.area_code AS r_area,
               e.id AS e_id, e.name AS e_name, e.area_code AS e_area, e.tagged,
               {_evidence(e, "r", "e", names_within=1)}
        FROM cand c JOIN reg_rem r ON r.row_no = c.r_row AND r.insurance = c.insurance
        JOIN enr e ON e.row_no = c.e_row""",
    )
    e.create(
        "fuzzy",
        f"""
        SELECT * FROM (
            SELECT *, ROW_NUMBER() OVER (PARTITION BY r_row, insurance ORDER BY score DESC, e_row) AS r_rank,
                      ROW_NUMBER() OVER (PARTITION BY e_row ORDER BY score DESC, r_row) AS e_rank
            FROM (SELECT *, {_score()} AS score FROM scored WHERE {_same_person(s)}) t) t
        WHERE r_rank = 1 AND e_rank = 1""",
    )
    parts.append(f"""SELECT 'id_mismatch_candidate', insurance, r_row, e_row, r_id, r_name, r_area,
                     e_id, e_name, e_area, {e.round("score", 3)}, {_reason(e)} FROM fuzzy""")

    clock.lap("fuzzy")
    progress(6, steps, "未参保与应取消标识")
    # Tagged rows of the registry's counties whose ID is nobody's on the registry and that were not
    # linked: untagging is certain only when no listed person is near (same routes, any insurance).
    e.create(
        "tag_free",
        """
        SELECT e.* FROM enr e
        WHERE e.tagged AND e.county IN (SELECT DISTINCT county FROM reg)
          AND NOT EXISTS (SELECT 1 FROM reg x WHERE x.id = e.id AND x.fault IS NULL)
          AND NOT EXISTS (SELECT 1 FROM fuzzy f WHERE f.e_row = e.row_no)""",
    )
    e.create("listed", f"SELECT * FROM reg_ok WHERE poor AND {on_list}")
    near = [
        f"SELECT l.row_no AS r_row, t.row_no AS e_row FROM listed l JOIN tag_free t "
        f"ON t.county = l.county AND {key(e, 't')} = {key(e, 'l')}"
        for key in BLOCKS
    ]
    near.append(
        "SELECT l.row_no, t.row_no FROM listed l JOIN tag_free t ON t.county = l.county AND t.name = l.name"
    )
    e.create(
        "tag_near",
        f"""
        SELECT * FROM (
            SELECT *, ROW_NUMBER() OVER (PARTITION BY e_row ORDER BY {_score()} DESC, r_row) AS e_rank
            FROM (SELECT n.r_row, n.e_row, t.insurance, l.id AS r_id, l.name AS r_name, l.area_code AS r_area,
                         t.id AS e_id, t.name AS e_name, t.area_code AS e_area, t.fault IS NULL AS e_valid,
                         {_evidence(e, "l", "t", names_within=3)}
                  FROM (SELECT DISTINCT * FROM ({" UNION ALL ".join(near)}) u) n
                  JOIN listed l ON l.row_no = n.r_row JOIN tag_free t ON t.row_no = n.e_row) x
            WHERE {_maybe_same_person(s)}
              -- a valid number several digits from a listed person who has their own record of that
              -- insurance is a neighbour's (the same-name, same-birthday kind), not theirs
              AND NOT (e_valid AND id_distance >= 2 AND EXISTS (
                  SELECT 1 FROM pairs p WHERE p.r_row = x.r_row AND p.insurance = x.insurance))) t
        WHERE e_rank = 1""",
    )
    parts += [
        """SELECT CASE r.insurance WHEN 'pension' THEN 'not_enrolled_pension' ELSE 'not_enrolled_medical' END,
                  r.insurance, r.row_no, NULL, r.id, r.name, r.area_code, NULL, NULL, NULL, NULL,
                  CASE WHEN EXISTS (SELECT 1 FROM scored c WHERE c.r_row = r.row_no AND c.insurance = r.insurance
                                    AND """
        + _maybe_same_person(s, "c")
        + """)
                       THEN '参保数据中无此人（有相近记录，见比对审核）' ELSE '参保数据中无此人' END
           FROM reg_rem r
           WHERE NOT EXISTS (SELECT 1 FROM fuzzy f WHERE f.r_row = r.row_no AND f.insurance = r.insurance)""",
        """SELECT 'tag_stale', e.insurance, x.row_no, e.row_no, x.id, x.name, x.area_code, e.id, e.name, e.area_code,
                  NULL, '建档立卡状态：' || x.status
           FROM enr e JOIN reg x ON x.id = e.id AND x.fault IS NULL
           WHERE e.tagged AND (NOT x.poor OR x.status = 'removed')  -- on the list: wherever enrolled""",
        """SELECT 'tag_stale', t.insurance, NULL, t.row_no, NULL, NULL, t.area_code, t.id, t.name, t.area_code, NULL,
                  '不在建档立卡名单中'
           FROM tag_free t WHERE NOT EXISTS (SELECT 1 FROM tag_near n WHERE n.e_row = t.row_no)""",
        f"""SELECT 'tag_stale_review', insurance, r_row, e_row, r_id, r_name, r_area, e_id, e_name, e_area,
                   {e.round("score", 3)},
                   '不在名单中，但可能是名单上的' || r_name || '：' || {_reason(e)} || '，核实后再定是否取消标识'
            FROM (SELECT *, {_score()} AS score FROM tag_near) n""",
    ]
    e.create("results", "SELECT * FROM (\n" + "\nUNION ALL\n".join(parts) + f"\n) t ({cols})")

    progress(7, steps, "汇总")
    counts = dict(e.rows("SELECT category, COUNT(*) FROM results GROUP BY category"))
    clock.lap("categories")
    return {c: int(counts.get(c, 0)) for c in CATEGORIES}


# Blocking keys over `body` (ID digits 7–17 as an integer, digit k at 10^(17−k)): each leaves out one
# window, so a number with one wrong digit or two swapped adjacent digits keeps at least one key.
BLOCKS = [
    lambda e, t: e.div(f"{t}.body", 1000),  # 7–14, the birth date: faults in 15–18
    lambda e, t: (
        f"{e.div(f'{t}.body', 10000000)} * 1000 + {t}.body % 1000"
    ),  # 7–10 and 15–17: faults in month and day
    lambda e, t: f"{t}.body % 10000000",  # 11–17: faults in the year
    lambda e, t: (
        f"{e.div(f'{t}.body', 100000000)} * 1000000 + {t}.body % 1000000"
    ),  # without 10–11: a swap across year and month
    lambda e, t: (
        f"{e.div(f'{t}.body', 10000)} * 100 + {t}.body % 100"
    ),  # without 14–15: a swap across date and sequence
]


def _evidence(e: DuckDBEngine | SparkEngine, r: str, x: str, names_within: int) -> str:
    """Columns comparing registry person `r` with enrolment row `x`: name_score, id_distance (edit
    distance of the first 17 characters, a swap counting one), same_body, swap, same_village.
    Names are compared (a Python UDF, the costly part) only where the numbers are at most
    `names_within` edits apart; further apart, no name can make a pair (name_score 0)."""
    body_r, body_x = f"substr({r}.id, 1, 17)", f"substr({x}.id, 1, 17)"
    return (
        f"CASE WHEN {e.edit_distance(body_r, body_x)} <= {names_within} THEN "
        f"name_sim({r}.name, {x}.name) ELSE 0.0 END AS name_score, "
        f"{e.edit_distance(body_r, body_x)} AS id_distance, "
        f"COALESCE({body_r} = {body_x}, false) AS same_body, "
        f"COALESCE(length({body_r}) = 17 AND levenshtein({body_r}, {body_x}) = 2 "
        f"AND {e.edit_distance(body_r, body_x)} = 1, false) AS swap, "
        f"COALESCE({r}.area_code = {x}.area_code, false) AS same_village"
    )


def _same_person(s: Settings, t: str = "") -> str:
    """Certain enough to put before a reviewer as the same person: the first 17 digits equal (only
    the check character differs), or one digit or one swap apart with names that agree (in the
    same village, names half alike: a character dropped or misheard beyond a homophone)."""
    p = f"{t}." if t else ""
    return (
        f"({p}same_body OR ({p}id_distance = 1 AND ({p}name_score >= {s.name_min}"
        f" OR ({p}same_village AND {p}name_score >= {s.name_min_same_village}))))"
    )


def _maybe_same_person(s: Settings, t: str = "") -> str:
    """Might be the same person: an ID one digit or one swap away whatever the name, or a name that
    agrees with an ID a few digits away. Such a row is never untagged without a person's decision."""
    p = f"{t}." if t else ""
    return f"({p}same_body OR {p}id_distance <= 1 OR ({p}name_score >= {s.name_min} AND {p}id_distance <= 3))"


def _score() -> str:
    """0..1 for ranking a person's pairs: half the name, half the ID (equal body, one apart, more)."""
    return (
        "0.5 * name_score + 0.5 * CASE WHEN same_body THEN 1.0 WHEN id_distance = 1 THEN 0.9 "
        "WHEN id_distance = 2 THEN 0.5 ELSE 0.2 END + CASE WHEN same_village THEN 0.001 ELSE 0 END"
    )


def _reason(e: DuckDBEngine | SparkEngine) -> str:
    return (
        f"'姓名相似度 ' || CAST({e.round('name_score', 2)} AS STRING) || '，身份证号' || "
        "CASE WHEN same_body THEN '仅校验码不同' "
        "WHEN swap THEN '前17位中两位相邻数字颠倒' WHEN id_distance = 1 THEN '前17位相差1位' "
        "ELSE '前17位相差' || CAST(id_distance AS STRING) || '位' END"
    )


def by_area(engine: DuckDBEngine | SparkEngine, digits: int = 9) -> dict[str, dict[str, int]]:
    """{area prefix (township by default): {category: count}}."""
    out: dict[str, dict[str, int]] = {}
    for code, cat, n in engine.rows(
        f"SELECT substr(area_code, 1, {digits}), category, COUNT(*) FROM results GROUP BY 1, 2"
    ):
        out.setdefault(code or "", {})[cat] = int(n)
    return out
