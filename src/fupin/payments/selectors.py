"""Reads of 资金发放; area scope applied here, once."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import QuerySet

from fupin.access.models import User
from fupin.access.scope import scoped
from fupin.areas.models import village_code_range
from fupin.areas.names import known_names
from fupin.policy.packs import load_pack
from fupin.registry.models import Person

from . import providers
from .models import Batch, BatchLine, BatchState, Difference, LineStatus


def batches(user: User) -> QuerySet:
    return scoped(Batch.objects.select_related("preparer", "reviewer", "approver"), user)


@dataclass
class BatchFilter:
    kind: str = ""
    period: str = ""
    state: str = ""
    area: str = ""
    q: str = ""

    @classmethod
    def of(cls, params: Mapping[str, str]) -> BatchFilter:
        def get(name: str, limit: int) -> str:
            return str(params.get(name) or "").strip()[:limit]

        return cls(
            kind=get("kind", 40),
            period=get("period", 10),
            state=get("state", 12),
            area=get("area", 12),
            q=get("q", 50),
        )

    def apply(self, qs: QuerySet) -> QuerySet:
        if self.kind:
            qs = qs.filter(kind=self.kind)
        if self.period:
            qs = qs.filter(period__startswith=self.period)
        if self.state in BatchState.values:
            qs = qs.filter(state=self.state)
        if self.area.isdigit():
            qs = qs.filter(area_code__range=village_code_range(self.area))
        if self.q:
            qs = qs.filter(note__contains=self.q)
        return qs

    def query(self) -> dict:
        return {k: v for k, v in vars(self).items() if v}


def filtered_batches(user: User, params: Mapping[str, str]) -> tuple[QuerySet, BatchFilter]:
    f = BatchFilter.of(params)
    return f.apply(batches(user)), f


def lines(user: User, batch: Batch, status: str = "") -> QuerySet:
    qs = scoped(BatchLine.objects.filter(batch=batch), user).select_related("person").order_by("id")
    if status in LineStatus.values:
        qs = qs.filter(status=status)
    elif status == "live":
        qs = qs.filter(live=True)
    return qs


def differences(user: User, batch: Batch) -> QuerySet:
    return (
        scoped(Difference.objects.filter(batch=batch), user)
        .select_related("line__person", "resolved_by")
        .order_by("resolution", "id")
    )


def person_lines(user: User, person: Person) -> QuerySet:
    """Every payment line of a person (the person page), newest batch first."""
    return (
        scoped(BatchLine.objects.filter(person=person), user)
        .select_related("batch")
        .order_by("-batch__prepared_at", "-id")
    )


@lru_cache(maxsize=64)
def _pack_name(pack_id: str) -> str:
    try:
        return load_pack(pack_id).name
    except Exception:  # noqa: BLE001 - a pack no longer shipped: show its id
        return pack_id


def rule_text(rule: str) -> str:
    """ "fuliang-2018 employment.x" → the pack's Chinese name; the parameter is shown by the line's kind and source."""
    pack_id = rule.split(" ", 1)[0]
    return _pack_name(pack_id) if pack_id else rule


def area_names(codes: Iterable[str]) -> dict[str, str]:
    return known_names(codes)


def area_key(code: str) -> str:
    """A batch's 12-digit area as the township (9) or county (6) code."""
    return code[:6] if code[6:] == "000000" else code[:9]


def batch_area_name(batch: Batch, names: dict[str, str] | None = None) -> str:
    key = area_key(batch.area_code)
    names = names if names is not None else area_names([key])
    return names.get(key, key)


def kind_choices() -> list[tuple[str, str]]:
    return [(k.code, k.name) for k in providers.kinds().values()]
