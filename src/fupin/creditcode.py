"""统一社会信用代码 (GB 32100-2015): 18 characters with a check character.

Positions: 1 registration authority, 2 organisation type, 3–8 administrative division code,
9–17 organisation code, 18 check character. The alphabet is 0-9 and the capital letters
without I, O, Z, S, V; the check is 31 − (Σ value × weight mod 31), weights 3^i mod 31.
"""

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {c: i for i, c in enumerate(ALPHABET)}
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


class CreditCodeError(ValueError):
    """A Chinese message naming the fault."""


def check_char(first17: str) -> str:
    total = sum(VALUES[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def parse_credit_code(raw: str) -> str:
    """The normalised code, or CreditCodeError with the fault in Chinese."""
    value = (
        (raw or "")
        .strip()
        .upper()
        .translate(str.maketrans("０１２３４５６７８９", "0123456789"))
        .replace(" ", "")
    )
    if len(value) != 18:
        raise CreditCodeError(f"统一社会信用代码应为18位，实际{len(value)}位")
    bad = [c for c in value if c not in VALUES]
    if bad:
        raise CreditCodeError(f"统一社会信用代码含非法字符“{bad[0]}”（不使用 I、O、Z、S、V）")
    if not value[2:8].isdigit():
        raise CreditCodeError("统一社会信用代码第3–8位应为行政区划代码（数字）")
    expected = check_char(value[:17])
    if value[17] != expected:
        raise CreditCodeError(f"统一社会信用代码校验码错误，应为{expected}")
    return value


def make_credit_code(body17: str) -> str:
    """Complete 17 characters with their check character (demo data, tests)."""
    return body17 + check_char(body17)
