"""The user's own area in the management loop (本级区划): the code every plan, target, bulletin and
snapshot of that user is filed under. Below both the reads (`selectors`) and the snapshots."""

from __future__ import annotations

from fupin.access.models import User
from fupin.access.scope import area_code_of
from fupin.areas.models import Area, Level

COUNTY_DIGITS = 6


def pad(code: str) -> str:
    return code.ljust(12, "0")


def own_code(user: User) -> str:
    """The user's area code (a superuser bound to none: the county of the first township)."""
    code = area_code_of(user)
    if code is None:
        first = Area.objects.filter(level=Level.TOWNSHIP).order_by("code").first()
        return first.code[:COUNTY_DIGITS] if first else ""
    return code
