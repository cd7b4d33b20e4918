"""信息比对 benchmark: an independently generated province (tests/exchange/world.py: its own ID
arithmetic, homophone and traditional-character tables, fault rates) — a poverty registry and an
insurance enrolment extract — compared by fupin's pipeline; each category's precision and recall
against the generator's truth, the untag list checked for listed poor people; and Splink (DuckDB
backend) on the same fuzzy remainder.

    nice -n 10 .venv/bin/python bench/compare.py [--persons 1000000] [--rows 20000000] [--runs 3] [--no-splink]

fupin's comparison runs `--runs` times on a fresh engine; Splink is trained `--runs` times
(training timed apart from prediction), and its model, saved to JSON after training as
Splink's documentation recommends for reuse, is loaded into a new linker for the prediction
that is scored and timed. Medians and the load average are printed.

Faults (see world.py), combined at random: wrong check character, two adjacent digits swapped, a
birth-date digit wrong (check character kept or recomputed), a 15-digit legacy number with a digit
wrong; 15-digit, full-width, spaced numbers; homophone and traditional characters, middle dots,
swapped given names; not enrolled; enrolled in another county; suspended; deceased; missing and
stale tags; premium not subsidised; same-name, same-birthday, same-sex neighbours whose ID differs
in several digits; duplicated rows. Nothing is drawn from the matcher's own tables.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from tests.exchange.world import AS_OF, generate  # noqa: E402

from fupin.exchange.comparison import CATEGORIES, DuckDBEngine, Settings, compare_files  # noqa: E402

COUNTIES = tuple(str(360200 + 2 * i + 2) for i in range(40))  # 40 counties of one province
KEYS = {
    "id_mismatch_candidate": ["r", "e", "insurance"],
    "tag_stale": ["e", "insurance"],
    "duplicate_id": ["e", "insurance"],
    "invalid_id": ["e", "insurance"],
    "tag_stale_review": ["r", "e", "insurance"],
}


def scores(
    pred: pl.DataFrame, truth: pl.DataFrame, cols: list[str]
) -> tuple[float, float, int, int]:
    p, t = pred.select(cols).unique(), truth.select(cols).unique()
    hit = p.join(t, on=cols, how="inner", nulls_equal=True).height
    return (
        (hit / p.height if p.height else 1.0),
        (hit / t.height if t.height else 1.0),
        p.height,
        t.height,
    )


def run_splink(
    reg_rem: pl.DataFrame, enr_rem: pl.DataFrame, model_path: Path
) -> tuple[pl.DataFrame, float, float, float]:
    """Splink (DuckDB backend) linking the two sides of the fuzzy remainder, one-to-one as ours.

    Splink gets what our scorer uses: the name, its toneless pinyin (homophones, traditional
    characters), the ID (first 17 digits equal, edit distance) and the village, and blocks on our
    routes (county and the five ID windows, county and name). The prior is estimated from a
    deterministic rule, u by random sampling, m by EM. The trained model is saved to
    `model_path` and a new linker built from that file predicts. Returns (pairs from the saved
    model, training seconds, prediction seconds of the trained linker, seconds to load the saved
    model and predict with it).
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
            block_on("insurance", "county", f"k{i}") for i in range(1, 6)
        ]
        + [block_on("insurance", "county", "name")],
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
                    cll.DamerauLevenshteinLevel("id_body", 1),
                    cll.DamerauLevenshteinLevel("id_body", 2),
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
        [block_on("insurance", "county", "k1", "name_pinyin")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("insurance", "county", "k1")
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("insurance", "county", "k3")
    )
    linker.misc.save_model_to_json(str(model_path), overwrite=True)
    trained = time.perf_counter()
    linker.inference.predict(threshold_match_probability=0.9)
    predicted = time.perf_counter()
    saved = Linker(
        [
            db_api.register(reg_rem.to_arrow(), dataset_display_name="registry2"),
            db_api.register(enr_rem.to_arrow(), dataset_display_name="enrolment2"),
        ],
        str(model_path),
    )
    pred = saved.inference.predict(threshold_match_probability=0.9)
    df = pl.from_arrow(
        con.sql(
            f"SELECT uid_l, uid_r, match_probability FROM {pred.physical_name}"
        ).to_arrow_table()
    )
    swap = pl.col("uid_r").str.contains(
        "_"
    )  # registry uids carry "_insurance"; Splink may put either side left
    df = df.select(
        uid_l=pl.when(swap).then("uid_r").otherwise("uid_l"),
        uid_r=pl.when(swap).then("uid_l").otherwise("uid_r"),
        match_probability="match_probability",
    )
    best = (df.sort("match_probability", descending=True).unique(subset=["uid_l"], keep="first")
            .unique(subset=["uid_r"], keep="first"))  # fmt: skip
    out = best.select(luid="uid_l", ruid="uid_r")
    return out, trained - started, predicted - trained, time.perf_counter() - predicted


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def runs_text(values: list[float]) -> str:
    return (
        f"median {statistics.median(values):.1f} s (runs: {', '.join(f'{v:.1f}' for v in values)})"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--rows", type=int, default=20_000_000)
    ap.add_argument("--seed", type=int, default=2017)
    ap.add_argument("--no-splink", action="store_true")
    ap.add_argument("--runs", type=int, default=3, help="runs of each; medians are reported")
    args = ap.parse_args()
    t0 = time.perf_counter()
    # Each registry person has ~1.75 rows (medical, and pension when 16 or over); others ~1.66.
    others = max(0, int((args.rows - args.persons * 1.75) / 1.66))
    world = generate(args.persons, others, seed=args.seed, counties=COUNTIES, as_of=AS_OF)
    print(
        f"generated {world.registry.height:,} registry persons, {world.enrolment.height:,} enrolment rows "
        f"in {time.perf_counter() - t0:.1f} s (independent generator, tests/exchange/world.py)"
    )
    print("  faults: " + ", ".join(f"{k} {v:,}" for k, v in sorted(world.faults.items())))
    with tempfile.TemporaryDirectory() as tmp:
        reg_path, enr_path = Path(tmp) / "registry.parquet", Path(tmp) / "enrolment.parquet"
        world.registry.write_parquet(reg_path)
        world.enrolment.write_parquet(enr_path)
        world.registry = world.enrolment = None
        print(f"load average: {load()} ({os.cpu_count()} CPUs)")
        walls, cpus, phases = [], [], []
        for run in range(args.runs):
            engine = DuckDBEngine(threads=2)
            timings: dict[str, float] = {}
            started, cpu = time.perf_counter(), time.process_time()
            compare_files(
                str(reg_path),
                str(enr_path),
                str(Path(tmp) / f"out{run}"),
                Settings.from_pack("fuliang-2018", as_of=AS_OF),
                engine=engine,
                timings=timings,
            )
            walls.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu)
            phases.append(timings)
            print(f"  run {run + 1}: {walls[-1]:.1f} s wall; load {load()}")
            if run + 1 < args.runs:
                engine.close()
        elapsed = statistics.median(walls)
        print(
            f"fupin compare (DuckDB, 2 threads): {runs_text(walls)} wall, median {statistics.median(cpus):.1f} s CPU  "
            f"(goal < 60 s: {'met' if elapsed < 60 else 'NOT met'})"
        )
        timings = {k: statistics.median(t[k] for t in phases) for k in phases[0]}
        print("  medians: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
        print(
            "  (read = open the files and check every column; ids = read and check every "
            "ID, duplicates; exact = match by ID; "
            "fuzzy = blocked candidates, name similarity, scoring; categories = untag "
            "certainty and the result table; write = CSVs)"
        )
        res = pl.from_arrow(
            engine.arrow(
                "SELECT category, insurance, registry_row AS r, enrolment_row AS e FROM results"
            )
        ).with_columns(pl.col("r").cast(pl.Int64), pl.col("e").cast(pl.Int64))
        print(f"{'category':<24}{'found':>10}{'truth':>10}{'precision':>11}{'recall':>9}")
        for cat in CATEGORIES:
            cols = KEYS.get(cat, ["r", "insurance"])
            pred = res.filter(pl.col("category") == cat)
            if cat == "tag_stale_review":
                print(
                    f"{cat:<24}{pred.height:>10,}{'':>10}{'(held back for review: no truth category)':>20}"
                )
                continue
            p, r, n_p, n_t = scores(pred, world.frames[cat], cols)
            print(f"{cat:<24}{n_p:>10,}{n_t:>10,}{p:>11.4f}{r:>9.4f}")
        stale = res.filter(pl.col("category") == "tag_stale")["e"].to_numpy()
        wrongful = int(world.listed_poor[world.owner[stale - 1]].sum())
        print(
            f"wrongful untags (tag_stale rows of a listed poor person): {wrongful}  (goal 0: "
            f"{'met' if wrongful == 0 else 'NOT met'})"
        )
        cols = KEYS["id_mismatch_candidate"]
        truth = world.frames["id_mismatch_candidate"]
        p, r, _, _ = scores(res.filter(pl.col("category") == "id_mismatch_candidate"), truth, cols)
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        print(
            f"id_mismatch_candidate: precision {p:.4f} recall {r:.4f} F1 {f1:.4f}  (goal ≥ 0.97: "
            f"{'met' if f1 >= 0.97 else 'NOT met'})"
        )
        if not args.no_splink:
            t1 = time.perf_counter()
            keys = (
                "body // 1000 AS k1, (body // 10000000) * 1000 + body % 1000 AS k2, body % 10000000 AS k3, "
                "(body // 100000000) * 1000000 + body % 1000000 AS k4, (body // 10000) * 100 + body % 100 AS k5"
            )
            reg_rem = pl.from_arrow(
                engine.arrow(
                    "SELECT CAST(row_no AS VARCHAR) || '_' || insurance AS uid, row_no, id, name, "
                    f"area_code, county, insurance, {keys} FROM reg_rem"
                )
            )
            enr_rem = pl.from_arrow(
                engine.arrow(
                    f"SELECT CAST(row_no AS VARCHAR) AS uid, row_no, id, name, area_code, county, insurance, {keys} "
                    "FROM enr WHERE row_no IN (SELECT DISTINCT e_row FROM cand)"
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
            trains, predicts, saved_predicts = [], [], []
            for run in range(args.runs):
                pairs, train, predict, saved = run_splink(
                    reg_rem.drop("row_no"), enr_rem.drop("row_no"), Path(tmp) / "splink-model.json"
                )
                trains.append(train)
                predicts.append(predict)
                saved_predicts.append(saved)
                print(
                    f"  Splink run {run + 1}: training {train:.1f} s, prediction {predict:.1f} s, "
                    f"saved model loaded + prediction {saved:.1f} s; load {load()}"
                )
            pairs = (
                pairs.join(reg_rem.select(luid="uid", r="row_no", insurance="insurance"), on="luid")
                .join(enr_rem.select(ruid="uid", e="row_no"), on="ruid")
                .with_columns(pl.col("r").cast(pl.Int64), pl.col("e").cast(pl.Int64))
            )
            sp, sr, _, _ = scores(pairs, truth, cols)
            sf1 = 2 * sp * sr / (sp + sr) if sp + sr else 0.0
            print(
                f"fuzzy remainder: {reg_rem.height:,} registry person×insurance without an exact match, "
                f"{enr_rem.height:,} enrolment rows whose ID is nobody's on the registry "
                "and that share a block with one of them"
            )
            print(
                f"  fupin  id_mismatch_candidate: precision {p:.4f} recall {r:.4f} F1 "
                f"{f1:.4f} in {timings['fuzzy']:.1f} s "
                f"(the fuzzy phase, inside the {elapsed:.1f} s above)"
            )
            print(
                f"  Splink link_only (DuckDB):    precision {sp:.4f} recall {sr:.4f} F1 {sf1:.4f} "
                "(pairs from the saved model)"
            )
            print(f"    training (prior, u, two EM passes; once per model): {runs_text(trains)}")
            print(f"    prediction with the trained linker: {runs_text(predicts)}")
            print(
                "    saved model (JSON) loaded into a new linker + prediction: "
                f"{runs_text(saved_predicts)}  (+{prep:.1f} s export and pinyin)"
            )
            print(
                f"    fupin's fuzzy phase / Splink prediction from the saved model: {timings['fuzzy']:.1f} s / "
                f"{statistics.median(saved_predicts):.1f} s"
            )
        print(f"load average after: {load()}")
        engine.close()


if __name__ == "__main__":
    main()
