"""fupin.policy — policy packs and the one-stop medical settlement engine (一站式结算引擎).

Pure Python: imports nothing from Django. Packs are YAML data with sources
(`packs/*.yaml`); the engine settles claims layer by layer — basic insurance, critical
illness insurance, medical assistance, fallback — on a scalar path that explains itself
(`settle_claims`) and a column path that is fast (`settle_frame`).

Policy by date: packs of one region form a line of dated values (`regions.py`); settle under a
region (`load_policy("jining")`: each claim meets the values of its admission date) or under
a region at a date (a pack id, or `jining@2018-05-01`).

For other modules: `load_pack(id)` returns a typed `Pack`; put your parameters in your own
top-level section of the pack files, each as a `Parameter` (value + source + effective
period), and read them with `pack.section("employment", YourModel)`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fupin.policy.batch import settle_frame
    from fupin.policy.claims import Claim, ClaimsError, parse_claims
    from fupin.policy.packs import PackError, list_packs, load_pack, pack_ids
    from fupin.policy.params import Fen, Parameter, Period, Ratio, Source
    from fupin.policy.regions import Policy, Region, list_regions, load_policy, region_ids
    from fupin.policy.scalar import Settlement, settle_claims
    from fupin.policy.schema import Pack

# Loaded on first use (PEP 562), so `python -m fupin.policy settle` imports only what it runs.
_HOMES = {
    "settle_frame": "batch",
    "Claim": "claims",
    "ClaimsError": "claims",
    "parse_claims": "claims",
    "PackError": "packs",
    "list_packs": "packs",
    "load_pack": "packs",
    "pack_ids": "packs",
    "Fen": "params",
    "Parameter": "params",
    "Period": "params",
    "Ratio": "params",
    "Source": "params",
    "Policy": "regions",
    "Region": "regions",
    "list_regions": "regions",
    "load_policy": "regions",
    "region_ids": "regions",
    "Settlement": "scalar",
    "settle_claims": "scalar",
    "Pack": "schema",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'fupin.policy' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"fupin.policy.{home}"), name)
    globals()[name] = value
    return value


__all__ = [
    "Claim",
    "ClaimsError",
    "Fen",
    "Pack",
    "PackError",
    "Parameter",
    "Period",
    "Policy",
    "Ratio",
    "Region",
    "Settlement",
    "Source",
    "list_packs",
    "list_regions",
    "load_pack",
    "load_policy",
    "pack_ids",
    "parse_claims",
    "region_ids",
    "settle_claims",
    "settle_frame",
]
