"""Job-matching benchmark: 100,000 seekers × 20,000 postings, top 10 each (goal < 60 s).

    .venv/bin/python bench/match.py [--seekers 100000] [--postings 20000] [--check 300]

Synthetic columns shaped like a county: seekers in ~200 villages of 18 townships, ages
16–64, a fifth weak, 4 % disabled; postings in the county, the city, the province and
elsewhere. Prints the time of each step, the number of hard-constraint violations (must be 0)
and, for a sample of seekers, agreement with the brute-force ranking. No database involved.
"""

import argparse
import time

import numpy as np

from fupin.employment.matching import (
    Matcher,
    Postings,
    Seekers,
    brute_force_top_k,
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seekers", type=int, default=100_000)
    ap.add_argument("--postings", type=int, default=20_000)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--check", type=int, default=300, help="seekers compared with brute force")
    a = ap.parse_args()
    rng = np.random.default_rng(2018)
    vill = villages(rng)
    t0 = time.perf_counter()
    s, p = make_seekers(rng, a.seekers, vill), make_postings(rng, a.postings, vill)
    t1 = time.perf_counter()
    m = Matcher(p)
    idx, score = m.top_k(s, k=a.k)
    t2 = time.perf_counter()
    level, flags = m.reasons(s, idx)
    t3 = time.perf_counter()
    full = int((idx >= 0).all(axis=1).sum())
    print(f"seekers × postings     : {a.seekers:,} × {a.postings:,}  (top {a.k})")
    print(f"generate columns       : {t1 - t0:6.2f} s")
    print(
        f"score + top-{a.k:<2}         : {t2 - t1:6.2f} s   ({a.seekers / (t2 - t1):,.0f} seekers/s)"
    )
    print(f"reasons (level, flags) : {t3 - t2:6.2f} s")
    print(f"total                  : {t3 - t0:6.2f} s")
    print(f"seekers with {a.k} offers  : {full:,} of {a.seekers:,}")
    print(f"hard-constraint breaks : {hard_constraint_violations(p, s, idx)}")
    if a.check:
        rows = rng.choice(a.seekers, a.check, replace=False)
        t4 = time.perf_counter()
        bidx, _ = brute_force_top_k(p, subset(s, rows), k=a.k)
        t5 = time.perf_counter()
        same = int((bidx == idx[rows]).all(axis=1).sum())
        print(
            f"brute force, {a.check} seekers: {t5 - t4:6.2f} s (≈ {(t5 - t4) / a.check * a.seekers:,.0f} s for all); identical top-{a.k}: {same}/{a.check}"
        )


if __name__ == "__main__":
    main()
