"""区划名称: area codes shown as names ("鹅湖镇 桃墅村"), never as codes, on pages and in exports.

Codes arrive as the Area's own code (6, 9 or 12 digits) or padded to 12 digits (`360222100000` for a
township, `360222000000` for the county). A village is named with its township, so a list spanning
townships reads without a code.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from django.db.models.signals import post_delete, post_save

from .models import Area

UNKNOWN = "（未知区划）"


def own_code(code: str) -> str:
    """The Area's own code for a possibly padded one."""
    code = (code or "").strip()
    if len(code) == 12 and code.endswith("000000"):
        return code[:6]
    if len(code) == 12 and code.endswith("000"):
        return code[:9]
    return code


def names_of(codes: Iterable[str]) -> dict[str, str]:
    """{code: name} for every code given (unknown ones as （未知区划）), one query."""
    wanted = {c: own_code(c) for c in codes if c}
    if not wanted:
        return {}
    lookup = set(wanted.values()) | {c[:9] for c in wanted.values() if len(c) == 12}
    found = dict(Area.objects.filter(code__in=lookup).values_list("code", "name"))
    out = {}
    for code, own in wanted.items():
        name = found.get(own)
        if name is None:
            out[code] = UNKNOWN
        elif len(own) == 12 and found.get(own[:9]):
            out[code] = f"{found[own[:9]]} {name}"
        else:
            out[code] = name
    return out


def known_names(codes: Iterable[str]) -> dict[str, str]:
    """names_of without the unknown codes (a caller shows those as they are: a place outside the county)."""
    return {code: name for code, name in names_of(codes).items() if name != UNKNOWN}


@lru_cache(maxsize=8192)
def name_of(code: str) -> str:
    """One code's name, cached (areas change rarely; any change to an Area clears the cache)."""
    return names_of([code]).get(code, UNKNOWN) if code else ""


def _forget(**kwargs) -> None:
    name_of.cache_clear()


post_save.connect(_forget, sender=Area, dispatch_uid="area-names")
post_delete.connect(_forget, sender=Area, dispatch_uid="area-names-delete")
