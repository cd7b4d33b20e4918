"""Job-matching benchmark: 100,000 seekers × 20,000 postings, top 10 each (goal < 60 s).

    nice -n 10 .venv/bin/python bench/match.py [--seekers 100000] [--postings 20000] [--runs 3]

Synthetic columns shaped like a county: seekers in ~200 villages of 18 townships, ages
16–64, a fifth weak, 4 % disabled; postings in the county, the city, the province and
elsewhere. The peer is a vectorised brute force over the same seekers: every seeker scored
against every posting with whole-array NumPy operations, a block of seekers at a time, then
argpartition for the top k — what one writes without fupin's grouping. Both run `--runs`
times (alternating); medians, the load average, hard-constraint violations (must be 0) and
how many seekers get the identical top k from both are printed. No database involved.
"""

import argparse
import os
import statistics
import time

import numpy as np

from fupin.employment import matching as mt
from fupin.employment.matching import (
    Matcher,
    Postings,
    Seekers,
    hard_constraint_violations,
)

COUNTY = 360222


def villages(rng, n_towns=18, per_town=11):
    towns = COUNTY * 1000 + 100 + np.arange(n_towns)
    return np.array([t * 1000 + 200 + v for t in towns for v in range(per_town)], dtype=np.int64)


def make_seekers(rng, n, vill) -> Seekers:
    weak = rng.random(n) < 0.2
    return Seekers(
        area=vill[rng.integers(0, len(vill), n)],
        age=rng.integers(16, 65, n).astype(np.int16),
        intention=rng.choice([0, 1, 2], n, p=[0.55, 0.4, 0.05]).astype(np.int8),
        weak=weak,
        disabled=rng.random(n) < 0.04,
        skilled=~weak & (rng.random(n) < 0.2),
        trade=np.where(rng.random(n) < 0.5, rng.integers(0, 15, n), -1).astype(np.int32),
        trained=rng.random(n) < 0.2,
    )


