"""An independently generated county for judging 信息比对: a poverty registry and an insurance
enrolment extract with the faults real extracts have, and the ground truth of every row.

Nothing here comes from the matcher (fupin.exchange.comparison): the ID arithmetic, the
homophone and traditional-character tables and the fault rates are this file's own, so the
comparison is scored on faults it did not choose. Used by tests/exchange/test_linkage.py (a few
thousand persons) and bench/compare.py (a million persons, twenty million rows): the ID work is
NumPy over whole columns; only the few faulty rows are touched one by one.

Faults in the extract (each row at most one ID fault, combined at random with a name fault and a
format mess):
- ID: wrong check character; two adjacent digits transposed; one birth-date digit wrong (the check
  character kept, or recomputed as a system that derives it would); a 15-digit legacy number with a
  digit wrong (upgraded, it is valid and one digit off);
- format (repairable, the same person exactly): 15-digit legacy numbers, full-width digits,
  spaces inside, no-break spaces, a lower-case x;
- name: a homophone character (同音字), a traditional character (繁体字), the middle dot of a
  minority name written another way or left out, the two given-name characters swapped;
- people: not enrolled at all; enrolled in another county; suspended; deceased; a missing or stale
  poverty tag; premium not subsidised; and same-name, same-birthday, same-sex neighbours in the
  same village whose ID differs in several digits (often enrolled while the listed person is not).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import polars as pl

REG_HEADER = [
    "id_number",
    "name",
    "area_code",
    "status",
    "poor",
    "dibao",
    "tekun",
    "severe_disability",
]
ENR_HEADER = [
    "id_number",
    "name",
    "area_code",
    "insurance",
    "enrolment_status",
    "poverty_tag",
    "premium_subsidy",
    "deceased",
]
AS_OF = dt.date(2020, 6, 30)
ON_LIST = (
    "new",
    "poor",
    "exited_policy",
    "returned",
)  # 享受政策: the statuses that keep the poverty tag

_W = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_CHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏付方邹熊江"
)
GIVEN = (
    "建国文春海志永德金秋雪梅兰桂珍凤荣淑云宁波浩宇欣怡佳俊明华丽伟静军英红芳平敏杰林刚燕勇涛"
    "辉霞峰斌娟玲强磊超秀福生根水发才"
)
# 同音字 in names, written from what clerks mishear: each group has one toneless reading.
HOMOPHONES = ["丽莉俐", "伟玮炜", "静晶菁", "军君钧", "华桦骅", "明铭鸣", "英瑛莺", "红虹鸿", "芳方坊", "平萍苹",
              "敏民珉",
              "杰洁婕", "林琳霖", "刚钢纲", "燕艳雁", "勇永咏", "涛韬滔", "辉晖徽", "霞侠峡", "峰锋枫", "斌彬滨",
              "娟鹃涓",
              "玲铃灵", "强蔷", "磊蕾垒", "超钞", "秀绣", "春椿", "兰岚澜", "梅玫媚", "珍贞真", "凤奉", "云芸耘",
              "志智致",
              "建健剑", "文雯汶", "金锦", "荣蓉容", "淑舒书", "宇雨语", "欣新鑫", "怡宜仪", "佳嘉家", "俊骏峻",
              "浩昊皓",
              "波博", "福富", "生升", "根庚", "才财"]  # fmt: skip
HOMOPHONE_OF = {c: g.replace(c, "") for g in HOMOPHONES for c in g}
# 繁体字: simplified → traditional, for the characters of the tables above that have one.
TRADITIONAL = dict(zip("华国丽红刚伟军东杰荣贵兰艳凤云龙庆辉涛丰兴叶刘陈张杨黄赵吴郑孙马罗谢韩冯邓许苏吕卢钟陆汪范"
                       "贾邹姜谭锋钢强宁学进鹏飞义仪莲乐齐发根芳金银铭铃钧娟",
                       "華國麗紅剛偉軍東傑榮貴蘭豔鳳雲龍慶輝濤豐興葉劉陳張楊黃趙吳鄭孫馬羅謝韓馮鄧許蘇呂盧鍾陸汪範"
                       "賈鄒薑譚鋒鋼強寧學進鵬飛義儀蓮樂齊發根芳金銀銘鈴鈞娟", strict=True))  # fmt: skip
TRADITIONAL = {s: t for s, t in TRADITIONAL.items() if s != t}
# Minority names (少数民族) written with a middle dot, and the ways clerks write that dot.
MINORITY_GIVEN = [
    "阿依古丽",
    "买买提",
    "热合曼",
    "古丽娜尔",
    "艾力",
    "帕提古丽",
    "努尔",
    "阿迪力",
    "玉苏甫",
    "米日古丽",
    "阿不都",
    "热依拉",
]
MINORITY_FAMILY = [
    "吐尔逊",
    "艾山",
    "买买提",
    "司马义",
    "阿吾提",
    "依明",
    "托乎提",
    "库尔班",
    "热合木",
    "尼亚孜",
]
DOTS = ["•", ".", "．", "‧", "・", "", " "]
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


@dataclass
class World:
    """registry and enrolment as the comparison reads them (every value a string), and the truth.

    `truth[category]` holds (registry_row, enrolment_row, insurance) triples, rows numbered from 1 in
    file order, None where a category does not concern that side. `owner[k]` is the registry row the
    k-th enrolment row (0-based) belongs to, 0 for people not on the registry; `listed_poor[r]` says
    whether registry row r (1-based; index 0 unused) is a person whose poverty tag must stay.
    """

    registry: pl.DataFrame
    enrolment: pl.DataFrame
    truth: dict[str, set] = field(default_factory=dict)
    frames: dict[str, pl.DataFrame] = field(default_factory=dict)
    owner: np.ndarray | None = None
    listed_poor: np.ndarray | None = None
    faults: dict[str, int] = field(default_factory=dict)


# ID arithmetic (GB 11643), on whole columns --------------------------------------------------------------


def check_chars(first17: np.ndarray) -> np.ndarray:
    """ISO 7064 MOD 11-2 check characters (ASCII codes) of an N×17 digit matrix."""
    return _CHECK[(first17.astype(np.int64) @ _W) % 11]


def id_matrix(county: np.ndarray, born: np.ndarray, seq: np.ndarray) -> np.ndarray:
    """N×18 ASCII ID numbers: 6-digit area code, birth date (datetime64[D]), 3-digit sequence."""
    y = born.astype("datetime64[Y]").astype(np.int64) + 1970
    m = born.astype("datetime64[M]").astype(np.int64) % 12 + 1
    d = (born - born.astype("datetime64[M]")).astype(np.int64) + 1
    ymd = y * 10000 + m * 100 + d
    digits = np.empty((len(county), 17), dtype=np.int64)
    for k in range(6):
        digits[:, k] = (county // 10 ** (5 - k)) % 10
    for k in range(8):
        digits[:, 6 + k] = (ymd // 10 ** (7 - k)) % 10
    for k in range(3):
        digits[:, 14 + k] = (seq // 10 ** (2 - k)) % 10
    out = np.empty((len(county), 18), dtype=np.uint8)
    out[:, :17] = digits + 48
    out[:, 17] = check_chars(digits)
    return out


def is_valid(idn: str, as_of: dt.date = AS_OF) -> bool:
    """A well-formed 18-character number: digits, a real birth date not after as_of, right check char."""
    if (
        len(idn) != 18
        or not idn[:17].isascii()
        or not idn[:17].isdigit()
        or idn[17] not in "0123456789X"
    ):
        return False
    try:
        born = dt.date(int(idn[6:10]), int(idn[10:12]), int(idn[12:14]))
    except ValueError:
        return False
    if born > as_of or born < dt.date(1890, 1, 1):
        return False
    digits = np.frombuffer(idn[:17].encode(), dtype=np.uint8) - 48
    return chr(check_chars(digits[None, :])[0]) == idn[17]


def _with_check(body17: str) -> str:
    return body17 + chr(
        check_chars((np.frombuffer(body17.encode(), dtype=np.uint8) - 48)[None, :])[0]
    )


# Faults, one row at a time (only the faulty rows come here) -----------------------------------------------


def wrong_check(rng: np.random.Generator, idn: str) -> str:
    return idn[:17] + rng.choice([c for c in "0123456789X" if c != idn[17]])


def transpose(rng: np.random.Generator, idn: str) -> str | None:
    """Two adjacent different digits among positions 7–17 swapped, check character kept."""
    spots = [i for i in range(6, 16) if idn[i] != idn[i + 1]]
    if not spots:
        return None
    i = int(rng.choice(spots))
    return idn[:i] + idn[i + 1] + idn[i] + idn[i + 2 :]


def birth_digit(rng: np.random.Generator, idn: str) -> str:
    """One digit of the birth date (positions 7–14) wrong; half the time the check char recomputed."""
    i = int(rng.integers(6, 14))
    body = idn[:i] + rng.choice([c for c in "0123456789" if c != idn[i]]) + idn[i + 1 : 17]
    return _with_check(body) if rng.random() < 0.5 else body + idn[17]


def legacy_typo(rng: np.random.Generator, idn: str) -> str | None:
    """A 15-digit legacy number (born 19xx) with one digit of its date or sequence wrong."""
    if idn[6:8] != "19":
        return None
    short = idn[:6] + idn[8:17]
    i = int(rng.integers(6, 15))
    return short[:i] + rng.choice([c for c in "0123456789" if c != short[i]]) + short[i + 1 :]


def upgrade(short: str) -> str:
    return _with_check(short[:6] + "19" + short[6:])


def mess(rng: np.random.Generator, raw: str, legacy: bool = True) -> tuple[str, str]:
    """The same number written the way spreadsheets and clerks write it (a repairable form).
    `legacy`: the 15-digit form may be used (not for a faulty number: it would drop the fault)."""
    kind = rng.choice(
        ["legacy", "full_width", "spaces", "nbsp", "lower_x", "padded"],
        p=[0.3, 0.2, 0.2, 0.1, 0.1, 0.1],
    )
    if kind == "legacy" and legacy and len(raw) == 18 and raw[6:8] == "19":
        return raw[:6] + raw[8:17], kind
    if kind == "full_width":
        return raw.translate(FULL_WIDTH), kind
    if kind == "spaces":
        return f"{raw[:6]} {raw[6:14]} {raw[14:]}", kind
    if kind == "nbsp":
        return raw[:6] + "\u00a0" + raw[6:], kind
    if kind == "lower_x" and raw.endswith("X"):
        return raw[:-1] + "x", kind
    return f" {raw}\t", "padded"


def misname(rng: np.random.Generator, name: str) -> tuple[str, str]:
    """The same person's name as another clerk typed it."""
    for dot in ("·",):
        if dot in name:
            return name.replace(dot, str(rng.choice(DOTS))), "dot"
    kinds = []
    given = name[1:]
    if any(c in HOMOPHONE_OF for c in given):
        kinds.append("homophone")
    if any(c in TRADITIONAL for c in name):
        kinds.append("traditional")
    if len(given) == 2 and given[0] != given[1]:
        kinds.append("swap")
    if not kinds:
        return name, ""
    kind = str(rng.choice(kinds))
    if kind == "homophone":
        i = 1 + next(k for k in range(len(given) - 1, -1, -1) if given[k] in HOMOPHONE_OF)
        return name[:i] + str(rng.choice(list(HOMOPHONE_OF[name[i]]))) + name[i + 1 :], kind
    if kind == "traditional":
        return "".join(TRADITIONAL.get(c, c) for c in name), kind
    return name[0] + given[::-1], kind


