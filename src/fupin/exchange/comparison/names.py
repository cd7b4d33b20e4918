"""Chinese name similarity (姓名相似度): same sound (同音字) and look-alike characters (形近字).

Names typed by different clerks differ in a few ways: a character with the same pinyin
(张丽 / 张莉), a traditional character (张華 / 张华: the same pinyin), one that looks alike
(王 / 玉), the middle dot of a minority name written another way or left out
(阿依古丽·买买提 / 阿依古丽•买买提 / 阿依古丽买买提), the two given-name characters swapped
(张丽华 / 张华丽). All are scored as near-equal: the names are compared without dots and
spaces, as toneless pinyin and, after folding look-alike characters, as characters, and
(surname first) with the given-name syllables in any order; the best counts.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import numpy as np
from pypinyin import Style, lazy_pinyin
from rapidfuzz.distance import Levenshtein
from rapidfuzz.process import cpdist

# 形近字: characters clerks commonly confuse in names; each group folds to its first.
LOOKALIKE_GROUPS = [
    "王玉主", "未末", "己已巳", "天夭", "土士", "日曰", "人入", "刀力", "戊戌戍", "崇祟", "侯候",
    "栗粟", "析折", "淼森", "晴睛", "琪淇棋", "婷停", "燕雁", "斌彬", "凤风", "兰蘭", "艳豔",
    "华華", "国國", "丽麗", "红紅", "刚剛", "伟偉", "军軍", "东東", "杰傑", "荣榮", "贵貴",
    "明朋", "洪鸿", "大太犬", "千干于", "午牛", "仑仓", "冶治", "茵菌", "汩汨", "祯桢", "桂柱",
]  # fmt: skip
FOLD = {ch: group[0] for group in LOOKALIKE_GROUPS for ch in group}
# The middle dot of minority names (间隔号) as keyboards and fonts give it, and full stops typed instead.
DOTS = "·•‧・･∙⋅.。"
SAME = 1.0
RESPELT = 0.97  # the same name written with other characters (sound or look)
REORDERED = 0.92  # the given-name characters in another order


@lru_cache(maxsize=65536)
def _char_pinyin(ch: str) -> str:
    return lazy_pinyin(ch, style=Style.NORMAL, errors="default")[0]


def pinyin_key(name: str) -> str:
    """Toneless pinyin with a space between syllables: 张莉 → "zhang li"."""
    return " ".join(_char_pinyin(ch) for ch in name)


def fold(name: str) -> str:
    return "".join(FOLD.get(ch, ch) for ch in name)


def normal(name: str | None) -> str:
    """Compatibility form (full-width letters …) without spaces and middle dots."""
    if not name:
        return ""
    text = unicodedata.normalize("NFKC", name)
    return "".join(ch for ch in text if not ch.isspace() and ch not in DOTS)


def order_free(name: str) -> str:
    """Surname's sound, then the given name's syllables sorted: 张丽华 and 张华丽 alike."""
    syllables = [_char_pinyin(ch) for ch in name]
    return " ".join(syllables[:1] + sorted(syllables[1:]))


def similarity(a: str | None, b: str | None) -> float:
    """0..1; 1 for equal names, near 1 for the same name written another way (see the module)."""
    a, b = normal(a), normal(b)
    if not a or not b:
        return 0.0
    if a == b:
        return SAME
    by_char = Levenshtein.normalized_similarity(fold(a), fold(b))
    by_sound = Levenshtein.normalized_similarity(pinyin_key(a), pinyin_key(b))
    if by_char == 1.0 or (by_sound == 1.0 and len(a) == len(b)):
        return RESPELT
    if len(a) == len(b) > 2 and order_free(a) == order_free(b):
        return REORDERED
    return max(by_char, by_sound * 0.95)


def similarities(left: list, right: list) -> list[float]:
    """similarity() over two columns at once: the pinyin and folded form of each distinct name is
    computed once, and the edit distances run in rapidfuzz's vectorised pairwise scorer."""
    if not left:
        return []
    if len(left) != len(right):
        raise ValueError("similarities: columns of different lengths")
    norm = {n: normal(n) for n in set(left) | set(right)}
    a = [norm[x] for x in left]
    b = [norm[x] for x in right]
    distinct = set(a) | set(b)
    folded = {n: fold(n) for n in distinct}
    sound = {n: pinyin_key(n) for n in distinct}
    free = {n: order_free(n) for n in distinct}
    by_char = cpdist(
        [folded[x] for x in a],
        [folded[x] for x in b],
        scorer=Levenshtein.normalized_similarity,
        dtype=np.float64,
    )
    by_sound = cpdist(
        [sound[x] for x in a],
        [sound[x] for x in b],
        scorer=Levenshtein.normalized_similarity,
        dtype=np.float64,
    )
    len_a = np.fromiter((len(x) for x in a), dtype=np.int64, count=len(a))
    len_b = np.fromiter((len(x) for x in b), dtype=np.int64, count=len(b))
    equal = np.fromiter((x == y for x, y in zip(a, b, strict=True)), dtype=bool, count=len(a))
    reordered = np.fromiter(
        (free[x] == free[y] for x, y in zip(a, b, strict=True)), dtype=bool, count=len(a)
    )
    empty = np.fromiter(
        (not x or not y for x, y in zip(a, b, strict=True)), dtype=bool, count=len(a)
    )
    out = np.maximum(by_char, by_sound * 0.95)
    out = np.where(reordered & (len_a == len_b) & (len_a > 2), REORDERED, out)
    out = np.where((by_char == 1.0) | ((by_sound == 1.0) & (len_a == len_b)), RESPELT, out)
    out = np.where(equal, SAME, out)
    out = np.where(empty, 0.0, out)
    return out.tolist()
