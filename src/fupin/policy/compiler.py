"""Compiling a policy for the column path (编译政策), and keeping the result beside the packs.

`compile_policy` turns a `regions.Policy` (validated packs) into a `compiled.CompiledPolicy`.
`load_compiled(spec)` is what the settlement command starts from: the compiled policy of
`--policy` as it was last written to `packs/__pycache__/`, when it was compiled from the same
pack files (every pack directory: names and bytes) by the same code (the bytes of this
package's modules that read packs); otherwise the packs are read and validated as always —
a faulty pack is refused with its Chinese message naming file and field — and the file is
written again. A cache file that cannot be read, or holds anything else, is ignored and
rewritten; one that cannot be written (a read-only install) is simply not kept.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from fupin.policy.compiled import CompiledPolicy, Tables
from fupin.policy.layers import NO_CAP, cap_or_none
from fupin.policy.packfiles import BUILTIN_DIR, pack_files
from fupin.policy.units import LEVELS

if TYPE_CHECKING:
    from fupin.policy.regions import Policy
    from fupin.policy.rules import AssistanceRules, CategoryRules, CriticalRules, RuleBook
    from fupin.policy.schema import Pack

CACHE_DIR = BUILTIN_DIR / "__pycache__"
_HERE = Path(__file__).parent
# What a compiled policy is made by: a change in any of these compiles the packs again.
_CODE = tuple(
    _HERE / f"{name}.py"
    for name in "compiled compiler layers packfiles packs params regions rules schema units".split()
)
_FORMAT = b"compiled-policy 1"


def _listing(tables: list[dict[str, str]]) -> dict[str, list[int]]:
    """Disease prefix → per slot 1 if that slot's list has it."""
    prefixes = sorted({p.upper() for t in tables for p in t})
    return {p: [int(p in {q.upper() for q in t}) for t in tables] for p in prefixes}


def _tables(book: RuleBook) -> Tables:
    ordered = list(book.slots)
    ip = [r.inpatient for r in ordered]
    classes = book.classes()

    def class_value(r: CategoryRules, table: str, cls: str) -> int:
        if r.chronic is None or cls not in r.chronic.classes:
            return NO_CAP
        return cap_or_none(getattr(r.chronic, table).value[cls])

    def visits(rule: CriticalRules | AssistanceRules | None) -> list[int]:
        return [
            int(rule is not None and "inpatient" in rule.applies_to),
            int(rule is not None and "chronic_outpatient" in rule.applies_to),
        ]

    extra: dict[str, object] = {}
    crit: list[CriticalRules | None] = [r.critical for r in ordered]
    if any(c is not None for c in crit):
        # Bands paying 0% (below a threshold) add nothing to the sum: leave them out.
        paying = [[b for b in c.bands if b.ratio > 0] if c else [] for c in crit]
        width = max(len(p) for p in paying)
        pad = [p + [None] * (width - len(p)) for p in paying]
        extra.update(
            has_critical=True,
            bands=[
                [
                    [b.low if b else 0 for b in (p[j] for p in pad)],
                    [(cap_or_none(b.high) if b else 0) for b in (p[j] for p in pad)],
                    [b.ratio if b else 0 for b in (p[j] for p in pad)],
                ]
                for j in range(width)
            ],
            crit_cap=[cap_or_none(c.annual_cap.value) if c else NO_CAP for c in crit],
            crit_visits=[visits(c) for c in crit],
        )
    asst = [r.assistance for r in ordered]
    if any(a is not None for a in asst):
        extra.update(
            has_assistance=True,
            asst_ratio=[a.ratio.value if a else 0 for a in asst],
            asst_cap=[cap_or_none(a.annual_cap.value) if a else NO_CAP for a in asst],
            asst_visits=[visits(a) for a in asst],
        )
    major = [r.major_diseases for r in ordered]
    if any(m is not None and m.eligible.value for m in major):
        extra.update(
            has_major=True,
            major_ok=[int(m is not None and m.eligible.value) for m in major],
            major_ratio=[
                (m.ratio.value.get(lv, 0) if m is not None and lv else 0)
                for m in major
                for lv in (0, *LEVELS)
            ],
            major_listed=_listing([m.diseases.value if m else {} for m in major]),
        )
    one = [r.inpatient.one_deductible.value for r in ordered]
    if any(one):
        extra.update(has_one_deductible=True, one_listed=_listing(one))
    line = [r.self_pay_line for r in ordered]
    if any(x is not None and x.eligible.value for x in line):
        extra.update(
            has_line=True,
            line_ok=[
                int(x is not None and x.eligible.value and "inpatient" in x.applies_to)
                for x in line
            ],
            line_ok_chronic=[
                int(x is not None and x.eligible.value and "chronic_outpatient" in x.applies_to)
                for x in line
            ],
            line_share=[x.max_share.value if x else 0 for x in line],
        )
    return Tables(
        ip_deductible=[
            i.deductible.value.get(lv, 0) if lv else 0 for i in ip for lv in (0, *LEVELS)
        ],
        ip_ratio=[i.ratio.value.get(lv, 0) if lv else 0 for i in ip for lv in (0, *LEVELS)],
        ip_cap=[cap_or_none(i.annual_cap.value) for i in ip],
        classes=classes,
        n_classes=max(len(classes), 1),
        ch_deductible=[r.chronic.deductible.value if r.chronic else 0 for r in ordered],
        ch_ratio=[
            (r.chronic.ratio.value[cls][lv] if r.chronic and cls in r.chronic.classes and lv else 0)
            for r in ordered
            for cls in (classes or [""])
            for lv in (0, *LEVELS)
        ],
        ch_cap={cls: [class_value(r, "annual_cap", cls) for r in ordered] for cls in classes},
        ch_above={
            cls: [class_value(r, "critical_insurer_above", cls) for r in ordered] for cls in classes
        },
        maternity=[int(r.inpatient.maternity.value) for r in ordered],
        rehab=[int(r.inpatient.rehab_in_scope.value) for r in ordered],
        transfer_once=[int(r.inpatient.transfer_once.value) for r in ordered],
        **extra,  # type: ignore[arg-type]
    )


