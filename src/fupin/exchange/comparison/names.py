"""Chinese name similarity (姓名相似度): same sound (同音字) and look-alike characters (形近字).

Names typed by different clerks differ in two ways: a character with the same pinyin
(张丽 / 张莉) or one that looks alike (王 / 玉). Both are scored as near-equal: the names
are compared as toneless pinyin and, after folding look-alike characters, as characters;
the better of the two counts.
"""

from __future__ import annotations

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


@lru_cache(maxsize=65536)
def _char_pinyin(ch: str) -> str:
    return lazy_pinyin(ch, style=Style.NORMAL, errors="default")[0]


def pinyin_key(name: str) -> str:
    """Toneless pinyin with a space between syllables: 张莉 → "zhang li"."""
    return " ".join(_char_pinyin(ch) for ch in name)


def fold(name: str) -> str:
    return "".join(FOLD.get(ch, ch) for ch in name)


def similarity(a: str | None, b: str | None) -> float:
    """0..1; 1 for equal names, near 1 for homophones and look-alike characters."""
    if not a or not b:
        return 0.0
    a, b = a.strip(), b.strip()
    if a == b:
        return 1.0
    by_char = Levenshtein.normalized_similarity(fold(a), fold(b))
    by_sound = Levenshtein.normalized_similarity(pinyin_key(a), pinyin_key(b))
    if by_char == 1.0 or (by_sound == 1.0 and len(a) == len(b)):
        return 0.97  # the same name written with another character
    return max(by_char, by_sound * 0.95)


def similarities(left: list, right: list) -> list[float]:
    """similarity() over two columns at once: the pinyin and folded form of each distinct name is
    computed once, and the edit distances run in rapidfuzz's vectorised pairwise scorer."""
    if not left:
        return []
    a = [x.strip() if x else "" for x in left]
    b = [x.strip() if x else "" for x in right]
    if len(a) != len(b):
        raise ValueError("similarities: columns of different lengths")
    distinct = set(a) | set(b)
    folded = {n: fold(n) for n in distinct}
    sound = {n: pinyin_key(n) for n in distinct}
    by_char = cpdist([folded[x] for x in a], [folded[x] for x in b], scorer=Levenshtein.normalized_similarity, dtype=np.float64)
    by_sound = cpdist([sound[x] for x in a], [sound[x] for x in b], scorer=Levenshtein.normalized_similarity, dtype=np.float64)
    len_a = np.fromiter((len(x) for x in a), dtype=np.int64, count=len(a))
    len_b = np.fromiter((len(x) for x in b), dtype=np.int64, count=len(b))
    equal = np.fromiter((x == y for x, y in zip(a, b, strict=True)), dtype=bool, count=len(a))
    empty = np.fromiter((not x or not y for x, y in zip(left, right, strict=True)), dtype=bool, count=len(a))
    out = np.maximum(by_char, by_sound * 0.95)
    out = np.where((by_char == 1.0) | ((by_sound == 1.0) & (len_a == len_b)), 0.97, out)
    out = np.where(equal, 1.0, out)
    out = np.where(empty, 0.0, out)
    return out.tolist()
