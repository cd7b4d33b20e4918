"""The matching engine: the fast path equals brute force, hard constraints never break."""

import sys
from pathlib import Path

import numpy as np
import pytest

from fupin.employment.matching import Matcher, brute_force_top_k, hard_constraint_violations

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import match as bench  # noqa: E402


@pytest.mark.parametrize(
    "seed,n_seekers,n_postings,m",
    [(1, 400, 3000, 128), (2, 300, 90, 128), (3, 500, 5000, 16), (4, 200, 2000, 12)],
)
def test_fast_top_k_equals_brute_force(seed, n_seekers, n_postings, m):
    rng = np.random.default_rng(seed)
    vill = bench.villages(rng, n_towns=4, per_town=5)
    s, p = bench.make_seekers(rng, n_seekers, vill), bench.make_postings(rng, n_postings, vill)
    idx, score = Matcher(p).top_k(s, k=10, m=m)
    bidx, bscore = brute_force_top_k(p, s, k=10)
    assert np.array_equal(idx, bidx)
    assert np.allclose(
        np.where(np.isfinite(score), score, 0), np.where(np.isfinite(bscore), bscore, 0)
    )
    assert hard_constraint_violations(p, s, idx) == 0


def test_hard_constraints_hold_even_when_few_postings_fit():
    rng = np.random.default_rng(7)
    vill = bench.villages(rng, n_towns=2, per_town=3)
    s, p = bench.make_seekers(rng, 300, vill), bench.make_postings(rng, 40, vill)
    s.age[:] = 63  # most postings stop before 63
    s.disabled[:100] = True
    idx, _ = Matcher(p).top_k(s, k=10)
    assert hard_constraint_violations(p, s, idx) == 0
    assert (idx == -1).any(), "some seekers should have fewer than 10 feasible postings here"
    for i in range(len(s)):  # never fewer offers than feasible postings allow
        feasible = (
            p.available
            & (p.age_min <= s.age[i])
            & (p.age_max >= s.age[i])
            & (~s.disabled[i] | p.accepts_disabled)
            & (~s.weak[i] | (p.physical != 2))
        )
        assert (idx[i] >= 0).sum() == min(10, feasible.sum())


def test_local_intention_prefers_nearby_and_migrants_prefer_wages():
    rng = np.random.default_rng(5)
    vill = bench.villages(rng, n_towns=3, per_town=3)
    s, p = bench.make_seekers(rng, 600, vill), bench.make_postings(rng, 3000, vill)
    m = Matcher(p)
    idx, _ = m.top_k(s, k=10)
    level, _ = m.reasons(s, idx)
    local = (s.intention == 0)[:, None] & (idx >= 0)
    migrate = (s.intention == 1)[:, None] & (idx >= 0)
    assert level[local].mean() < level[migrate].mean()
    wage = np.where(idx >= 0, p.wage[np.maximum(idx, 0)], 0)
    assert wage[migrate].mean() > wage[local].mean()
