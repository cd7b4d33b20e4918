"""岗位匹配 — the job-matching engine: whole columns in, top-k postings per seeker out.

No Django here: seekers and postings are NumPy columns, so the same code ranks ten people on
a person page and 100,000 people × 20,000 postings in a county batch (bench/match.py).

Hard constraints are never broken: a posting outside the seeker's age range, not accepting
disabled workers, closed or already filled, or heavy work for a weak labourer scores −∞.
Among the rest the score adds up fit in distance against intention (就地就近 → village,
township, county first; 外出转移 → good wages farther away), physical fit and schedule
(弱劳动力 → light, home-based, public-welfare), trade (completed training first, then the
wished trade) and wage.

Speed: seekers are grouped by what the score row depends on apart from age and trade
(village, intention, weak, disabled, skilled). Each group's row is computed once; its top `m`
postings plus the trade-matched postings that could beat them form a small candidate set,
and age limits and trade bonuses are applied only there. The result equals the brute-force
top-k (`brute_force_top_k`, checked by tests) whenever a seeker has k feasible postings
among the candidates; otherwise that seeker falls back to the full row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Intentions (就业意愿) and posting kinds as small integers.
LOCAL, MIGRATE, STARTUP = 0, 1, 2
LIGHT, NORMAL, HEAVY = 0, 1, 2
FULL_TIME, SEASONAL, HOME_BASED = 0, 1, 2

# Distance levels between a seeker's village and a posting's work area.
SAME_VILLAGE, SAME_TOWNSHIP, SAME_COUNTY, SAME_CITY, SAME_PROVINCE, ELSEWHERE = range(6)
LEVEL_NAMES = ["本村", "本乡镇", "本县", "本市", "本省", "省外"]

# Ranking weights: heuristics of this engine, not policy numbers.
DISTANCE_SCORE = np.array([
    [1.00, 0.85, 0.60, 0.30, 0.15, 0.05],  # 就地就近
    [0.35, 0.40, 0.55, 0.75, 0.90, 1.00],  # 外出转移
    [1.00, 0.85, 0.60, 0.30, 0.15, 0.05],  # 自主创业: close to home
])  # fmt: skip
W_DISTANCE, W_PHYSICAL, W_SCHEDULE = 0.40, 0.20, 0.10
W_WAGE = np.array([0.20, 0.35, 0.20])
PHYSICAL_FIT = np.array([[0.70, 1.00, 0.80], [1.00, 0.35, -np.inf]])  # [weak][physical]
SCHEDULE_FIT = np.array([[1.00, 0.60, 0.60], [0.50, 0.70, 1.00]])  # [weak or disabled][schedule]
WELFARE_BONUS, WELFARE_PENALTY = 0.30, -0.40
SKILL_PENALTY = 0.25  # posting needs a skilled worker, seeker is not one
TRADE_MISMATCH = 0.10  # posting names a trade the seeker does not have
TRADE_BONUS_TRAINED, TRADE_BONUS_WISHED = 0.45, 0.30
TIE_BREAK = 1e-9  # later postings lose exact ties, so results are deterministic

# Reason flags (推荐理由), rendered into Chinese by the caller.
R_LIGHT_FOR_WEAK = 1
R_HOME_BASED = 2
R_WELFARE_FLOOR = 4
R_TRADE_TRAINED = 8
R_TRADE_WISHED = 16
R_SKILLED = 32
R_GOOD_WAGE = 64
R_DISABLED_OK = 128
R_AGE_OK = 256


@dataclass
class Seekers:
    area: np.ndarray  # int64 12-digit village code
    age: np.ndarray  # int16
    intention: np.ndarray  # int8
    weak: np.ndarray  # bool
    disabled: np.ndarray  # bool
    skilled: np.ndarray  # bool
    trade: np.ndarray  # int32, -1 none
    trained: np.ndarray  # bool: trade from a completed training, not only wished

    def __len__(self) -> int:
        return len(self.area)


@dataclass
class Postings:
    area: np.ndarray  # int64 12-digit work-area code (padded with zeros above village level)
    age_min: np.ndarray
    age_max: np.ndarray
    physical: np.ndarray  # int8
    accepts_disabled: np.ndarray  # bool
    available: np.ndarray  # bool: open on the day, within dates, positions left
    schedule: np.ndarray  # int8
    welfare: np.ndarray  # bool: 公益性岗位
    wage: np.ndarray  # int64 fen per month (middle of the range)
    trade: np.ndarray  # int32, -1 none
    requires_skill: np.ndarray  # bool

    def __len__(self) -> int:
        return len(self.area)


def distance_levels(village: int, areas: np.ndarray) -> np.ndarray:
    """0 same village … 5 other province, by common prefix of the 12-digit codes."""
    level = np.full(len(areas), ELSEWHERE, dtype=np.int8)
    for lvl, div in (
        (SAME_PROVINCE, 10**10),
        (SAME_CITY, 10**8),
        (SAME_COUNTY, 10**6),
        (SAME_TOWNSHIP, 10**3),
        (SAME_VILLAGE, 1),
    ):
        level[areas // div == village // div] = lvl
    return level


class Matcher:
    """Ranks postings for seekers; build once per posting set, call `top_k` per batch."""

    def __init__(self, postings: Postings):
        self.p = postings
        n = len(postings)
        wage = postings.wage.astype(np.float64)
        ref = np.percentile(wage, 95) if n else 1.0
        self.wage_norm = np.clip(wage / max(ref, 1.0), 0, 1.5)
        self.good_wage = wage >= 0.9 * ref
        self.tie = -np.arange(n) * TIE_BREAK
        self.skill_penalty = np.where(postings.requires_skill, SKILL_PENALTY, 0.0)
        self.trade_mismatch = np.where(postings.trade >= 0, TRADE_MISMATCH, 0.0)
        self._terms: dict[tuple, np.ndarray] = {}
        self._levels: dict[int, np.ndarray] = {}

    # -- the score, in two parts: a row per group, and per-pair trade terms --------------------
    def levels(self, village: int) -> np.ndarray:
        if village not in self._levels:
            self._levels[village] = distance_levels(village, self.p.area)
        return self._levels[village]

    def term(self, intention: int, weak: bool, disabled: bool, skilled: bool) -> np.ndarray:
        key = (intention, weak, disabled, skilled)
        if key not in self._terms:
            p = self.p
            t = W_PHYSICAL * PHYSICAL_FIT[int(weak)][p.physical]
            t = t + W_SCHEDULE * SCHEDULE_FIT[int(weak or disabled)][p.schedule]
            t = t + W_WAGE[intention] * self.wage_norm
            t = t + np.where(
                p.welfare, WELFARE_BONUS if (weak or disabled) else WELFARE_PENALTY, 0.0
            )
            if not skilled:
                t = t - self.skill_penalty
            t = t - self.trade_mismatch + self.tie
            infeasible = ~p.available
            if disabled:
                infeasible |= ~p.accepts_disabled
            t[infeasible] = -np.inf
            self._terms[key] = t
        return self._terms[key]

    def row(
        self, village: int, intention: int, weak: bool, disabled: bool, skilled: bool
    ) -> np.ndarray:
        """Score of every posting for a seeker without trade, before age limits."""
        return W_DISTANCE * DISTANCE_SCORE[intention][self.levels(village)] + self.term(
            intention, weak, disabled, skilled
        )

    def match_extra(self, skilled: bool) -> np.ndarray:
        """What a trade match adds back on top of the row, per posting (bonus excluded)."""
        return self.trade_mismatch + (0.0 if skilled else self.skill_penalty)

    def pair_scores(
        self, row: np.ndarray, cols: np.ndarray, s: Seekers, rows: np.ndarray, skilled: bool
    ) -> np.ndarray:
        """Scores of seekers `rows` × postings `cols`: row + trade terms, −∞ outside age limits."""
        p = self.p
        sc = np.broadcast_to(row[cols], (len(rows), len(cols))).copy()
        trade = s.trade[rows][:, None]
        match = (p.trade[cols][None, :] == trade) & (trade >= 0)
        bonus = np.where(s.trained[rows], TRADE_BONUS_TRAINED, TRADE_BONUS_WISHED)[:, None]
        sc += match * (bonus + self.match_extra(skilled)[cols][None, :])
        age = s.age[rows][:, None]
        sc[(age < p.age_min[cols][None, :]) | (age > p.age_max[cols][None, :])] = -np.inf
        return sc

    # -- top-k -----------------------------------------------------------------------------------
    def top_k(
        self, s: Seekers, k: int = 10, m: int = 128, m_trade: int = 32
    ) -> tuple[np.ndarray, np.ndarray]:
        """(posting index [n, k] (−1 where fewer than k feasible), score [n, k]), best first."""
        n, P = len(s), len(self.p)
        idx = np.full((n, k), -1, dtype=np.int64)
        score = np.full((n, k), -np.inf)
        if n == 0 or P == 0:
            return idx, score
        key = np.stack(
            [
                s.area,
                s.intention.astype(np.int64),
                s.weak.astype(np.int64),
                s.disabled.astype(np.int64),
                s.skilled.astype(np.int64),
            ],
            axis=1,
        )
        groups, inverse = np.unique(key, axis=0, return_inverse=True)
        inverse = inverse.ravel()
        sub = s.trade.astype(np.int64) * 2 + s.trained  # trade and trained: the rest of the row
        order = np.lexsort((sub, inverse))
        bounds = np.concatenate([[0], np.cumsum(np.bincount(inverse, minlength=len(groups)))])
        by_trade = {
            int(t): np.flatnonzero(self.p.trade == t) for t in np.unique(self.p.trade) if t >= 0
        }
        everything = np.arange(P)
        for g, (village, intention, weak, disabled, skilled) in enumerate(groups):
            rows = order[bounds[g] : bounds[g + 1]]
            skilled = bool(skilled)
            row = self.row(int(village), int(intention), bool(weak), bool(disabled), skilled)
            if P <= m:
                self._take(
                    self.pair_scores(row, everything, s, rows, skilled),
                    everything,
                    rows,
                    k,
                    idx,
                    score,
                )
                continue
            top = np.argpartition(-row, m - 1)[:m]
            thr_row = row[top].min()
            in_top = np.zeros(P, dtype=bool)
            in_top[top] = True
            extra = self.match_extra(skilled)
            keys, starts = np.unique(sub[rows], return_index=True)
            for j, key_j in enumerate(keys):
                part = rows[starts[j] : (starts[j + 1] if j + 1 < len(keys) else len(rows))]
                trade, trained = divmod(int(key_j), 2)
                cols, thr = top, thr_row
                if trade >= 0 and trade in by_trade:
                    # The trade-matched postings that could beat the row's top m.
                    cand = by_trade[trade]
                    val = row[cand] + extra[cand]
                    if len(cand) > m_trade:
                        cand = cand[np.argpartition(-val, m_trade - 1)[:m_trade]]
                        bonus = TRADE_BONUS_TRAINED if trained else TRADE_BONUS_WISHED
                        thr = max(thr, (row[cand] + extra[cand]).min() + bonus)
                    cols = np.concatenate([top, cand[~in_top[cand]]])
                sc = self.pair_scores(row, cols, s, part, skilled)
                self._take(sc, cols, part, k, idx, score)
                # Exact when each seeker's k-th best is at least what anything unseen could score.
                short = ~(score[part, k - 1] >= thr)
                if short.any():
                    self._full(row, s, part[short], skilled, k, idx, score)
        return idx, score

    def _full(
        self,
        row: np.ndarray,
        s: Seekers,
        rows: np.ndarray,
        skilled: bool,
        k: int,
        idx: np.ndarray,
        score: np.ndarray,
    ) -> None:
        cols = np.arange(len(self.p))
        self._take(self.pair_scores(row, cols, s, rows, skilled), cols, rows, k, idx, score)

    @staticmethod
    def _take(
        sc: np.ndarray,
        cols: np.ndarray,
        rows: np.ndarray,
        k: int,
        idx: np.ndarray,
        score: np.ndarray,
    ) -> None:
        if len(rows) == 0:
            return
        kk = min(k, sc.shape[1])
        part = (
            np.argpartition(-sc, kk - 1, axis=1)[:, :kk]
            if sc.shape[1] > kk
            else np.broadcast_to(np.arange(sc.shape[1]), (len(rows), kk))
        )
        vals = np.take_along_axis(sc, part, axis=1)
        o = np.argsort(-vals, axis=1, kind="stable")
        part, vals = np.take_along_axis(part, o, axis=1), np.take_along_axis(vals, o, axis=1)
        chosen = np.where(np.isfinite(vals), cols[part], -1)
        idx[rows, :kk] = chosen
        score[rows, :kk] = vals

    # -- reasons -----------------------------------------------------------------------------------
    def reasons(self, s: Seekers, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(distance level, reason flags) for every chosen (seeker, posting) pair."""
        p = self.p
        rows = np.broadcast_to(np.arange(len(s))[:, None], idx.shape)
        ok = idx >= 0
        r, c = rows[ok], idx[ok]
        level = np.full(idx.shape, -1, dtype=np.int8)
        flags = np.zeros(idx.shape, dtype=np.int32)
        lv = np.full(len(r), ELSEWHERE, dtype=np.int8)
        for lvl, div in (
            (SAME_PROVINCE, 10**10),
            (SAME_CITY, 10**8),
            (SAME_COUNTY, 10**6),
            (SAME_TOWNSHIP, 10**3),
            (SAME_VILLAGE, 1),
        ):
            lv[p.area[c] // div == s.area[r] // div] = lvl
        weak, disabled = s.weak[r], s.disabled[r]
        match = (p.trade[c] == s.trade[r]) & (s.trade[r] >= 0)
        f = np.full(len(r), R_AGE_OK, dtype=np.int32)
        f |= np.where(weak & (p.physical[c] == LIGHT), R_LIGHT_FOR_WEAK, 0)
        f |= np.where((weak | disabled) & (p.schedule[c] == HOME_BASED), R_HOME_BASED, 0)
        f |= np.where((weak | disabled) & p.welfare[c], R_WELFARE_FLOOR, 0)
        f |= np.where(match & s.trained[r], R_TRADE_TRAINED, 0)
        f |= np.where(match & ~s.trained[r], R_TRADE_WISHED, 0)
        f |= np.where(s.skilled[r] & p.requires_skill[c], R_SKILLED, 0)
        f |= np.where(self.good_wage[c], R_GOOD_WAGE, 0)
        f |= np.where(disabled & p.accepts_disabled[c], R_DISABLED_OK, 0)
        level[ok], flags[ok] = lv, f
        return level, flags


def brute_force_top_k(postings: Postings, s: Seekers, k: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """The reference: every seeker against every posting (for tests and small areas)."""
    m = Matcher(postings)
    idx = np.full((len(s), k), -1, dtype=np.int64)
    score = np.full((len(s), k), -np.inf)
    cols = np.arange(len(postings))
    for i in range(len(s)):
        row = m.row(
            int(s.area[i]),
            int(s.intention[i]),
            bool(s.weak[i]),
            bool(s.disabled[i]),
            bool(s.skilled[i]),
        )
        m._take(
            m.pair_scores(row, cols, s, np.array([i]), bool(s.skilled[i])),
            cols,
            np.array([i]),
            k,
            idx,
            score,
        )
    return idx, score


def hard_constraint_violations(postings: Postings, s: Seekers, idx: np.ndarray) -> int:
    """How many chosen pairs break a hard constraint (must be 0)."""
    p = postings
    rows = np.broadcast_to(np.arange(len(s))[:, None], idx.shape)
    ok = idx >= 0
    r, c = rows[ok], idx[ok]
    bad = ~p.available[c]
    bad |= (s.age[r] < p.age_min[c]) | (s.age[r] > p.age_max[c])
    bad |= s.disabled[r] & ~p.accepts_disabled[c]
    bad |= s.weak[r] & (p.physical[c] == HEAVY)
    return int(bad.sum())
