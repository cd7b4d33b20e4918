"""信息比对 benchmark: a synthetic province — registry persons and an insurance enrolment extract
with injected faults — compared by fupin's pipeline; each category's precision and recall
against the injected truth; and Splink (DuckDB backend) on the same fuzzy remainder.

    .venv/bin/python bench/compare.py [--persons 1000000] [--rows 20000000] [--no-splink]

Faults injected into the extract, one per row at most: wrong check character, two swapped
digits, an ID fault plus a homophone / look-alike name, a homophone name alone, moved to
another county, suspended or terminated, missing poverty tag, premium not subsidised,
deceased; not enrolled at all; stale tags on persons who left or are not on the list;
duplicated rows. Everything is generated with NumPy from a fixed seed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from fupin.exchange.comparison import CATEGORIES, DuckDBEngine, Settings, compare_files  # noqa: E402
from fupin.exchange.comparison.names import LOOKALIKE_GROUPS  # noqa: E402

AS_OF = dt.date(2020, 6, 30)
WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
CHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)
SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
HOMO = [("丽", "莉"), ("伟", "玮"), ("静", "晶"), ("军", "君"), ("华", "桦"), ("明", "铭"), ("英", "瑛"), ("红", "虹"), ("芳", "方"),
        ("平", "萍"), ("敏", "民"), ("杰", "洁"), ("林", "琳"), ("刚", "钢"), ("燕", "艳"), ("勇", "永"), ("涛", "韬"), ("辉", "晖"),
        ("霞", "侠"), ("峰", "锋"), ("斌", "彬"), ("娟", "鹃"), ("玲", "铃"), ("强", "蔷"), ("磊", "垒"), ("超", "钞"), ("秀", "绣")]  # fmt: skip
PAIRS = HOMO + [
    (g[0], g[1])
    for g in LOOKALIKE_GROUPS
    if len(g) >= 2 and all("\u4e00" <= c <= "\u9fff" for c in g[:2])
]
GIVEN = [a for a, _ in PAIRS] + list("国建文春海志永德金秋雪梅兰桂珍凤荣淑云宁波浩宇欣怡佳俊")
PARTNER = {a: b for a, b in PAIRS}


def ids_matrix(county: np.ndarray, days: np.ndarray, seq: np.ndarray) -> np.ndarray:
    """N×18 uint8 ASCII ID numbers with correct check characters."""
    born = np.datetime64("1930-01-01") + days.astype("timedelta64[D]")
    date_num = _ymd(born)
    first = np.empty((len(county), 17), dtype=np.int64)
    for k in range(6):
        first[:, k] = (county // 10 ** (5 - k)) % 10
    for k in range(8):
        first[:, 6 + k] = (date_num // 10 ** (7 - k)) % 10
    for k in range(3):
        first[:, 14 + k] = (seq // 10 ** (2 - k)) % 10
    out = np.empty((len(county), 18), dtype=np.uint8)
    out[:, :17] = first + 48
    out[:, 17] = CHECK[(first @ WEIGHTS) % 11]
    return out


def _ymd(born: np.ndarray) -> np.ndarray:
    y = born.astype("datetime64[Y]").astype(np.int64) + 1970
    m = born.astype("datetime64[M]").astype(np.int64) % 12 + 1
    d = (born - born.astype("datetime64[M]")).astype(np.int64) + 1
    return y * 10000 + m * 100 + d


def as_str(m: np.ndarray) -> pl.Series:
    return pl.Series(np.ascontiguousarray(m).view("S18").ravel()).cast(pl.Utf8)


def generate(n_persons: int, n_rows: int, seed: int = 2017):
    rng = np.random.default_rng(seed)
    counties = np.array(
        [360200 + 2 * i + 2 for i in range(40)], dtype=np.int64
    )  # 40 counties of one province
    n_days = (AS_OF - dt.date(1930, 1, 1)).days - 365
    # Registry persons: seq 000–499, unique.
    c = rng.integers(0, len(counties), n_persons * 11 // 10)
    days = rng.integers(0, n_days, len(c))
    seq = rng.integers(0, 500, len(c))
    key = (c * n_days + days) * 500 + seq
    _, first = np.unique(key, return_index=True)
    first = np.sort(rng.permutation(first)[:n_persons])
    c, days, seq = c[first], days[first], seq[first]
    n = len(c)
    ids = ids_matrix(counties[c], days, seq)
    village = counties[c] * 1_000_000 + 100_000 + rng.integers(1, 200, n)
    sur = rng.integers(0, len(SURNAMES), n)
    g1 = rng.integers(0, len(GIVEN), n)
    g2 = rng.integers(-len(GIVEN) // 2, len(GIVEN), n)  # a third have one-character given names
    names = [
        SURNAMES[s] + GIVEN[a] + (GIVEN[b] if b >= 0 else "")
        for s, a, b in zip(sur, g1, g2, strict=True)
    ]
    u = rng.random(n)
    status = np.where(
        u < 0.80,
        "exited_policy",
        np.where(u < 0.86, "poor", np.where(u < 0.95, "exited", "removed")),
    )
    poor = np.isin(status, ["exited_policy", "poor"])
    dibao, tekun, severe = rng.random(n) < 0.2, rng.random(n) < 0.03, rng.random(n) < 0.03
    reg = pl.DataFrame(
        {
            "id_number": as_str(ids),
            "name": names,
            "area_code": village.astype(str),
            "status": status,
            "poor": poor.astype(np.int8),
            "dibao": dibao.astype(np.int8),
            "tekun": tekun.astype(np.int8),
            "severe_disability": severe.astype(np.int8),
        }
    )
    # 16 on or before the as-of date (the 16th birthday counts), as the pipeline reads the rule.
    born = np.datetime64("1930-01-01") + days.astype("timedelta64[D]")
    adult = born <= np.datetime64(AS_OF.replace(year=AS_OF.year - 16))
    # Enrolment rows of registry persons: medical for all, pension for adults.
    rows = []
    for ins, eligible in (("medical", np.ones(n, bool)), ("pension", adult)):
        idx = np.nonzero(eligible)[0]
        enrolled = rng.random(len(idx)) >= (0.03 if ins == "medical" else 0.05)
        rows.append((ins, idx, enrolled))
    parts, truth = [], []
    for ins, idx, enrolled in rows:
        miss = idx[~enrolled]
        target = poor[miss] & (status[miss] != "removed")
        truth.append(
            pl.DataFrame(
                {
                    "category": f"not_enrolled_{ins}",
                    "rid": as_str(ids[miss[target]]),
                    "insurance": ins,
                    "eid": None,
                }
            )
        )
        p = idx[enrolled]
        m = len(p)
        e_ids = ids[p].copy()
        e_names = [names[i] for i in p]
        e_area = village[p].copy()
        e_status = np.full(m, "active", dtype=object)
        tag = poor[p].copy()
        entitled = (poor[p] | dibao[p] | tekun[p] | severe[p]) & (status[p] != "removed")
        subsidy = entitled.copy()
        dead = np.zeros(m, bool)
        f = rng.random(m)
        on = status[p] != "removed"
        wrong = f < 0.010
        swap = (f >= 0.010) & (f < 0.015)
        both = (f >= 0.015) & (f < 0.017)
        rename = (f >= 0.017) & (f < 0.027)
        moved = (f >= 0.027) & (f < 0.032) & on
        susp = (f >= 0.032) & (f < 0.042) & on
        untag = (f >= 0.042) & (f < 0.062) & poor[p] & on
        unsub = (f >= 0.062) & (f < 0.072) & entitled
        died = (f >= 0.072) & (f < 0.075) & on
        e_ids[wrong | both, 17] = np.where(e_ids[wrong | both, 17] == ord("0"), ord("1"), ord("0"))
        sw = np.nonzero(swap)[0]
        pos = rng.integers(6, 16, len(sw))
        a, b = e_ids[sw, pos].copy(), e_ids[sw, pos + 1].copy()
        same = a == b
        e_ids[sw, pos], e_ids[sw, pos + 1] = b, a
        e_ids[sw[same], 17] = np.where(
            e_ids[sw[same], 17] == ord("2"), ord("3"), ord("2")
        )  # equal digits: break the check char instead
        for i in np.nonzero(both | rename)[0]:
            nm = e_names[i]
            j = next((k for k in range(len(nm) - 1, 0, -1) if nm[k] in PARTNER), None)
            e_names[i] = nm[:j] + PARTNER[nm[j]] + nm[j + 1 :] if j is not None else nm[:-1] + "莉"
        e_area[moved] = (e_area[moved] % 1_000_000) + 360100 * 1_000_000
        e_status[susp] = np.where(rng.random(susp.sum()) < 0.5, "suspended", "terminated")
        tag[untag] = False
        subsidy[unsub] = False
        dead[died] = True
        gone = status[p] == "removed"
        dead[gone] = rng.random(gone.sum()) < 0.8
        tag[gone] = rng.random(gone.sum()) < 0.5
        ex = status[p] == "exited"
        tag[ex] = rng.random(ex.sum()) < 0.4
        rid, eid = as_str(ids[p]), as_str(e_ids)
        parts.append(
            pl.DataFrame(
                {
                    "id_number": eid,
                    "name": e_names,
                    "area_code": e_area.astype(str),
                    "insurance": ins,
                    "enrolment_status": e_status.astype(str),
                    "poverty_tag": tag.astype(np.int8),
                    "premium_subsidy": subsidy.astype(np.int8),
                    "deceased": dead.astype(np.int8),
                }
            )
        )
        idfault = wrong | swap | both
        exact = ~idfault
        cnt = (e_area // 1_000_000) == (village[p] // 1_000_000)
        t = pl.DataFrame(
            {
                "rid": rid,
                "eid": eid,
                "insurance": ins,
                "exact": exact,
                "dead": dead,
                "on": on,
                "active": e_status == "active",
                "same": cnt,
                "poor": poor[p],
                "tag": tag,
                "entitled": entitled,
                "subsidy": subsidy,
                "idfault": idfault,
                "target": poor[p] & on & ((ins == "medical") | adult[p]),
            }
        )
        truth += [
            t.filter(pl.col("exact") & pl.col("dead") & pl.col("on")).select(
                category=pl.lit("deceased"), rid="rid", insurance="insurance", eid=None
            ),
            t.filter(pl.col("exact") & ~pl.col("dead") & ~pl.col("active")).select(
                category=pl.lit("suspended"), rid="rid", insurance="insurance", eid=None
            ),
            t.filter(pl.col("exact") & ~pl.col("dead") & pl.col("active") & ~pl.col("same")).select(
                category=pl.lit("enrolled_elsewhere"), rid="rid", insurance="insurance", eid=None
            ),
            t.filter(pl.col("exact") & ~pl.col("dead") & pl.col("active") & pl.col("same")).select(
                category=pl.lit("matched"), rid="rid", insurance="insurance", eid=None
            ),
            t.filter(
                pl.col("exact") & pl.col("poor") & pl.col("on") & ~pl.col("dead") & ~pl.col("tag")
            ).select(category=pl.lit("tag_missing"), rid="rid", insurance="insurance", eid=None),
            t.filter(
                pl.col("exact")
                & pl.col("entitled")
                & ~pl.col("dead")
                & pl.col("active")
                & pl.col("same")
                & ~pl.col("subsidy")
            ).select(
                category=pl.lit("premium_not_subsidised"),
                rid="rid",
                insurance="insurance",
                eid=None,
            ),
            t.filter(pl.col("exact") & pl.col("tag") & (~pl.col("poor") | ~pl.col("on"))).select(
                category=pl.lit("tag_stale"), rid=None, insurance="insurance", eid="eid"
            ),
            t.filter(pl.col("idfault") & pl.col("target")).select(
                category=pl.lit("id_mismatch_candidate"),
                rid="rid",
                insurance="insurance",
                eid="eid",
            ),
            t.filter(pl.col("idfault") & ~pl.col("target") & pl.col("tag")).select(
                category=pl.lit("tag_stale"), rid=None, insurance="insurance", eid="eid"
            ),
            t.filter(pl.col("idfault")).select(
                category=pl.lit("invalid_id"), rid=None, insurance="insurance", eid="eid"
            ),
        ]
    enr = pl.concat(parts)
    # Everyone else in the province: seq 500–999, one or two rows each, a few stale tags, a few duplicates.
    others = max(0, n_rows - enr.height)
    k = others * 2 // 3 + 1
    oc = rng.integers(0, len(counties), k * 11 // 10)
    od = rng.integers(0, n_days, len(oc))
    os_ = rng.integers(500, 1000, len(oc))
    _, firsto = np.unique((oc * n_days + od) * 500 + (os_ - 500), return_index=True)
    firsto = rng.permutation(firsto)[:k]
    oc, od, os_ = oc[firsto], od[firsto], os_[firsto]
    o_ids = as_str(ids_matrix(counties[oc], od, os_))
    o_names = [
        SURNAMES[s] + GIVEN[a] + GIVEN[b]
        for s, a, b in zip(
            rng.integers(0, len(SURNAMES), len(oc)),
            rng.integers(0, len(GIVEN), len(oc)),
            rng.integers(0, len(GIVEN), len(oc)),
            strict=True,
        )
    ]
    o_area = (counties[oc] * 1_000_000 + 100_000 + rng.integers(1, 200, len(oc))).astype(str)
    base = pl.DataFrame({"id_number": o_ids, "name": o_names, "area_code": o_area})
    second = base.head(max(0, others - len(oc)))
    o_tag = lambda m: (rng.random(m) < 0.001).astype(np.int8)  # noqa: E731
    other_rows = pl.concat(
        [
            base.with_columns(
                insurance=pl.lit("medical"),
                enrolment_status=pl.lit("active"),
                poverty_tag=o_tag(base.height),
                premium_subsidy=pl.lit(0, pl.Int8),
                deceased=pl.lit(0, pl.Int8),
            ),
            second.with_columns(
                insurance=pl.lit("pension"),
                enrolment_status=pl.lit("active"),
                poverty_tag=o_tag(second.height),
                premium_subsidy=pl.lit(0, pl.Int8),
                deceased=pl.lit(0, pl.Int8),
            ),
        ]
    ).with_columns(pl.col("poverty_tag").cast(pl.Int8))
    dups = other_rows.sample(n=max(1, other_rows.height // 2000), seed=seed)
    enr = pl.concat(
        [enr, other_rows.with_columns(pl.col("poverty_tag").cast(pl.Int8)), dups],
        how="vertical_relaxed",
    )
    truth += [
        other_rows.filter(pl.col("poverty_tag") == 1).select(
            category=pl.lit("tag_stale"),
            rid=pl.lit(None, pl.Utf8),
            insurance="insurance",
            eid="id_number",
        ),
        dups.select(
            category=pl.lit("duplicate_id"),
            rid=pl.lit(None, pl.Utf8),
            insurance="insurance",
            eid="id_number",
        ),
    ]
    truth = pl.concat(
        [
            t.with_columns(
                pl.col("rid").cast(pl.Utf8),
                pl.col("eid").cast(pl.Utf8),
                pl.col("insurance").cast(pl.Utf8),
            )
            for t in truth
        ]
    ).unique()
    shuffled = enr.sample(fraction=1.0, shuffle=True, seed=seed)
    return reg, shuffled, truth


def key(df: pl.DataFrame, category: str) -> pl.DataFrame:
    if category in ("id_mismatch_candidate",):
        return df.select("rid", "eid", "insurance")
    if category in ("tag_stale", "invalid_id", "duplicate_id"):
        return df.select("eid", "insurance")
    return df.select("rid", "insurance")


def scores(pred: pl.DataFrame, truth: pl.DataFrame) -> tuple[float, float, int, int]:
    cols = pred.columns
    p, t = pred.unique(), truth.select(cols).unique()
    hit = p.join(t, on=cols, how="inner", nulls_equal=True).height
    return (
        (hit / p.height if p.height else 1.0),
        (hit / t.height if t.height else 1.0),
        p.height,
        t.height,
    )


def run_splink(reg_rem: pl.DataFrame, enr_rem: pl.DataFrame) -> tuple[pl.DataFrame, float]:
    """Splink (DuckDB backend) linking the two sides of the fuzzy remainder, one-to-one as ours.

    Splink gets the same information our scorer uses: the name, its toneless pinyin (homophones),
    the ID (its first 17 digits, and edit distance) and the village; blocking as ours. The prior
    (probability that two random records match) is estimated from a deterministic rule, u by
    random sampling, m by EM on the (birth date, sex, county) blocks. Timed from registering the
    frames to the one-to-one pairs.
    """
    import duckdb
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    started = time.perf_counter()
    con = duckdb.connect()
    con.execute("SET threads = 2")
    db_api = DuckDBAPI(connection=con)
    left = db_api.register(reg_rem.to_arrow(), dataset_display_name="registry")
    right = db_api.register(enr_rem.to_arrow(), dataset_display_name="enrolment")
    settings = SettingsCreator(
        link_type="link_only",
        unique_id_column_name="uid",
        blocking_rules_to_generate_predictions=[
            block_on("insurance", "birth", "sex", "county"),
            block_on("insurance", "county", "name"),
        ],
        comparisons=[
            cl.CustomComparison(
                output_column_name="name",
                comparison_levels=[
                    cll.NullLevel("name"),
                    cll.ExactMatchLevel("name"),
                    cll.ExactMatchLevel("name_pinyin"),
                    cll.JaroWinklerLevel("name", 0.9),
                    cll.JaroWinklerLevel("name", 0.7),
                    cll.ElseLevel(),
                ],
            ),
            cl.CustomComparison(
                output_column_name="id",
                comparison_levels=[
                    cll.NullLevel("id"),
                    cll.ExactMatchLevel("id_body"),
                    cll.DamerauLevenshteinLevel("id", 1),
                    cll.DamerauLevenshteinLevel("id", 2),
                    cll.ElseLevel(),
                ],
            ),
            cl.ExactMatch("area_code"),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=True,
    )
    linker = Linker([left, right], settings)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("insurance", "birth", "sex", "area_code", "name_pinyin")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("insurance", "birth", "sex", "county")
    )
    pred = linker.inference.predict(threshold_match_probability=0.9)
    df = pl.from_arrow(
        con.sql(
            f"SELECT uid_l, uid_r, match_probability FROM {pred.physical_name}"
        ).to_arrow_table()
    )
    # Splink may put either input on the left; registry uids carry "_insurance".
    swap = pl.col("uid_r").str.contains("_")
    df = df.select(
        uid_l=pl.when(swap).then("uid_r").otherwise("uid_l"),
        uid_r=pl.when(swap).then("uid_l").otherwise("uid_r"),
        match_probability="match_probability",
    )
    # One-to-one, as ours: the best pair for each registry person×insurance and each enrolment row.
    best = (df.sort("match_probability", descending=True).unique(subset=["uid_l"], keep="first")
            .unique(subset=["uid_r"], keep="first"))  # fmt: skip
    out = best.select(
        rid="uid_l", eid="uid_r", insurance=pl.col("uid_l").str.split("_").list.last()
    )
    return out, time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--rows", type=int, default=20_000_000)
    ap.add_argument("--no-splink", action="store_true")
    args = ap.parse_args()
    t0 = time.perf_counter()
    reg, enr, truth = generate(args.persons, args.rows)
    print(
        f"generated {reg.height:,} registry persons, {enr.height:,} enrolment rows in {time.perf_counter() - t0:.1f} s"
    )
    with tempfile.TemporaryDirectory() as tmp:
        reg_path, enr_path = Path(tmp) / "registry.parquet", Path(tmp) / "enrolment.parquet"
        reg.write_parquet(reg_path)
        enr.write_parquet(enr_path)
        del enr
        engine = DuckDBEngine(threads=2)
        timings: dict[str, float] = {}
        started, cpu = time.perf_counter(), time.process_time()
        compare_files(
            str(reg_path),
            str(enr_path),
            str(Path(tmp) / "out"),
            Settings.from_pack("fuliang-2018", as_of=AS_OF),
            engine=engine,
            timings=timings,
        )
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        print(
            f"fupin compare (DuckDB, 2 threads): {elapsed:.1f} s wall, {cpu:.1f} s CPU  (goal < 60 s: {'met' if elapsed < 60 else 'NOT met'})"
        )
        print("  " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
        print(
            "  (read = open the files and check every column; ids = normalise and check every ID, duplicates; "
            "exact = match by ID; fuzzy = blocked candidates, name similarity, scoring; categories = result table; write = CSVs)"
        )
        res = pl.from_arrow(
            engine.arrow(
                "SELECT category, insurance, id_number AS rid, enrol_id_number AS eid FROM results"
            )
        )
        print(f"{'category':<24}{'found':>10}{'truth':>10}{'precision':>11}{'recall':>9}")
        for cat in CATEGORIES:
            pred = key(res.filter(pl.col("category") == cat), cat)
            tru = key(truth.filter(pl.col("category") == cat), cat)
            p, r, n_p, n_t = scores(pred, tru)
            print(f"{cat:<24}{n_p:>10,}{n_t:>10,}{p:>11.4f}{r:>9.4f}")
        ours = key(
            res.filter(pl.col("category") == "id_mismatch_candidate"), "id_mismatch_candidate"
        )
        tru = key(
            truth.filter(pl.col("category") == "id_mismatch_candidate"), "id_mismatch_candidate"
        )
        p, r, _, _ = scores(ours, tru)
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        if not args.no_splink:
            t1 = time.perf_counter()
            reg_rem = pl.from_arrow(
                engine.arrow(
                    "SELECT row_no AS uid, id, name, area_code, county, insurance, CAST(birth AS VARCHAR) AS birth, sex FROM reg_rem"
                )
            )
            enr_rem = pl.from_arrow(
                engine.arrow(
                    "SELECT row_no AS uid, id, name, area_code, county, insurance, CAST(birth AS VARCHAR) AS birth, sex FROM enr_rem"
                )
            )
            from fupin.exchange.comparison.names import pinyin_key

            def features(df: pl.DataFrame) -> pl.DataFrame:
                return df.with_columns(
                    name_pinyin=pl.col("name").map_elements(pinyin_key, return_dtype=pl.Utf8),
                    id_body=pl.col("id").str.slice(0, 17),
                )

            reg_rem, enr_rem = features(reg_rem), features(enr_rem)
            prep = time.perf_counter() - t1
            pairs, secs = run_splink(
                reg_rem.with_columns(uid=pl.col("uid").cast(pl.Utf8) + "_" + pl.col("insurance")),
                enr_rem.with_columns(uid=pl.col("uid").cast(pl.Utf8)),
            )
            ids_l = reg_rem.select(
                uid=pl.col("uid").cast(pl.Utf8) + "_" + pl.col("insurance"), rid="id"
            )
            ids_r = enr_rem.select(uid=pl.col("uid").cast(pl.Utf8), eid="id")
            pairs = (pairs.rename({"rid": "luid", "eid": "ruid"}).join(ids_l, left_on="luid", right_on="uid")
                     .join(ids_r, left_on="ruid", right_on="uid"))  # fmt: skip
            sp, sr, _, _ = scores(pairs.select("rid", "eid", "insurance"), tru)
            sf1 = 2 * sp * sr / (sp + sr) if sp + sr else 0.0
            print(
                f"fuzzy remainder: {reg_rem.height:,} registry person×insurance without an exact match, "
                f"{enr_rem.height:,} enrolment rows whose ID is nobody's on the list and that share a block with one of them"
            )
            print(
                f"  fupin  id_mismatch_candidate: precision {p:.4f} recall {r:.4f} F1 {f1:.4f} in {timings['fuzzy']:.1f} s "
                f"(the fuzzy phase, inside the {elapsed:.1f} s above)"
            )
            print(
                f"  Splink link_only (DuckDB):    precision {sp:.4f} recall {sr:.4f} F1 {sf1:.4f} in {secs:.1f} s (+{prep:.1f} s export and pinyin)"
            )
            better_f1 = f1 >= sf1
            faster = timings["fuzzy"] < secs
            print(
                f"goal: at least Splink's F1 ({f1:.4f} vs {sf1:.4f}: {'met' if better_f1 else 'NOT met'}) "
                f"in less time ({timings['fuzzy']:.1f} s vs {secs:.1f} s: {'met' if faster else 'NOT met'})"
            )
        engine.close()


if __name__ == "__main__":
    main()
