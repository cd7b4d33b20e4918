"""区划查找: an area from what a person types — its code, its name (`鹅湖镇`) or its name with its
parents' (`浮梁县鹅湖镇`, `浮梁县 › 鹅湖镇`). One reading for staff accounts, the area picker and commands;
an ambiguous or unknown name is answered in Chinese with the candidates' full paths."""

from __future__ import annotations

import re
import unicodedata

from .models import Area


class AreaNotFound(ValueError):
    """The text names no area, or more than one (the message lists them)."""


def area_path(area: Area) -> str:
    """江西省 › 景德镇市 › 浮梁县 › 鹅湖镇（360222101）."""
    return " › ".join(a.name for a in [*area.ancestors(), area]) + f"（{area.code}）"


def find_area(text: str) -> Area:
    text = re.sub(r"[\s/›>＞、]+", "", str(text or ""))
    text = (
        re.sub(r"（\d+）$", "", text) if not text.isdigit() else text
    )  # a path as area_path writes it
    if not text:
        raise AreaNotFound("请填写区划（名称或代码）")
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text):
        # A NUL or a lone surrogate would reach the database (PostgreSQL refuses NUL in text).
        raise AreaNotFound("区划名称含有不可见的控制字符，请重新输入")
    if text.isdigit():
        code = text
        if len(code) == 12 and code.endswith("000000"):
            code = code[:6]
        elif len(code) == 12 and code.endswith("000"):
            code = code[:9]
        area = Area.objects.filter(code=code).first()
        if area is None:
            raise AreaNotFound(f"区划代码“{text}”不存在（先用 fupin load_divisions 载入本县区划）")
        return area
    matches = list(Area.objects.filter(name=text).order_by("code"))
    if not matches:  # a name with its parents' names before it: 浮梁县鹅湖镇
        suffixes = [text[i:] for i in range(1, len(text))]
        matches = [
            a
            for a in Area.objects.filter(name__in=suffixes).order_by("code")
            if "".join(x.name for x in [*a.ancestors(), a]).endswith(text)
        ]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        near = Area.objects.filter(name__contains=text).order_by("code")[:5]
        hint = "；相近的有：" + "；".join(area_path(a) for a in near) if near else ""
        raise AreaNotFound(f"找不到名为“{text}”的区划{hint}")
    listed = "；".join(area_path(a) for a in matches[:10]) + ("；……" if len(matches) > 10 else "")
    raise AreaNotFound(
        f"有 {len(matches)} 个区划名为“{text}”，请从列表中选择或带上上级名称（如“浮梁县鹅湖镇”）：{listed}"
    )
