"""信息比对: the poverty registry against a social-insurance enrolment extract.

One SQL pipeline over two tables, `registry` and `enrolment` (see COLUMNS). Steps:

1. normalise IDs and check them (length, characters, province, birth date, check character);
2. `invalid_id` and `duplicate_id` on either side;
3. exact match by ID → `matched`, `enrolled_elsewhere`, `suspended`, `deceased`, and the flags
   `tag_missing` and `premium_not_subsidised`;
4. for registry persons still without an enrolment row: candidate pairs blocked by
   (birth date, sex, county) or (county, name), scored by name similarity (pinyin and
   look-alike characters), ID edit distance and village → `id_mismatch_candidate`
   (never merged automatically: a person reviews each pair);
5. the rest → `not_enrolled_pension` / `not_enrolled_medical`; tagged enrolment rows of the
   registry's counties that belong to no one on the list → `tag_stale`.

Django-free; the engine is an adapter (engine.py). The Django job is a thin wrapper.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

from fupin.policy.packs import load_pack
from fupin.policy.params import Parameter, Strict
from fupin.registry.idnumber import PROVINCES

CATEGORIES = [
    "matched", "not_enrolled_pension", "not_enrolled_medical", "enrolled_elsewhere", "suspended",
    "premium_not_subsidised", "tag_missing", "tag_stale", "id_mismatch_candidate", "invalid_id",
    "duplicate_id", "deceased",
]  # fmt: skip
LABELS = {
    "matched": "已参保（比对一致）", "not_enrolled_pension": "未参加养老保险", "not_enrolled_medical": "未参加医疗保险",
    "enrolled_elsewhere": "在外县参保", "suspended": "参保暂停或终止", "premium_not_subsidised": "应代缴未代缴",
    "tag_missing": "未做贫困人员标识", "tag_stale": "标识应取消", "id_mismatch_candidate": "疑似同一人（身份证号不一致）",
    "invalid_id": "身份证号无效", "duplicate_id": "身份证号重复", "deceased": "参保系统显示已死亡",
}  # fmt: skip
COLUMNS = {
    "registry": ["id_number", "name", "area_code", "status", "poor", "dibao", "tekun", "severe_disability"],
    "enrolment": ["id_number", "name", "area_code", "insurance", "enrolment_status", "poverty_tag", "premium_subsidy", "deceased"],
}
FLAG_COLUMNS = {"registry": ["poor", "dibao", "tekun", "severe_disability"], "enrolment": ["poverty_tag", "premium_subsidy", "deceased"]}
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
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
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
    # A candidate pair counts when its score reaches this (0..1). Tuned on bench/compare.py.
    threshold: float = 0.8

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


def _id_frame(e, source: str, as_of: str) -> str:
    """Wrap `source` (a SELECT with a raw column `raw_id`) so it gains the cleaned `id` and its checks.

    Adds `id` (spaces, full-width spaces and dashes removed, upper case), `fault` (NULL when valid,
    else a Chinese reason), `birth` and `sex` (from a well-shaped ID). Each ID is cleaned, matched
    against its shape and cast to an integer once; the check character is integer arithmetic over
    that one number (vectorised), not seventeen substring casts.
    """
    check = " + ".join(f"((n17 // {10 ** (16 - i)}) % 10) * {w}" for i, w in enumerate(WEIGHTS))
    provinces = ", ".join(f"'{p}'" for p in PROVINCES)
    shape_re = "[0-9]{17}[0-9X]"
    raw = "CAST(raw_id AS VARCHAR)"
    return f"""
    SELECT * EXCLUDE (shape, n17, expected),
        CASE
            WHEN id IS NULL OR id = '' THEN '身份证号为空'
            WHEN length(id) <> 18 THEN '身份证号位数错误：应为18位'
            WHEN NOT shape THEN '身份证号含非法字符'
            WHEN substr(id, 1, 2) NOT IN ({provinces}) THEN '省份代码不存在'
            WHEN birth IS NULL OR birth > DATE '{as_of}' OR birth < DATE '1890-01-01' THEN '出生日期无效'
            WHEN substr(id, 18, 1) <> expected THEN '校验码错误，应为' || expected
            ELSE NULL END AS fault
    FROM (
        SELECT *, CASE WHEN shape THEN {e.try_date_ymd("substr(id, 7, 8)")} END AS birth,
               CASE WHEN shape THEN CASE WHEN (n17 % 2) = 1 THEN '男' ELSE '女' END END AS sex,
               substr('10X98765432', (({check}) % 11) + 1, 1) AS expected
        FROM (
            SELECT *, CASE WHEN shape THEN TRY_CAST(substr(id, 1, 17) AS BIGINT) END AS n17
            FROM (
                SELECT * EXCLUDE (raw_id, fast), fast OR (id IS NOT NULL AND {e.regex_full('id', shape_re)}) AS shape
                FROM (
                    SELECT *, CASE WHEN fast THEN {raw} ELSE {_clean_id(raw)} END AS id
                    FROM (SELECT *, COALESCE({e.regex_full(raw, shape_re)}, false) AS fast FROM ({source}) s0) s1
                ) s2
            ) s3
        ) s4
    ) s5"""


def _clean_id(col: str) -> str:
    return f"upper(replace(replace(replace(trim(CAST({col} AS VARCHAR)), ' ', ''), '\u3000', ''), '-', ''))"


def _flag(col: str) -> str:
    # check_inputs has admitted only 0/1, true/false and 是/否: a numeric or boolean column takes the
    # cheap integer path, text falls back to the spellings.
    return (f"COALESCE(TRY_CAST({col} AS INTEGER) = 1, "
            f"CAST({col} AS VARCHAR) = 'true' OR CAST({col} AS VARCHAR) = 'True' OR CAST({col} AS VARCHAR) = 'TRUE' "
            f"OR CAST({col} AS VARCHAR) = '是')")


def check_inputs(engine, labels: dict[str, str]) -> None:
    """Columns present, flags 0/1, domains respected; BadInput names the first bad row and column."""
    for table, cols in COLUMNS.items():
        have = set(engine.columns(table))
        missing = [c for c in cols if c not in have]
        if missing:
            raise BadInput(f"{labels[table]}：缺少列 {', '.join(missing)}（应有：{', '.join(cols)}）")
        first_data_line = 2 if labels.get(f"{table}_kind") == "csv" else 1
        checks = [(c, f"CAST({c} AS VARCHAR) NOT IN ('0', '1', 'true', 'false', 'True', 'False', 'TRUE', 'FALSE', '是', '否') OR {c} IS NULL", "应为 0 或 1")
                  for c in FLAG_COLUMNS[table]]  # fmt: skip
        checks.append(("id_number", "id_number IS NULL OR trim(CAST(id_number AS VARCHAR)) = ''", "身份证号为空"))
        checks.append(("area_code", "area_code IS NULL OR NOT regexp_full_match(trim(CAST(area_code AS VARCHAR)), '[0-9]{6}([0-9]{3}){0,2}')", "区划代码应为6、9或12位数字"))
        if table == "registry":
            allowed = ", ".join(f"'{s}'" for s in STATUSES)
            checks.append(("status", f"status IS NULL OR trim(status) NOT IN ({allowed})", "状态应为 new/poor/exited_policy/exited/returned/removed（或其中文名称）"))
        for c, values in DOMAINS.items():
            if c in cols:
                allowed = ", ".join(f"'{v}'" for v in values)
                checks.append((c, f"{c} IS NULL OR trim({c}) NOT IN ({allowed})", f"应为 {' / '.join(values)}"))
        # One scan for all checks: the first bad row of each; the first check (in order) that has one is reported.
        firsts = engine.rows("SELECT " + ", ".join(f"MIN(row_no) FILTER (WHERE {bad})" for _, bad, _ in checks) + f" FROM {table}")[0]
        for (col, _, message), row_no in zip(checks, firsts, strict=True):
            if row_no is not None:
                value = engine.rows(f"SELECT CAST({col} AS VARCHAR) FROM {table} WHERE row_no = {int(row_no)}")[0][0]
                line = row_no + first_data_line - 1
                raise BadInput(f"{labels[table]} 第{line}行“{col}”列：值“{value if value is not None else ''}”无效，{message}")


def run(engine, settings: Settings, progress=lambda step, total, label: None,
        timings: dict | None = None) -> dict:
    """Run every step on the engine's `registry` and `enrolment` tables; results in table `results`.

    Returns the summary {category: count} over all categories. `timings`, if given, receives the
    seconds spent per phase: ids (normalise and check IDs, duplicates), exact, fuzzy, categories.
    """
    clock = _Clock(timings)
    s = settings
    e = engine
    steps = 7
    as_of = s.as_of.isoformat()
    pension_cutoff = s.as_of.replace(year=s.as_of.year - s.pension_min_age) if not (s.as_of.month == 2 and s.as_of.day == 29) \
        else dt.date(s.as_of.year - s.pension_min_age, 2, 28)
    status_map = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in STATUSES.items())

    progress(1, steps, "规范身份证号")
    reg_src = f"""
        SELECT row_no, id_number AS raw_id, trim(name) AS name, trim(CAST(area_code AS VARCHAR)) AS area_code,
               substr(trim(CAST(area_code AS VARCHAR)), 1, 6) AS county,
               CASE trim(status) {status_map} END AS status,
               {_flag('poor')} AS poor, {_flag('dibao')} AS dibao, {_flag('tekun')} AS tekun,
               {_flag('severe_disability')} AS severe
        FROM registry"""
    e.create("reg", f"SELECT *, COUNT(*) OVER (PARTITION BY id) AS n_same FROM ({_id_frame(e, reg_src, as_of)}) t")
    # The extract is the big side (tens of millions of rows): one pass, no window over it.
    e.create("enr", _id_frame(e, f"""
            SELECT row_no, id_number AS raw_id, trim(name) AS name, trim(CAST(area_code AS VARCHAR)) AS area_code,
                   substr(trim(CAST(area_code AS VARCHAR)), 1, 6) AS county, trim(insurance) AS insurance,
                   trim(enrolment_status) AS enrolment_status,
                   {_flag('poverty_tag')} AS tagged, {_flag('premium_subsidy')} AS subsidised, {_flag('deceased')} AS deceased
            FROM enrolment""", as_of))

    progress(2, steps, "无效与重复身份证号")
    # Duplicates in the extract: a group-by kept only for the (few) repeated (id, insurance).
    e.create("enr_dup", "SELECT id, insurance, COUNT(*) AS n_same FROM enr WHERE id IS NOT NULL GROUP BY id, insurance HAVING COUNT(*) > 1")
    cols = "category, insurance, registry_row, enrolment_row, id_number, name, area_code, enrol_id_number, enrol_name, enrol_area_code, score, detail"
    parts = [
        "SELECT 'invalid_id', NULL, row_no, NULL, id, name, area_code, NULL, NULL, NULL, NULL, '建档立卡：' || fault FROM reg WHERE fault IS NOT NULL",
        "SELECT 'invalid_id', insurance, NULL, row_no, NULL, NULL, area_code, id, name, area_code, NULL, '参保数据：' || fault FROM enr WHERE fault IS NOT NULL",
        "SELECT 'duplicate_id', NULL, row_no, NULL, id, name, area_code, NULL, NULL, NULL, NULL, '建档立卡中出现' || CAST(n_same AS VARCHAR) || '次' FROM reg WHERE fault IS NULL AND n_same > 1",
        """SELECT 'duplicate_id', e.insurance, NULL, e.row_no, NULL, NULL, e.area_code, e.id, e.name, e.area_code, NULL,
                  '同一险种参保数据中出现' || CAST(d.n_same AS VARCHAR) || '次'
           FROM enr e JOIN enr_dup d ON d.id = e.id AND d.insurance = e.insurance WHERE e.fault IS NULL""",
    ]

    clock.lap("ids")
    progress(3, steps, "按身份证号精确比对")
    e.create("reg_ok", "SELECT * FROM reg WHERE fault IS NULL AND n_same = 1")
    # The best enrolment row per person and insurance (active before suspended before terminated):
    # the window runs over the matched pairs only, not over the whole extract.
    e.create("pairs", """
        SELECT * EXCLUDE (rk) FROM (
            SELECT r.row_no AS r_row, e.row_no AS e_row, r.id, r.name AS r_name, e.name AS e_name, r.area_code AS r_area,
                   e.area_code AS e_area, r.county AS r_county, e.county AS e_county, r.status, r.poor, r.dibao, r.tekun, r.severe,
                   e.insurance, e.enrolment_status, e.tagged, e.subsidised, e.deceased,
                   ROW_NUMBER() OVER (PARTITION BY r.row_no, e.insurance ORDER BY
                       CASE e.enrolment_status WHEN 'active' THEN 0 WHEN 'suspended' THEN 1 ELSE 2 END, e.row_no) AS rk
            FROM reg_ok r JOIN enr e ON e.id = r.id
            WHERE e.fault IS NULL) t
        WHERE rk = 1""")
    pair_cols = "{cat}, insurance, r_row, e_row, id, r_name, r_area, id, e_name, e_area, NULL, {detail}"
    on_list = "status <> 'removed'"
    parts += [
        "SELECT " + pair_cols.format(cat="'deceased'", detail="'参保系统显示已死亡，建档立卡仍为' || status") + f" FROM pairs WHERE deceased AND {on_list}",
        "SELECT " + pair_cols.format(cat="'suspended'", detail="'参保状态：' || enrolment_status") + " FROM pairs WHERE NOT deceased AND enrolment_status IN ('suspended', 'terminated')",
        "SELECT " + pair_cols.format(cat="'enrolled_elsewhere'", detail="'参保地 ' || e_area") + " FROM pairs WHERE NOT deceased AND enrolment_status = 'active' AND e_county <> r_county",
        "SELECT " + pair_cols.format(cat="'matched'", detail="NULL") + " FROM pairs WHERE NOT deceased AND enrolment_status = 'active' AND e_county = r_county",
        "SELECT " + pair_cols.format(cat="'tag_missing'", detail="'在建档立卡名单中，参保系统未标识'") + f" FROM pairs WHERE poor AND {on_list} AND NOT deceased AND NOT tagged",
        "SELECT " + pair_cols.format(cat="'premium_not_subsidised'", detail="'应由政府代缴个人缴费'") +
        f" FROM pairs WHERE (poor OR dibao OR tekun OR severe) AND {on_list} AND NOT deceased AND enrolment_status = 'active' AND e_county = r_county AND NOT subsidised",
    ]  # fmt: skip

    clock.lap("exact")
    progress(4, steps, "模糊比对候选（出生日期+性别+县 / 县+姓名）")
    e.create("reg_rem", f"""
        SELECT r.*, i.insurance FROM reg_ok r
        CROSS JOIN (SELECT 'pension' AS insurance UNION ALL SELECT 'medical') i
        WHERE r.poor AND r.{on_list} AND (i.insurance = 'medical' OR r.birth <= DATE '{pension_cutoff.isoformat()}')
          AND NOT EXISTS (SELECT 1 FROM pairs p WHERE p.r_row = r.row_no AND p.insurance = i.insurance)""")
    # The extract's side of the remainder: rows whose ID is nobody's on the list and that share a
    # block with a registry person still unmatched; rows outside every block can never be a candidate.
    e.create("enr_rem", """
        SELECT * FROM (
            SELECT * FROM enr e
            WHERE EXISTS (SELECT 1 FROM reg_rem r WHERE r.insurance = e.insurance AND r.birth = e.birth
                                                    AND r.sex = e.sex AND r.county = e.county)
               OR EXISTS (SELECT 1 FROM reg_rem r WHERE r.insurance = e.insurance AND r.county = e.county AND r.name = e.name)) e
        WHERE NOT EXISTS (SELECT 1 FROM reg x WHERE x.id = e.id)""")
    e.create("cand", """
        SELECT DISTINCT r_row, e_row, insurance FROM (
            SELECT r.row_no AS r_row, e.row_no AS e_row, r.insurance FROM reg_rem r JOIN enr_rem e
              ON e.insurance = r.insurance AND e.birth = r.birth AND e.sex = r.sex AND e.county = r.county
            UNION ALL
            SELECT r.row_no, e.row_no, r.insurance FROM reg_rem r JOIN enr_rem e
              ON e.insurance = r.insurance AND e.county = r.county AND e.name = r.name) t""")

    progress(5, steps, "姓名相似度（拼音、形近字）与评分")
    dist = e.edit_distance("r.id", "e.id")
    e.create("scored", f"""
        SELECT c.r_row, c.e_row, c.insurance, r.id AS r_id, r.name AS r_name, r.area_code AS r_area,
               e.id AS e_id, e.name AS e_name, e.area_code AS e_area, e.tagged,
               name_sim(r.name, e.name) AS name_score, {dist} AS id_distance,
               CASE WHEN r.area_code = e.area_code THEN 1 ELSE 0 END AS same_village,
               CASE WHEN substr(r.id, 1, 17) = substr(e.id, 1, 17) THEN 1 ELSE 0 END AS same_body
        FROM cand c JOIN reg_rem r ON r.row_no = c.r_row AND r.insurance = c.insurance
        JOIN enr_rem e ON e.row_no = c.e_row""")
    e.create("fuzzy", f"""
        SELECT * FROM (
            SELECT *, ROW_NUMBER() OVER (PARTITION BY r_row, insurance ORDER BY score DESC, e_row) AS r_rank,
                      ROW_NUMBER() OVER (PARTITION BY e_row ORDER BY score DESC, r_row) AS e_rank
            FROM (SELECT *, GREATEST(0.55 * name_score
                        + 0.35 * CASE WHEN id_distance <= 1 THEN 1.0 WHEN id_distance = 2 THEN 0.8 WHEN id_distance = 3 THEN 0.4 ELSE 0.0 END
                        + 0.10 * same_village,
                        -- The first 17 digits (area, birth date, sequence number) identify a person; the 18th is
                        -- only their checksum. The same 17 digits in the same village is the same person
                        -- whatever the name was typed as (the 18th character mistyped).
                        CASE WHEN same_body = 1 AND same_village = 1 THEN {s.threshold} + 0.05 ELSE 0.0 END) AS score
                  FROM scored) t
            WHERE score >= {s.threshold}) t
        WHERE r_rank = 1 AND e_rank = 1""")
    parts.append("""SELECT 'id_mismatch_candidate', insurance, r_row, e_row, r_id, r_name, r_area, e_id, e_name, e_area,
                     ROUND(score, 3), '姓名相似度 ' || CAST(ROUND(name_score, 2) AS VARCHAR) || '，身份证号相差 ' || CAST(id_distance AS VARCHAR) || ' 位'
                     FROM fuzzy""")

    clock.lap("fuzzy")
    progress(6, steps, "未参保与应取消标识")
    parts += [
        """SELECT CASE r.insurance WHEN 'pension' THEN 'not_enrolled_pension' ELSE 'not_enrolled_medical' END, r.insurance,
                  r.row_no, NULL, r.id, r.name, r.area_code, NULL, NULL, NULL, NULL, '参保数据中无此人'
           FROM reg_rem r WHERE NOT EXISTS (SELECT 1 FROM fuzzy f WHERE f.r_row = r.row_no AND f.insurance = r.insurance)""",
        """SELECT 'tag_stale', e.insurance, x.row_no, e.row_no, x.id, x.name, x.area_code, e.id, e.name, e.area_code, NULL,
                   CASE WHEN x.row_no IS NULL THEN '不在建档立卡名单中' ELSE '建档立卡状态：' || x.status END
            FROM enr e LEFT JOIN reg x ON x.id = e.id AND x.fault IS NULL
            WHERE e.tagged
              AND ((x.row_no IS NOT NULL AND (NOT x.poor OR x.status = 'removed'))  -- on the list: wherever enrolled
                   OR (x.row_no IS NULL AND e.county IN (SELECT DISTINCT county FROM reg)
                       AND NOT EXISTS (SELECT 1 FROM fuzzy f WHERE f.e_row = e.row_no)))""",
    ]
    e.create("results", "SELECT * FROM (\n" + "\nUNION ALL\n".join(parts) + f"\n) t ({cols})")

    progress(7, steps, "汇总")
    counts = dict(e.rows("SELECT category, COUNT(*) FROM results GROUP BY category"))
    clock.lap("categories")
    return {c: int(counts.get(c, 0)) for c in CATEGORIES}


def by_area(engine, digits: int = 9) -> dict[str, dict[str, int]]:
    """{area prefix (township by default): {category: count}}."""
    out: dict[str, dict[str, int]] = {}
    for code, cat, n in engine.rows(f"SELECT substr(area_code, 1, {digits}), category, COUNT(*) FROM results GROUP BY 1, 2"):
        out.setdefault(code or "", {})[cat] = int(n)
    return out
