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

REG_HEADER = ["id_number", "name", "area_code", "status", "poor", "dibao", "tekun", "severe_disability"]
ENR_HEADER = ["id_number", "name", "area_code", "insurance", "enrolment_status", "poverty_tag", "premium_subsidy", "deceased"]
AS_OF = dt.date(2020, 6, 30)
ON_LIST = ("new", "poor", "exited_policy", "returned")  # 享受政策: the statuses that keep the poverty tag

_W = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_CHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏付方邹熊江"
GIVEN = "建国文春海志永德金秋雪梅兰桂珍凤荣淑云宁波浩宇欣怡佳俊明华丽伟静军英红芳平敏杰林刚燕勇涛辉霞峰斌娟玲强磊超秀福生根水发才"
# 同音字 in names, written from what clerks mishear: each group has one toneless reading.
HOMOPHONES = ["丽莉俐", "伟玮炜", "静晶菁", "军君钧", "华桦骅", "明铭鸣", "英瑛莺", "红虹鸿", "芳方坊", "平萍苹", "敏民珉",
              "杰洁婕", "林琳霖", "刚钢纲", "燕艳雁", "勇永咏", "涛韬滔", "辉晖徽", "霞侠峡", "峰锋枫", "斌彬滨", "娟鹃涓",
              "玲铃灵", "强蔷", "磊蕾垒", "超钞", "秀绣", "春椿", "兰岚澜", "梅玫媚", "珍贞真", "凤奉", "云芸耘", "志智致",
              "建健剑", "文雯汶", "金锦", "荣蓉容", "淑舒书", "宇雨语", "欣新鑫", "怡宜仪", "佳嘉家", "俊骏峻", "浩昊皓",
              "波博", "福富", "生升", "根庚", "才财"]  # fmt: skip
HOMOPHONE_OF = {c: g.replace(c, "") for g in HOMOPHONES for c in g}
# 繁体字: simplified → traditional, for the characters of the tables above that have one.
TRADITIONAL = dict(zip("华国丽红刚伟军东杰荣贵兰艳凤云龙庆辉涛丰兴叶刘陈张杨黄赵吴郑孙马罗谢韩冯邓许苏吕卢钟陆汪范"
                       "贾邹姜谭锋钢强宁学进鹏飞义仪莲乐齐发根芳金银铭铃钧娟",
                       "華國麗紅剛偉軍東傑榮貴蘭豔鳳雲龍慶輝濤豐興葉劉陳張楊黃趙吳鄭孫馬羅謝韓馮鄧許蘇呂盧鍾陸汪範"
                       "賈鄒薑譚鋒鋼強寧學進鵬飛義儀蓮樂齊發根芳金銀銘鈴鈞娟", strict=True))  # fmt: skip
TRADITIONAL = {s: t for s, t in TRADITIONAL.items() if s != t}
# Minority names (少数民族) written with a middle dot, and the ways clerks write that dot.
MINORITY_GIVEN = ["阿依古丽", "买买提", "热合曼", "古丽娜尔", "艾力", "帕提古丽", "努尔", "阿迪力", "玉苏甫", "米日古丽", "阿不都", "热依拉"]
MINORITY_FAMILY = ["吐尔逊", "艾山", "买买提", "司马义", "阿吾提", "依明", "托乎提", "库尔班", "热合木", "尼亚孜"]
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


def to_str(m: np.ndarray) -> list[str]:
    return np.ascontiguousarray(m).view(f"S{m.shape[1]}").ravel().astype(str).tolist()


def is_valid(idn: str, as_of: dt.date = AS_OF) -> bool:
    """A well-formed 18-character number: digits, a real birth date not after as_of, right check char."""
    if len(idn) != 18 or not idn[:17].isascii() or not idn[:17].isdigit() or idn[17] not in "0123456789X":
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
    return body17 + chr(check_chars((np.frombuffer(body17.encode(), dtype=np.uint8) - 48)[None, :])[0])


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
    kind = rng.choice(["legacy", "full_width", "spaces", "nbsp", "lower_x", "padded"], p=[0.3, 0.2, 0.2, 0.1, 0.1, 0.1])
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


