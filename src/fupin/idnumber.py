"""公民身份号码 (GB 11643-1999): parse, check, normalise and mask Chinese ID numbers.

One function, `parse_id_number`, is used by forms, the API and every import. Its faults
are Chinese sentences that say what is wrong, for the staff member who typed it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
# GB/T 2260 province-level codes (省级行政区划代码).
PROVINCES = {
    "11": "北京", "12": "天津", "13": "河北", "14": "山西", "15": "内蒙古",
    "21": "辽宁", "22": "吉林", "23": "黑龙江",
    "31": "上海", "32": "江苏", "33": "浙江", "34": "安徽", "35": "福建", "36": "江西", "37": "山东",
    "41": "河南", "42": "湖北", "43": "湖南", "44": "广东", "45": "广西", "46": "海南",
    "50": "重庆", "51": "四川", "52": "贵州", "53": "云南", "54": "西藏",
    "61": "陕西", "62": "甘肃", "63": "青海", "64": "宁夏", "65": "新疆",
    "71": "台湾", "81": "香港", "82": "澳门",
}  # fmt: skip
OLDEST_BIRTH = dt.date(1890, 1, 1)


class IdNumberError(ValueError):
    """A fault in an ID number, with a Chinese message fit to show the user."""


@dataclass(frozen=True)
class IdNumber:
    """A checked 18-character ID number and what it says about its holder."""

    value: str
    birth_date: dt.date
    sex: str  # "男" or "女"
    upgraded_from: str | None = None  # the 15-digit legacy number, when upgraded

    @property
    def area_code(self) -> str:
        return self.value[:6]

    def masked(self) -> str:
        return mask(self.value)


def check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character for the first 17 digits."""
    return CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def _digits(text: str) -> bool:
    """ASCII digits only: str.isdigit() also admits ٣, ３ or ², which are no part of an ID number."""
    return text.isascii() and text.isdigit()


def clean(raw: object) -> str:
    """Full-width to half-width, spaces and dashes removed, x upper-cased."""
    text = unicodedata.normalize("NFKC", str(raw))
    return "".join(ch for ch in text if not ch.isspace() and ch not in "-'\"").upper()


def mask(value: str) -> str:
    """360222********1234: area code and last four characters stay visible."""
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


# What an ID number looks like inside free text (a search typed into a filter, a message):
# 15 or more digits, half- or full-width, perhaps spaced into groups, perhaps ending in X.
_DIGIT = "0-9\uff10-\uff19"
_ID_IN_TEXT = re.compile(
    rf"(?<![{_DIGIT}])[{_DIGIT}](?:[ \u3000]?[{_DIGIT}]){{14,}}(?:[ \u3000]?[xX\uff58\uff38])?(?![{_DIGIT}])"
)


def mask_in_text(text: str) -> str:
    """Every ID-number-like run in `text` masked (360222********1234); the rest unchanged."""
    return _ID_IN_TEXT.sub(lambda m: mask(clean(m.group())), text)


def mask_in(value: object) -> object:
    """`mask_in_text` through strings, lists and dict values (JSON-like data such as audit changes)."""
    if isinstance(value, str):
        return mask_in_text(value)
    if isinstance(value, dict):
        return {k: mask_in(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_in(v) for v in value]
    return value


def _birth_date(text: str) -> dt.date:
    try:
        born = dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        raise IdNumberError(f"出生日期无效：{text[:4]}年{text[4:6]}月{text[6:8]}日不存在") from None
    if born > dt.date.today():
        raise IdNumberError(f"出生日期无效：{born:%Y-%m-%d} 晚于今天")
    if born < OLDEST_BIRTH:
        raise IdNumberError(f"出生日期无效：{born:%Y-%m-%d} 早于{OLDEST_BIRTH.year}年")
    return born


def parse_id_number(
    raw: object,
    *,
    birth_date: dt.date | None = None,
    sex: str | None = None,
    today: dt.date | None = None,
) -> IdNumber:
    """Check an ID number; raise IdNumberError naming the fault.

    `birth_date` and `sex`, when given, are cross-checked against what the number says.
    15-digit legacy numbers (before 1999) are upgraded to 18 characters.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise IdNumberError("身份证号为空")
    if isinstance(raw, float):
        raise IdNumberError("身份证号以数字格式存储，末位已丢失：请将该列设为文本后重新录入")
    text = clean(raw)
    if "E+" in text or "E-" in text:
        raise IdNumberError(
            "身份证号为科学计数法（如 3.60222E+17），数字已丢失：请将该列设为文本后重新录入"
        )
    upgraded_from = None
    if len(text) == 15:
        if not _digits(text):
            raise IdNumberError("15位身份证号只能由数字组成")
        upgraded_from = text
        first17 = text[:6] + "19" + text[6:]
        text = first17 + check_char(first17)
    if len(text) != 18:
        raise IdNumberError(f"身份证号位数错误：应为18位，实为{len(text)}位")
    if not _digits(text[:17]) or not (_digits(text[17]) or text[17] == "X"):
        raise IdNumberError("身份证号含非法字符：前17位应为数字，末位为数字或X")
    if text[:2] not in PROVINCES:
        raise IdNumberError(f"省份代码“{text[:2]}”不存在")
    born = _birth_date(text[6:14])
    if today is not None and born > today:
        raise IdNumberError(f"出生日期无效：{born:%Y-%m-%d} 晚于{today:%Y-%m-%d}")
    expected = check_char(text[:17])
    if text[17] != expected:
        raise IdNumberError(f"校验码错误，应为{expected}")
    holder_sex = "男" if int(text[16]) % 2 else "女"
    if birth_date is not None and birth_date != born:
        raise IdNumberError(
            f"出生日期与身份证号不符：身份证号为{born:%Y-%m-%d}，填写的是{birth_date:%Y-%m-%d}"
        )
    if sex is not None and sex != holder_sex:
        raise IdNumberError(f"性别与身份证号不符：身份证号为{holder_sex}，填写的是{sex}")
    return IdNumber(text, born, holder_sex, upgraded_from)
