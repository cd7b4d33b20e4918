"""The arithmetic of each rule, written once for both settlement paths (每条规则一个函数).

Every function takes `k` — `SCALAR` (Python ints, one claim) or the column path's Polars
helpers (whole columns) — and amounts in fen, ratios in basis points. The scalar path calls
them with a person's year-to-date totals held in variables and writes the trail; the column
path calls them with segmented running sums. Because both call the same functions, the two
paths cannot disagree on a rule, only on the order of claims — which the property tests pin.

Rounding: each layer's payment for a claim is rounded to the fen, half up, from the exact
product; caps apply to year-to-date sums of those rounded payments.
"""

from __future__ import annotations

from typing import Any

from fupin.policy.units import BP

NO_CAP = 1 << 62  # stands for "no cap": larger than any year of claims


class _Scalar:
    @staticmethod
    def max(a: Any, b: Any) -> Any:
        return a if a >= b else b

    @staticmethod
    def min(a: Any, b: Any) -> Any:
        return a if a <= b else b


SCALAR = _Scalar()


def cap_or_none(value: int | None) -> int:
    return NO_CAP if value is None else value


def rounded(numerator: Any) -> Any:
    """fen × basis points → fen, half up (四舍五入到分); for non-negative numerators."""
    return (numerator * 2 + BP) // (2 * BP)


def within_cap(k: Any, before: Any, amount: Any, cap: Any) -> Any:
    """The part of `amount` that fits under `cap` when `before` has already been counted (年度限额)."""
    return k.min(before + amount, cap) - k.min(before, cap)


def inpatient_basic(k: Any, in_policy: Any, deductible: Any, ratio: Any) -> Any:
    """住院：(政策范围内费用 − 每次起付标准) × 报销比例."""
    return rounded(k.max(in_policy - deductible, 0) * ratio)


def deductible_charged(k: Any, deductible: Any, chain_before: Any) -> Any:
    """转院连续计算起付线: a stay continuing a transfer pays only what its deductible adds to
    the highest deductible already charged in the chain (`chain_before`, 0 for a new stay)."""
    return k.max(deductible - chain_before, 0)


def chronic_over_deductible(k: Any, before: Any, amount: Any, deductible: Any) -> Any:
    """门诊慢性病年度起付标准: the part of this claim above the deductible, counted over the year."""
    return k.max(before + amount - deductible, 0) - k.max(before - deductible, 0)


def chronic_basic(k: Any, excess: Any, ratio: Any) -> Any:
    """门诊慢性病：超过年度起付标准的部分 × 病种类别比例."""
    return rounded(excess * ratio)


def basic_below_insurer_line(k: Any, booked_before: Any, pay: Any, above: Any) -> Any:
    """Ⅰ类慢性病 6 万元以上段由大病保险承办方支付: the part of `pay` the basic fund keeps."""
    return within_cap(k, booked_before, pay, above)


def critical_band(k: Any, before: Any, after: Any, low: Any, high: Any, ratio: Any) -> Any:
    """大病保险一段：年度累计 [before, after) 落在 [low, high) 的部分 × 该段比例 (fen × bp)."""
    inside = k.min(k.max(after, low), high) - k.min(k.max(before, low), high)
    return inside * ratio


def medical_assistance(k: Any, eligible: Any, ratio: Any) -> Any:
    """医疗救助：经基本医保、大病保险后的政策范围内自付 × 救助比例."""
    return rounded(k.max(eligible, 0) * ratio)


def major_disease_quota(k: Any, total: Any, ratio: Any) -> Any:
    """重大疾病按病种定额：住院总费用 × 定额比例 (基本医保支付)."""
    return rounded(total * ratio)


def self_pay_limit(k: Any, total: Any, share: Any) -> Any:
    """兜底保障线：个人自付上限 = 总费用 × 比例，向下取整到分 (never above the share)."""
    return total * share // BP


def self_pay_line(k: Any, self_pay: Any, limit: Any) -> Any:
    """兜底保障线：自付超过上限的部分由兜底支付."""
    return k.max(self_pay - limit, 0)