def make_postings(rng, n, vill) -> Postings:
    where = rng.choice(4, n, p=[0.5, 0.2, 0.15, 0.15])
    local = vill[rng.integers(0, len(vill), n)]
    area = np.select(
        [where == 0, where == 1, where == 2],
        [local, local // 1000 * 1000, np.full(n, 360200000000)],
        440000000000 + rng.integers(1, 2000, n) * 1000000,
    )
    age_min = rng.choice([16, 18, 20], n).astype(np.int16)
    return Postings(
        area=area.astype(np.int64),
        age_min=age_min,
        age_max=rng.choice([35, 40, 45, 50, 55, 60, 65], n).astype(np.int16),
        physical=rng.choice(3, n, p=[0.4, 0.45, 0.15]).astype(np.int8),
        accepts_disabled=rng.random(n) < 0.3,
        available=rng.random(n) < 0.92,
        schedule=rng.choice(3, n, p=[0.7, 0.2, 0.1]).astype(np.int8),
        welfare=rng.random(n) < 0.05,
        wage=(rng.integers(1800, 9000, n) * 100).astype(np.int64),
        trade=np.where(rng.random(n) < 0.4, rng.integers(0, 15, n), -1).astype(np.int32),
        requires_skill=rng.random(n) < 0.25,
    )


def subset(s: Seekers, rows) -> Seekers:
    return Seekers(**{f: getattr(s, f)[rows] for f in s.__dataclass_fields__})


def dense_top_k(
    p: Postings, s: Seekers, k: int = 10, block: int = 256
) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised brute force: the full seekers × postings score matrix, `block` seekers at a time,
    from the engine's published weights (same formula, no grouping and no candidate pruning)."""
    n, P = len(s), len(p)
    wage = p.wage.astype(np.float64)
    wage_norm = np.clip(wage / max(np.percentile(wage, 95), 1.0), 0, 1.5)
    tie = -np.arange(P) * mt.TIE_BREAK
    skill_pen = np.where(p.requires_skill, mt.SKILL_PENALTY, 0.0)
    mismatch = np.where(p.trade >= 0, mt.TRADE_MISMATCH, 0.0)
    posting_only = tie - mismatch  # terms that depend on the posting alone
    # Distance levels depend on the village only: one [villages × postings] table, gathered per block.
    village_codes, village_of = np.unique(s.area, return_inverse=True)
    levels = np.full((len(village_codes), P), mt.ELSEWHERE, dtype=np.int8)
    for lvl, div in (
        (mt.SAME_PROVINCE, 10**10),
        (mt.SAME_CITY, 10**8),
        (mt.SAME_COUNTY, 10**6),
        (mt.SAME_TOWNSHIP, 10**3),
        (mt.SAME_VILLAGE, 1),
    ):
        levels[p.area[None, :] // div == village_codes[:, None] // div] = lvl
    idx = np.empty((n, k), dtype=np.int64)
    score = np.empty((n, k))
    for a in range(0, n, block):
        b = min(a + block, n)
        intent = s.intention[a:b].astype(np.int64)
        weak, dis, skilled = s.weak[a:b, None], s.disabled[a:b, None], s.skilled[a:b, None]
        sc = mt.W_DISTANCE * mt.DISTANCE_SCORE[intent[:, None], levels[village_of[a:b]]]
        sc += mt.W_PHYSICAL * mt.PHYSICAL_FIT[weak.astype(np.int64), p.physical[None, :]]
        sc += mt.W_SCHEDULE * mt.SCHEDULE_FIT[(weak | dis).astype(np.int64), p.schedule[None, :]]
        sc += mt.W_WAGE[intent][:, None] * wage_norm[None, :]
        sc += np.where(
            p.welfare[None, :], np.where(weak | dis, mt.WELFARE_BONUS, mt.WELFARE_PENALTY), 0.0
        )
        sc -= np.where(skilled, 0.0, skill_pen[None, :])
        sc += posting_only[None, :]
        trade = s.trade[a:b, None]
        match = (p.trade[None, :] == trade) & (trade >= 0)
        bonus = np.where(s.trained[a:b, None], mt.TRADE_BONUS_TRAINED, mt.TRADE_BONUS_WISHED)
        sc += match * (bonus + mismatch[None, :] + np.where(skilled, 0.0, skill_pen[None, :]))
        age = s.age[a:b, None]
        sc[
            (age < p.age_min[None, :])
            | (age > p.age_max[None, :])
            | ~p.available[None, :]
            | (dis & ~p.accepts_disabled[None, :])
        ] = -np.inf
        part = np.argpartition(-sc, k - 1, axis=1)[:, :k]
        vals = np.take_along_axis(sc, part, axis=1)
        order = np.argsort(-vals, axis=1, kind="stable")
        part, vals = (
            np.take_along_axis(part, order, axis=1),
            np.take_along_axis(vals, order, axis=1),
        )
        idx[a:b] = np.where(np.isfinite(vals), part, -1)
        score[a:b] = vals
    return idx, score


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def runs_text(values: list[float]) -> str:
    return (
        f"median {statistics.median(values):6.2f} s (runs: {', '.join(f'{v:.2f}' for v in values)})"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seekers", type=int, default=100_000)
    ap.add_argument("--postings", type=int, default=20_000)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--runs", type=int, default=3, help="runs of each; medians are reported")
    a = ap.parse_args()
    rng = np.random.default_rng(2018)
    vill = villages(rng)
    s, p = make_seekers(rng, a.seekers, vill), make_postings(rng, a.postings, vill)
    print(
        f"seekers × postings     : {a.seekers:,} × {a.postings:,}  (top {a.k}); load average "
        f"{load()} ({os.cpu_count()} CPUs)"
    )
    ours, reasons, peer = [], [], []
    for run in range(a.runs):
        t0 = time.perf_counter()
        m = Matcher(p)
        idx, score = m.top_k(s, k=a.k)
        t1 = time.perf_counter()
        m.reasons(s, idx)
        t2 = time.perf_counter()
        bidx, bscore = dense_top_k(p, s, k=a.k)
        t3 = time.perf_counter()
        ours.append(t1 - t0)
        reasons.append(t2 - t1)
        peer.append(t3 - t2)
        print(
            f"run {run + 1}: fupin {t1 - t0:.2f} s (+ reasons {t2 - t1:.2f} s), "
            f"vectorised brute force {t3 - t2:.2f} s; load {load()}"
        )
    full = int((idx >= 0).all(axis=1).sum())
    same = int((bidx == idx).all(axis=1).sum())
    print(
        f"fupin score + top-{a.k:<2}  : {runs_text(ours)}  "
        f"({a.seekers / statistics.median(ours):,.0f} seekers/s); reasons "
        f"{statistics.median(reasons):.2f} s"
    )
    print(
        f"vectorised brute force : {runs_text(peer)}  (NumPy, blocks of 256 seekers × all postings)"
    )
    print(
        f"ratio of medians       : brute force / fupin = {statistics.median(peer) / statistics.median(ours):.1f}×"
    )
    print(f"seekers with {a.k} offers  : {full:,} of {a.seekers:,}")
    print(
        f"hard-constraint breaks : fupin {hard_constraint_violations(p, s, idx)}, "
        f"brute force {hard_constraint_violations(p, s, bidx)}"
    )
    print(
        f"identical top-{a.k}       : {same:,} of {a.seekers:,} seekers (scores equal to 1e-9: "
        f"{int(np.isclose(bscore, score, atol=1e-9, rtol=0).all(axis=1).sum()):,})"
    )
    print(f"load average after     : {load()}")


if __name__ == "__main__":
    main()