def _names(rng: np.random.Generator, n: int) -> list[str]:
    sur = rng.integers(0, len(SURNAMES), n)
    g1 = rng.integers(0, len(GIVEN), n)
    g2 = rng.integers(-len(GIVEN) // 2, len(GIVEN), n)  # a third have a one-character given name
    return [SURNAMES[s] + GIVEN[a] + (GIVEN[b] if b >= 0 else "") for s, a, b in zip(sur.tolist(), g1.tolist(), g2.tolist(), strict=True)]


def generate(persons: int = 3000, others: int = 6000, *, seed: int = 8, counties: tuple[str, ...] = ("360430",),
             moved_to: str = "360481", as_of: dt.date = AS_OF) -> World:
    """A registry of `persons` in `counties` and an extract with their rows and `others` rows of people
    not on the registry (neighbours, same-name distractors, duplicates), shuffled."""
    rng = np.random.default_rng(seed)
    county_codes = np.array([int(c) for c in counties], dtype=np.int64)
    start = np.datetime64(as_of) - np.timedelta64(92 * 365, "D")
    span = 92 * 365

    # Everyone's ID: distinct (county, birth, sequence); registry persons first, the rest after.
    def people(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        c = rng.integers(0, len(county_codes), n * 6 // 5 + 10)
        days = rng.integers(0, span, len(c))
        seq = rng.integers(0, 1000, len(c))
        return c, days, seq

    n_all = persons + others
    c, days, seq = people(n_all)
    key = (c * span + days) * 1000 + seq
    _, first = np.unique(key, return_index=True)
    first = rng.permutation(first)[:n_all]
    c, days, seq = c[first], days[first], seq[first]
    born = start + days.astype("timedelta64[D]")
    ids_m = id_matrix(county_codes[c], born, seq)
    ids = to_str(ids_m)
    village = [f"{county_codes[k]}{100 + t:03d}{200 + v:03d}" for k, t, v in
               zip(c.tolist(), rng.integers(0, 12, n_all).tolist(), rng.integers(0, 16, n_all).tolist(), strict=True)]
    names = _names(rng, n_all)
    minority = np.nonzero(rng.random(n_all) < 0.03)[0]
    for i in minority.tolist():
        names[i] = str(rng.choice(MINORITY_GIVEN)) + "·" + str(rng.choice(MINORITY_FAMILY))
    adult = born <= np.datetime64(as_of.replace(year=as_of.year - 16))
    taken = set(ids)

    # The registry ------------------------------------------------------------------------------------
    p = persons
    u = rng.random(p)
    status = np.where(u < 0.62, "exited_policy", np.where(u < 0.80, "poor", np.where(u < 0.84, "new",
                      np.where(u < 0.86, "returned", np.where(u < 0.95, "exited", "removed")))))
    listed = np.isin(status, ON_LIST)
    dibao, tekun, severe = rng.random(p) < 0.2, rng.random(p) < 0.03, rng.random(p) < 0.03
    reg_ids = list(ids[:p])
    # A few registry numbers as old files hold them: 15-digit, full-width (the comparison repairs them).
    for i in np.nonzero(rng.random(p) < 0.01)[0].tolist():
        reg_ids[i] = mess(rng, reg_ids[i])[0]
    registry = pl.DataFrame({
        "id_number": reg_ids, "name": names[:p], "area_code": village[:p], "status": status.tolist(),
        "poor": listed.astype(int).astype(str).tolist(), "dibao": dibao.astype(int).astype(str).tolist(),
        "tekun": tekun.astype(int).astype(str).tolist(), "severe_disability": severe.astype(int).astype(str).tolist(),
    })

    # Same-name, same-birthday, same-sex neighbours in the same village (not on the registry), whose IDs
    # differ in two or three digits of the sequence (so also in the check character).
    twins = np.nonzero(rng.random(p) < 0.04)[0]
    extra_ids, extra_names, extra_village, extra_adult = [], [], [], []
    for i in twins.tolist():
        s = int(seq[i])
        for _ in range(50):
            t = int(rng.integers(0, 500)) * 2 + s % 2
            if sum(a != b for a, b in zip(f"{s:03d}", f"{t:03d}", strict=True)) >= 2:
                cand = _with_check(ids[i][:14] + f"{t:03d}")
                if cand not in taken:
                    taken.add(cand)
                    extra_ids.append(cand)
                    extra_names.append(names[i])
                    extra_village.append(village[i])
                    extra_adult.append(bool(adult[i]))
                    break
    # A listed person with such a neighbour is often not enrolled at all: the trap.
    unenrolled_bias = np.zeros(p, dtype=bool)
    unenrolled_bias[twins] = True

    # The extract: rows of registry persons ---------------------------------------------------------------
    rows: list[dict] = []
    own: list[int] = []  # registry row (1-based) each row belongs to, 0 for people not on the registry
    facts: list[dict] = []
    faults: dict[str, int] = {}

    def count(kind: str) -> None:
        faults[kind] = faults.get(kind, 0) + 1

    for i in range(p):
        for insurance in ("medical", "pension"):
            if insurance == "pension" and not adult[i]:
                continue
            miss = 0.5 if unenrolled_bias[i] else (0.03 if insurance == "medical" else 0.05)
            if rng.random() < miss:
                continue
            on = status[i] != "removed"
            poor = bool(listed[i])
            entitled = (poor or dibao[i] or tekun[i] or severe[i]) and on
            raw, name, area = ids[i], names[i], village[i]
            f = rng.random()
            id_fault = ""
            if f < 0.015:
                raw, id_fault = wrong_check(rng, raw), "check"
            elif f < 0.030:
                raw, id_fault = transpose(rng, raw) or wrong_check(rng, raw), "transpose"
            elif f < 0.045:
                raw, id_fault = birth_digit(rng, raw), "birth_digit"
            elif f < 0.050:
                t = legacy_typo(rng, raw)
                raw, id_fault = (t, "legacy_typo") if t else (wrong_check(rng, raw), "check")
            normalised = upgrade(raw) if len(raw) == 15 else raw
            if id_fault and normalised in taken:
                raw, id_fault, normalised = ids[i], "", ids[i]  # the fault hit someone's real number: skip it
            if id_fault:
                taken.add(normalised)
                count(id_fault)
            name_fault = ""
            if rng.random() < (0.45 if id_fault else 0.06):
                name, name_fault = misname(rng, name)
                if name_fault:
                    count(name_fault)
                    if id_fault:
                        count("id+name")
            if rng.random() < 0.05:
                raw, kind = mess(rng, raw, legacy=not id_fault)
                count(kind)
            moved = not id_fault and on and rng.random() < 0.02
            if moved:
                area = moved_to + area[6:]
            g = rng.random()
            enrol = "active"
            dead = False
            if on and g < 0.02:
                enrol = str(rng.choice(["suspended", "terminated"]))
            elif on and g < 0.03:
                dead = True
            tagged = poor and on and rng.random() >= 0.03
            if status[i] == "exited":
                tagged = rng.random() < 0.4
            if status[i] == "removed":
                dead = rng.random() < 0.8
                tagged = rng.random() < 0.5
            subsidised = entitled and rng.random() >= 0.03
            rows.append({"id_number": raw, "name": name, "area_code": area, "insurance": insurance, "enrolment_status": enrol,
                         "poverty_tag": tagged, "premium_subsidy": subsidised, "deceased": dead})
            own.append(i + 1)
            facts.append({"exact": not id_fault, "normalised": normalised, "moved": moved, "on": on, "poor": poor,
                          "entitled": entitled})

    # Rows of people not on the registry: the neighbours above, the rest of the county, a few duplicates.
    def other_row(idn: str, name: str, area: str, insurance: str, tag_rate: float) -> None:
        rows.append({"id_number": idn, "name": name, "area_code": area, "insurance": insurance, "enrolment_status": "active",
                     "poverty_tag": bool(rng.random() < tag_rate), "premium_subsidy": False, "deceased": False})
        own.append(0)
        facts.append({"exact": True, "normalised": idn})

    for idn, name, area, grown in zip(extra_ids, extra_names, extra_village, extra_adult, strict=True):
        other_row(idn, name, area, "medical", 0.3)
        if grown:
            other_row(idn, name, area, "pension", 0.3)
    rest = range(p, n_all)
    for k in rest:
        other_row(ids[k], names[k], village[k], "medical", 0.02)
        if adult[k] and rng.random() < 0.8:
            other_row(ids[k], names[k], village[k], "pension", 0.02)
    n_dup = max(1, (len(rows) - sum(1 for o in own if o)) // 2000)
    dup_of = rng.choice(np.nonzero(np.array(own) == 0)[0], n_dup, replace=False).tolist()
    for k in dup_of:
        rows.append(dict(rows[k]))
        own.append(0)
        facts.append(dict(facts[k]))

    order = rng.permutation(len(rows))
    rows = [rows[k] for k in order.tolist()]
    own_arr = np.array(own, dtype=np.int64)[order]
    facts = [facts[k] for k in order.tolist()]
    enrolment = pl.DataFrame({
        **{c: [r[c] for r in rows] for c in ("id_number", "name", "area_code", "insurance", "enrolment_status")},
        **{c: [str(int(r[c])) for r in rows] for c in ("poverty_tag", "premium_subsidy", "deceased")},
    })

    listed_poor = np.zeros(p + 1, dtype=bool)
    listed_poor[1:] = listed & (status != "removed")
    world = World(registry, enrolment, owner=own_arr, listed_poor=listed_poor, faults=faults)
    world.truth = _truth(rows, own_arr, facts, status, listed, adult, ids[:p], as_of)
    return world


def _truth(rows, own, facts, status, listed, adult, reg_ids, as_of) -> dict[str, set]:
    """What a correct comparison reports, category by category, from what the generator did."""
    t: dict[str, set] = {c: set() for c in (
        "matched", "not_enrolled_pension", "not_enrolled_medical", "enrolled_elsewhere", "suspended", "premium_not_subsidised",
        "tag_missing", "tag_stale", "id_mismatch_candidate", "invalid_id", "duplicate_id", "deceased")}
    exact_rows: dict[tuple[int, str], int] = {}
    faulty_rows: dict[tuple[int, str], int] = {}
    for k, (r, f) in enumerate(zip(own.tolist(), facts, strict=True)):
        row = rows[k]
        e = k + 1
        if not is_valid(f["normalised"], as_of):
            t["invalid_id"].add((None, e, row["insurance"]))
        if r == 0:
            if row["poverty_tag"]:
                t["tag_stale"].add((None, e, row["insurance"]))
            continue
        (exact_rows if f["exact"] else faulty_rows)[(r, row["insurance"])] = e
    seen: dict[tuple[str, str], list[int]] = {}
    for k, f in enumerate(facts):
        seen.setdefault((f["normalised"], rows[k]["insurance"]), []).append(k + 1)
    for (_, insurance), ks in seen.items():
        if len(ks) > 1:
            t["duplicate_id"] |= {(None, e, insurance) for e in ks}
    for r in range(1, len(reg_ids) + 1):
        i = r - 1
        on = status[i] != "removed"
        target_person = bool(listed[i]) and on
        for insurance in ("medical", "pension"):
            e = exact_rows.get((r, insurance))
            if e is not None:
                row, f = rows[e - 1], facts[e - 1]
                if row["deceased"] and on:
                    t["deceased"].add((r, None, insurance))
                if not row["deceased"]:
                    if row["enrolment_status"] != "active":
                        t["suspended"].add((r, None, insurance))
                    else:
                        t["enrolled_elsewhere" if f["moved"] else "matched"].add((r, None, insurance))
                if target_person and not row["deceased"] and not row["poverty_tag"]:
                    t["tag_missing"].add((r, None, insurance))
                if (f["entitled"] and not row["deceased"] and row["enrolment_status"] == "active" and not f["moved"]
                        and not row["premium_subsidy"]):
                    t["premium_not_subsidised"].add((r, None, insurance))
                if row["poverty_tag"] and not target_person:
                    t["tag_stale"].add((None, e, insurance))
                continue
            e = faulty_rows.get((r, insurance))
            eligible = target_person and (insurance == "medical" or adult[i])
            if e is not None and eligible:
                t["id_mismatch_candidate"].add((r, e, insurance))
            elif eligible:
                t[f"not_enrolled_{insurance}"].add((r, None, insurance))
            if e is not None and not target_person and rows[e - 1]["poverty_tag"]:
                t["tag_stale"].add((None, e, insurance))
    return t


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