def compile_policy(policy: Policy) -> CompiledPolicy:
    """The plain form of `policy` that the column path settles with."""
    from fupin.policy.regions import admits_maternity
    from fupin.policy.rules import rule_book

    book = rule_book(policy)
    packs = policy.packs
    diseases: dict[str, str] = {}
    for p in packs:
        chronic = p.medical.chronic if p.medical else None
        if chronic is not None and chronic.diseases is not None:
            diseases.update({k.upper(): v for k, v in chronic.diseases.value.items()})
    controls = [r.cost_control for r in book.slots]
    eligible = [c is not None and c.eligible.value for c in controls]
    return CompiledPolicy(
        id=policy.id,
        at=policy.at,
        region_name=policy.region.name,
        periods=policy.region.periods_text(),
        first_start=policy.region.spans[0].start,
        starts=[s.start for s in policy.spans],
        ends=[s.end for s in policy.spans],
        span_texts=[s.text() for s in policy.spans],
        admits_maternity=[admits_maternity(s.pack) for s in policy.spans],
        chronic_classes=sorted(
            {c for p in packs if p.medical and p.medical.chronic for c in p.medical.chronic.classes}
        ),
        chronic_diseases=diseases,
        control_categories=sorted(
            {r.category for r, on in zip(book.slots, eligible, strict=True) if on}
        ),
        control_listed=_listing(
            [c.diseases.value if c and on else {} for c, on in zip(controls, eligible, strict=True)]
        ),
        tables=_tables(book),
    )


def as_compiled(policy: CompiledPolicy | Policy | Pack | str) -> CompiledPolicy:
    """A policy as the column path reads it (a region, region@date or pack id is loaded)."""
    if isinstance(policy, CompiledPolicy):
        return policy
    from fupin.policy.regions import as_policy

    return compile_policy(as_policy(policy))


def _key(spec: str) -> str:
    digest = hashlib.sha256(_FORMAT)
    digest.update(spec.encode())
    for path in sorted(pack_files().values()):
        digest.update(b"\0" + str(path).encode() + b"\0" + path.read_bytes())
    for path in _CODE:
        digest.update(b"\0" + path.read_bytes())
    return digest.hexdigest()


def _cache_file(spec: str) -> Path:
    return CACHE_DIR / f"policy-{hashlib.sha256(spec.encode()).hexdigest()[:24]}.json"


def load_compiled(spec: str) -> CompiledPolicy:
    """The compiled policy of `spec` (region, region@date or pack id), from the cache while the
    packs and this code are unchanged. Raises PackError (Chinese) for a faulty spec or pack."""
    spec = spec.strip()
    key = _key(spec)
    path = _cache_file(spec)
    try:
        stored_key, _, body = path.read_text(encoding="utf-8").partition("\n")
        if stored_key == key:
            return CompiledPolicy.from_json(body)
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        pass  # no cache yet, or a file that is not ours: compile again
    from fupin.policy.regions import load_policy

    compiled = compile_policy(load_policy(spec))
    _write(path, f"{key}\n{compiled.to_json()}")
    return compiled


def _write(path: Path, text: str) -> None:
    """Write atomically (settlements running side by side read whole files only); skip quietly
    where the directory cannot be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".policy-", suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except OSError:
        Path(tmp).unlink(missing_ok=True)
