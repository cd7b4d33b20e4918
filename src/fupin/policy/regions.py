"""Policy by date (按日期取政策): a region is one line of dated values, as in OpenFisca.

Each pack is a region's values from its `effective` date: `jining-2016` holds Jining's values
from 2016-01-01, `jining-2020` only what changed on 2020-01-01 (it inherits the rest, and every
inherited value keeps its own start date and source). The packs of one region (`region_id`)
put end to end make its line: each pack is in force from its start until the day before the
next one starts (or its own `to`).

What claims are settled under (`Policy`):
- a region (`jining`): each claim meets the values in force on its admission date; a claim
  outside every period is refused, naming the row, the date and the periods that exist;
- a region at a date (`jining@2018-05-01`, or a pack id `jining-2016` = the region at that
  pack's start): every claim meets the values of that one date — policy simulation (政策测算)
  on the same claims; a claim before the region's first period is still refused.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cache

from fupin.policy.compiled import date_refusal
from fupin.policy.compiled import maternity_refusal as maternity_refusal
from fupin.policy.packs import PackError, load_pack, on_clear, pack_ids
from fupin.policy.params import FIRST_YEAR, LAST_YEAR
from fupin.policy.schema import Pack


@dataclass(frozen=True)
class Span:
    """One period of a region's line: the pack in force from `start` to `end` (inclusive)."""

    pack: Pack
    start: date
    end: date | None

    def contains(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    def text(self, ids: bool = False) -> str:
        """“2020-01-01 起（济宁市医疗保险精准扶贫…（2020））”: the period and its pack by name, as staff
        and residents read it in trails and messages; `ids` names the pack id instead (the command
        line's `fupin policy list`, where the id is what `--policy` takes)."""
        until = f"至 {self.end.isoformat()}" if self.end else "起"
        return f"{self.start.isoformat()} {until}（{self.pack.id if ids else self.pack.name}）"


@dataclass(frozen=True)
class Region:
    id: str
    name: str
    spans: tuple[Span, ...]

    def periods_text(self, ids: bool = False) -> str:
        return "；".join(s.text(ids) for s in self.spans)

    def span_at(self, day: date) -> int | None:
        """Index of the span in force on `day`, or None."""
        i = bisect.bisect_right([s.start for s in self.spans], day) - 1
        return i if i >= 0 and self.spans[i].contains(day) else None


@dataclass(frozen=True)
class Policy:
    """What a set of claims is settled under: a region by date, or a region at one date."""

    id: str
    region: Region
    at: date | None = None  # None: by admission date

    @property
    def spans(self) -> tuple[Span, ...]:
        """The spans whose values are used; index 0.. as the settlement paths number them."""
        if self.at is None:
            return self.region.spans
        return (self.region.spans[self._frozen_index()],)

    def _frozen_index(self) -> int:
        i = self.region.span_at(self.at)
        if i is None:
            raise PackError(
                f"{self.region.name}在 {self.at.isoformat()} 没有生效的政策；现有期间：{self.region.periods_text()}"
            )
        return i

    @property
    def packs(self) -> list[Pack]:
        return [s.pack for s in self.spans]

    @property
    def name(self) -> str:
        if self.at is None:
            return f"{self.region.name}（按入院日期取当日政策）"
        return f"{self.spans[0].pack.name}（{self.at.isoformat()} 的政策）"

    def span_of(self, day: date) -> int | None:
        """Index into `spans` for a claim admitted on `day`, or None when it must be refused."""
        if self.at is None:
            return self.region.span_at(day)
        return 0 if day >= self.region.spans[0].start else None

    def starts(self) -> list[date]:
        return [s.start for s in self.spans]

    def reaching_back(self, day: date) -> Policy:
        """The same policy with its first period reaching back to `day`: for the earlier stays of
        a transfer chain (转院连续计算起付线) that began before the policy's periods, which the
        chain's later stays continue (`store.settle_stored`); never for a claim settled for itself."""
        first = self.region.spans[0]
        if day >= first.start:
            return self
        spans = (replace(first, start=day), *self.region.spans[1:])
        return replace(self, region=replace(self.region, spans=spans))

    def has_transfer_rule(self) -> bool:
        """Whether some period continues the deductible across a transfer (转院连续计算起付线)."""
        return any(
            p.medical
            and p.medical.inpatient
            and p.medical.inpatient.transfer_deductible_once
            and p.medical.inpatient.transfer_deductible_once.value
            for p in self.packs
        )

    def refusal(self, day: date) -> str:
        """Why a claim of `day` cannot be settled (Chinese)."""
        return date_refusal(day, self.region.name, self.region.periods_text())


def _region_of(pack: Pack) -> str:
    return pack.region_id or pack.id


@cache
def _regions() -> dict[str, Region]:
    lines: dict[str, list[Pack]] = {}
    for pack_id in pack_ids():
        pack = load_pack(pack_id)
        if pack.medical is not None:
            lines.setdefault(_region_of(pack), []).append(pack)
    regions = {}
    for region_id, packs in lines.items():
        packs.sort(key=lambda p: p.effective.start)
        spans = []
        for i, pack in enumerate(packs):
            nxt = packs[i + 1].effective.start if i + 1 < len(packs) else None
            if nxt == pack.effective.start:
                raise PackError(
                    f"政策地区 {region_id} 有两个政策包在同一天生效：{pack.id}、{packs[i + 1].id}"
                )
            end = nxt - timedelta(days=1) if nxt else pack.effective.end
            if nxt and pack.effective.end and pack.effective.end < end:
                end = pack.effective.end
            spans.append(Span(pack, pack.effective.start, end))
        regions[region_id] = Region(region_id, packs[-1].region, tuple(spans))
    return regions


def region_ids() -> list[str]:
    return sorted(_regions())


def list_regions() -> list[Region]:
    return [_regions()[r] for r in region_ids()]


def load_region(region_id: str) -> Region:
    regions = _regions()
    if region_id not in regions:
        known = "、".join(sorted(regions)) or "（无）"
        raise PackError(f"未知政策地区：{region_id}。可用：{known}")
    return regions[region_id]


def policy_of(pack: Pack) -> Policy:
    """A pack as its region at the pack's start date."""
    region = _regions().get(_region_of(pack))
    if region is None or all(s.pack.id != pack.id for s in region.spans):
        # A pack outside the loaded line (no medical section, built in a test): itself alone.
        region = Region(
            pack.id, pack.region, (Span(pack, pack.effective.start, pack.effective.end),)
        )
    return Policy(pack.id, region, pack.effective.start)


def load_policy(spec: str) -> Policy:
    """`jining` (by admission date), `jining@2018-05-01` (at a date) or a pack id `jining-2016`."""
    spec = spec.strip()
    if "@" in spec:
        region_id, _, day = spec.partition("@")
        try:
            at = date.fromisoformat(day)
        except ValueError as exc:
            raise PackError(
                f"日期无效：{day}，应为 YYYY-MM-DD（如 {region_id}@2018-05-01）"
            ) from exc
        if not FIRST_YEAR <= at.year <= LAST_YEAR:
            raise PackError(
                f"日期超出范围：{day}。结算单的入院日期只能在 {FIRST_YEAR} 至 {LAST_YEAR} 年之间，"
                f"政策日期也须在此范围内（如 {region_id}@2018-05-01）"
            )
        policy = Policy(spec, load_region(region_id), at)
        policy.spans  # refuse a date without values now  # noqa: B018
        return policy
    if spec in _regions():
        return Policy(spec, _regions()[spec])
    if spec not in pack_ids():
        regions = "、".join(sorted(_regions())) or "（无）"
        known = "、".join(sorted(pack_ids())) or "（无）"
        raise PackError(
            f"未知政策包：{spec}。可用：{known}；或地区（按入院日期取当日政策）：{regions}"
        )
    return policy_of(load_pack(spec))


def as_policy(policy: Policy | Pack | str) -> Policy:
    if isinstance(policy, Policy):
        return policy
    if isinstance(policy, Pack):
        return policy_of(policy)
    return load_policy(policy)


def clear_cache() -> None:
    _regions.cache_clear()


on_clear(clear_cache)  # `packs.clear_cache()` forgets the regions too


def admits_maternity(pack: Pack) -> bool:
    """住院分娩 (visit type maternity) is settled only where a pack says so."""
    ip = pack.medical.inpatient if pack.medical else None
    return bool(ip and ip.maternity and ip.maternity.value)