# The county ----------------------------------------------------------------------------------------------


def _str(series_bytes: np.ndarray) -> pl.Series:
    return pl.Series(
        np.ascontiguousarray(series_bytes).view(f"S{series_bytes.shape[1]}").ravel()
    ).cast(pl.Utf8)


def _name_column(rng: np.random.Generator, n: int) -> pl.Series:
    """Han names from the pools, built column-wise (millions of rows)."""
    sur = pl.Series(list(SURNAMES)).gather(rng.integers(0, len(SURNAMES), n))
    g1 = pl.Series(list(GIVEN)).gather(rng.integers(0, len(GIVEN), n))
    g2 = pl.Series(list(GIVEN) + [""] * (len(GIVEN) // 2)).gather(
        rng.integers(0, len(GIVEN) * 3 // 2, n)
    )
    return (
        pl.DataFrame({"a": sur, "b": g1, "c": g2}).select(pl.concat_str("a", "b", "c")).to_series()
    )


def generate(
    persons: int = 3000,
    others: int = 6000,
    *,
    seed: int = 8,
    counties: tuple[str, ...] = ("360430",),
    moved_to: str = "360481",
    as_of: dt.date = AS_OF,
) -> World:
    """A registry of `persons` in `counties`; an extract with their rows and the rows of `others` people
    not on the registry (same-name neighbours among them, a few duplicated), shuffled.

    Column-wise throughout; the faulty rows (about one in ten) are made one at a time.
    """
    rng = np.random.default_rng(seed)
    county_codes = np.array([int(c) for c in counties], dtype=np.int64)
    span = 92 * 365
    start = np.datetime64(as_of) - np.timedelta64(span, "D")
    n_all = persons + others

    # Everyone's ID: distinct (county, birth, sequence).
    c = rng.integers(0, len(county_codes), n_all * 6 // 5 + 10)
    days = rng.integers(0, span, len(c))
    seq = rng.integers(0, 1000, len(c))
    _, first = np.unique((c * span + days) * 1000 + seq, return_index=True)
    first = rng.permutation(first)[:n_all]
    c, days, seq = c[first], days[first], seq[first]
    born = start + days.astype("timedelta64[D]")
    ids = _str(id_matrix(county_codes[c], born, seq))
    village = pl.Series(
        (
            county_codes[c] * 1_000_000
            + (100 + rng.integers(0, 12, n_all)) * 1000
            + 200
            + rng.integers(0, 16, n_all)
        ).astype(str)
    )
    adult = born <= np.datetime64(as_of.replace(year=as_of.year - 16))
    p = persons
    names = _name_column(rng, p).to_list()
    for i in np.nonzero(rng.random(p) < 0.03)[0].tolist():  # minority names (少数民族)
        names[i] = str(rng.choice(MINORITY_GIVEN)) + "·" + str(rng.choice(MINORITY_FAMILY))
    reg_ids = ids[:p].to_list()

    # The registry.
    u = rng.random(p)
    status = np.where(
        u < 0.62,
        "exited_policy",
        np.where(
            u < 0.80,
            "poor",
            np.where(
                u < 0.84,
                "new",
                np.where(u < 0.86, "returned", np.where(u < 0.95, "exited", "removed")),
            ),
        ),
    )
    listed = np.isin(status, ON_LIST)
    on = status != "removed"
    dibao, tekun, severe = rng.random(p) < 0.2, rng.random(p) < 0.03, rng.random(p) < 0.03
    raw_reg = list(reg_ids)
    for i in np.nonzero(rng.random(p) < 0.01)[
        0
    ].tolist():  # old files: 15-digit, full-width (repairable)
        raw_reg[i] = mess(rng, raw_reg[i])[0]
    flag = lambda a: pl.Series(a.astype(np.int8)).cast(pl.Utf8)  # noqa: E731
    registry = pl.DataFrame(
        {
            "id_number": raw_reg,
            "name": names,
            "area_code": village[:p],
            "status": status,
            "poor": flag(listed),
            "dibao": flag(dibao),
            "tekun": flag(tekun),
            "severe_disability": flag(severe),
        }
    )

    # Same-name, same-birthday, same-sex neighbours in the same village, not on the registry; their
    # sequence differs in two or three digits. A listed person with one is often not enrolled: the trap.
    twins = np.nonzero(rng.random(p) < 0.04)[0]
    t_seq = seq[twins].copy()
    todo = np.ones(len(twins), dtype=bool)
    for _ in range(30):
        k = np.nonzero(todo)[0]
        if not len(k):
            break
        draw = rng.integers(0, 500, len(k)) * 2 + seq[twins[k]] % 2
        old = seq[twins[k]]
        apart = sum(((draw // 10**j) % 10 != (old // 10**j) % 10).astype(int) for j in range(3))
        ok = apart >= 2
        t_seq[k[ok]] = draw[ok]
        todo[k[ok]] = False
    twins, t_seq = twins[~todo], t_seq[~todo]
    twin_ids = _str(id_matrix(county_codes[c[twins]], born[twins], t_seq))
    clash = twin_ids.is_in(ids.implode()).to_numpy() | twin_ids.is_duplicated().to_numpy()
    twins, twin_ids = twins[~clash], twin_ids.filter(~pl.Series(clash))
    trap = np.zeros(p, dtype=bool)
    trap[twins] = True

    # Rows of registry persons: medical for all, pension for adults; columns of per-row dice.
    who = np.concatenate([np.arange(p), np.nonzero(adult[:p])[0]])
    ins = np.array(["medical"] * p + ["pension"] * int(adult[:p].sum()))
    miss = np.where(trap[who], 0.5, np.where(ins == "medical", 0.03, 0.05))
    keep = rng.random(len(who)) >= miss
    who, ins = who[keep], ins[keep]
    m = len(who)
    poor_r, on_r = listed[who], on[who]
    entitled = (poor_r | dibao[who] | tekun[who] | severe[who]) & on_r
    f = rng.random(m)
    kind = np.select(
        [f < 0.015, f < 0.030, f < 0.045, f < 0.050],
        ["check", "transpose", "birth_digit", "legacy_typo"],
        "",
    )
    raw = [reg_ids[i] for i in who.tolist()]
    normalised = list(raw)
    row_name = [names[i] for i in who.tolist()]
    for k in np.nonzero(kind != "")[0].tolist():
        idn, what = raw[k], kind[k]
        if what == "transpose":
            bad = transpose(rng, idn) or wrong_check(rng, idn)
        elif what == "birth_digit":
            bad = birth_digit(rng, idn)
        elif what == "legacy_typo":
            bad = legacy_typo(rng, idn)
            if bad is None:
                bad, kind[k] = wrong_check(rng, idn), "check"
        else:
            bad = wrong_check(rng, idn)
        raw[k], normalised[k] = bad, upgrade(bad) if len(bad) == 15 else bad
    faulty = kind != ""
    norm_s = pl.Series(normalised)
    hit = faulty & (
        norm_s.is_in(ids.implode()).to_numpy()
        | norm_s.is_in(twin_ids.implode()).to_numpy()
        | (norm_s.is_duplicated().to_numpy() & faulty)
    )
    for k in np.nonzero(hit)[
        0
    ].tolist():  # the fault hit someone's real number: leave this row clean
        raw[k] = normalised[k] = reg_ids[who[k]]
    kind[hit] = ""
    faulty = kind != ""
    faults: dict[str, int] = {
        str(k): int(n) for k, n in zip(*np.unique(kind[faulty], return_counts=True), strict=True)
    }

    def count(what: str) -> None:
        faults[what] = faults.get(what, 0) + 1

    for k in np.nonzero(rng.random(m) < np.where(faulty, 0.45, 0.06))[0].tolist():
        row_name[k], what = misname(rng, row_name[k])
        if what:
            count(what)
            if faulty[k]:
                count("id+name")
    for k in np.nonzero(rng.random(m) < 0.05)[0].tolist():
        raw[k], what = mess(rng, raw[k], legacy=not faulty[k])
        count(str(what))
    moved = ~faulty & on_r & (rng.random(m) < 0.02)
    area = village.gather(who).to_numpy().astype(object)
    area[moved] = [moved_to + a[6:] for a in area[moved]]
    g = rng.random(m)
    enrol = np.where(
        on_r & (g < 0.02), np.where(rng.random(m) < 0.5, "suspended", "terminated"), "active"
    )
    dead = on_r & (g >= 0.02) & (g < 0.03)
    tagged = poor_r & on_r & (rng.random(m) >= 0.03)
    exited, removed = status[who] == "exited", status[who] == "removed"
    tagged = np.where(exited, rng.random(m) < 0.4, tagged)
    dead = np.where(removed, rng.random(m) < 0.8, dead)
    tagged = np.where(removed, rng.random(m) < 0.5, tagged)
    subsidised = entitled & (rng.random(m) >= 0.03)
    own_rows = pl.DataFrame(
        {
            "id_number": raw,
            "name": row_name,
            "area_code": pl.Series(area.tolist(), dtype=pl.Utf8),
            "insurance": ins,
            "enrolment_status": enrol,
            "poverty_tag": tagged,
            "premium_subsidy": subsidised,
            "deceased": dead,
            "owner": who + 1,
            "normalised": normalised,
            "exact": ~faulty,
            "moved": moved,
            "entitled": entitled,
        }
    )

    # Rows of people not on the registry: the neighbours, the rest of the county, a few duplicates.
    t_adult = adult[twins]
    rest = np.arange(p, n_all)
    other_ids = pl.concat(
        [
            twin_ids,
            twin_ids.filter(pl.Series(t_adult)),
            ids[p:],
            ids[p:].filter(pl.Series(adult[p:])),
        ]
    )
    o_names = pl.Series([names[i] for i in twins.tolist()], dtype=pl.Utf8)
    rest_names = _name_column(rng, len(rest))
    other_names = pl.concat(
        [
            o_names,
            o_names.filter(pl.Series(t_adult)),
            rest_names,
            rest_names.filter(pl.Series(adult[p:])),
        ]
    )
    other_area = pl.concat(
        [
            village.gather(twins),
            village.gather(twins[t_adult]),
            village[p:],
            village[p:].filter(pl.Series(adult[p:])),
        ]
    )
    n_t, n_ta, n_r, n_ra = len(twins), int(t_adult.sum()), len(rest), int(adult[p:].sum())
    other_ins = pl.concat(
        [
            pl.repeat(v, n, eager=True)
            for v, n in (("medical", n_t), ("pension", n_ta), ("medical", n_r), ("pension", n_ra))
        ]
    )
    tag_rate = np.concatenate([np.full(n_t + n_ta, 0.3), np.full(n_r + n_ra, 0.02)])
    o = len(other_ins)
    zeros = np.zeros(o, dtype=bool)
    other_rows = pl.DataFrame(
        {
            "id_number": other_ids,
            "name": other_names,
            "area_code": other_area,
            "insurance": other_ins,
            "enrolment_status": pl.repeat("active", o, eager=True),
            "poverty_tag": rng.random(o) < tag_rate,
            "premium_subsidy": zeros,
            "deceased": zeros,
            "owner": np.zeros(o, dtype=np.int64),
            "normalised": other_ids,
            "exact": ~zeros,
            "moved": zeros,
            "entitled": zeros,
        }
    )
    dups = other_rows.gather(rng.choice(o, max(1, o // 2000), replace=False))
    rows = pl.concat([own_rows, other_rows, dups], how="vertical_relaxed")
    rows = rows.gather(rng.permutation(rows.height)).with_row_index("e", offset=1)
    enrolment = rows.select(
        "id_number",
        "name",
        "area_code",
        "insurance",
        "enrolment_status",
        *[
            pl.col(x).cast(pl.Int8).cast(pl.Utf8)
            for x in ("poverty_tag", "premium_subsidy", "deceased")
        ],
    )
    listed_poor = np.zeros(p + 1, dtype=bool)
    listed_poor[1:] = listed & on
    persons_df = pl.DataFrame(
        {"r": np.arange(1, p + 1), "listed": listed & on, "on": on, "adult": adult[:p]}
    )
    world = World(
        registry, enrolment, owner=rows["owner"].to_numpy(), listed_poor=listed_poor, faults=faults
    )
    world.frames = _truth(rows, persons_df, as_of)
    world.truth = (
        {k: set(v.select("r", "e", "insurance").iter_rows()) for k, v in world.frames.items()}
        if rows.height < 200_000
        else {}
    )
    return world


def _truth(rows: pl.DataFrame, persons: pl.DataFrame, as_of: dt.date) -> dict[str, pl.DataFrame]:
    """What a correct comparison reports, category by category, from what the generator did:
    frames of (r, e, insurance), r and e the registry and enrolment row numbers (null where the
    category does not concern that side)."""
    col = pl.col
    none = pl.lit(None, pl.Int64)

    def out(df: pl.DataFrame, r=True, e=True) -> pl.DataFrame:
        return df.select(
            r=col("owner").cast(pl.Int64) if r else none,
            e=col("e").cast(pl.Int64) if e else none,
            insurance=col("insurance"),
        )

    faulty = rows.filter(~col("exact"))
    invalid = faulty.filter(
        ~col("normalised").map_elements(lambda v: is_valid(v, as_of), return_dtype=pl.Boolean)
    )
    dup = rows.filter(pl.len().over("normalised", "insurance") > 1)
    mine = rows.filter(col("owner") > 0).join(persons, left_on="owner", right_on="r")
    exact = mine.filter(col("exact"))
    alive = ~col("deceased")
    active = col("enrolment_status") == "active"
    has_exact = exact.select("owner", "insurance").unique()
    lacking = (
        persons.filter(col("listed"))
        .join(pl.DataFrame({"insurance": ["medical", "pension"]}), how="cross")
        .filter((col("insurance") == "medical") | col("adult"))
        .join(has_exact, left_on=["r", "insurance"], right_on=["owner", "insurance"], how="anti")
    )
    linked = lacking.join(
        mine.filter(~col("exact")).select("owner", "insurance", "e"),
        left_on=["r", "insurance"],
        right_on=["owner", "insurance"],
        how="left",
    )
    listed_row = col("listed")
    t = {
        "matched": out(exact.filter(alive & active & ~col("moved")), e=False),
        "enrolled_elsewhere": out(exact.filter(alive & active & col("moved")), e=False),
        "suspended": out(exact.filter(alive & ~active), e=False),
        "deceased": out(exact.filter(col("deceased") & col("on")), e=False),
        "tag_missing": out(exact.filter(listed_row & alive & ~col("poverty_tag")), e=False),
        "premium_not_subsidised": out(
            exact.filter(
                col("entitled") & alive & active & ~col("moved") & ~col("premium_subsidy")
            ),
            e=False,
        ),
        "tag_stale": pl.concat(
            [
                out(exact.filter(col("poverty_tag") & ~listed_row), r=False),
                out(mine.filter(~col("exact") & col("poverty_tag") & ~listed_row), r=False),
                out(rows.filter((col("owner") == 0) & col("poverty_tag")), r=False),
            ]
        ),
        "id_mismatch_candidate": linked.filter(col("e").is_not_null()).select(
            r=col("r").cast(pl.Int64), e=col("e").cast(pl.Int64), insurance="insurance"
        ),
        "not_enrolled_medical": linked.filter(
            col("e").is_null() & (col("insurance") == "medical")
        ).select(r=col("r").cast(pl.Int64), e=none, insurance="insurance"),
        "not_enrolled_pension": linked.filter(
            col("e").is_null() & (col("insurance") == "pension")
        ).select(r=col("r").cast(pl.Int64), e=none, insurance="insurance"),
        "invalid_id": out(invalid, r=False),
        "duplicate_id": out(dup, r=False),
    }
    return {k: v.unique() for k, v in t.items()}


def key_of(category: str):
    """Which part of a truth triple a category is judged on."""
    if category == "id_mismatch_candidate":
        return lambda x: x
    if category in ("tag_stale", "duplicate_id"):
        return lambda x: (None, x[1], x[2])
    if category == "invalid_id":
        return lambda x: (None, x[1], x[2]) if x[1] is not None else (x[0], None, None)
    return lambda x: (x[0], None, x[2])


def score(found: set, truth: set) -> tuple[float, float, float]:
    """precision, recall, F1."""
    hit = len(found & truth)
    p = hit / len(found) if found else 1.0
    r = hit / len(truth) if truth else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)
