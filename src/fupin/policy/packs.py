"""Finding, inheriting and validating policy packs (政策包).

Packs live in `fupin/policy/packs/*.yaml`; a county adds or changes its rules by adding a
file there or in a directory named by the environment variable `FUPIN_POLICY_DIRS`
(several directories separated by the path separator). No code change.

A pack may name a parent with `inherits:`; the child's mappings are merged into the
parent's, and a parameter (a mapping with `value` and `source`) is replaced whole.
Parameters without their own `effective` period take the period of the pack that wrote them,
so an inherited rule keeps the date it was first made. `region_id` is not inherited: a pack joins a
region's line of dated values (`regions.py`) only by naming it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from fupin.policy.packfiles import PackError as PackError
from fupin.policy.packfiles import pack_files
from fupin.policy.params import DOCUMENT_TITLES, is_parameter_dict
from fupin.policy.schema import Pack

# libyaml's safe loader when PyYAML has it: the same documents, ten times faster to read.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def pack_ids() -> list[str]:
    return sorted(pack_files())


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
    except yaml.YAMLError as exc:
        raise PackError(f"政策包文件 {path.name} 不是合法的 YAML：{exc}") from exc
    if not isinstance(data, dict):
        raise PackError(f"政策包文件 {path.name} 的顶层须为映射")
    if data.get("id") != path.stem:
        raise PackError(f"政策包文件 {path.name} 的 id 须与文件名一致（应为 {path.stem}）")
    return data


def _stamp_periods(node: Any, effective: Any) -> Any:
    """Give every parameter leaf without an `effective` period the pack's own period."""
    if is_parameter_dict(node):
        return {"effective": effective, **node}
    if isinstance(node, dict):
        return {key: _stamp_periods(item, effective) for key, item in node.items()}
    if isinstance(node, list):
        return [_stamp_periods(item, effective) for item in node]
    return node


def _merge(parent: Any, child: Any) -> Any:
    if isinstance(parent, dict) and isinstance(child, dict) and not is_parameter_dict(child):
        merged = dict(parent)
        for key, item in child.items():
            merged[key] = _merge(parent[key], item) if key in parent else item
        return merged
    return copy.deepcopy(child)


def _check_foreign_sources(node: Any, path: str) -> None:
    """Sections owned by other modules must still source every parameter."""
    if isinstance(node, dict):
        if "value" in node and "source" not in node:
            raise PackError(f"{path}：参数缺少 source（出处或 assumed 理由）")
        for key, item in node.items():
            _check_foreign_sources(item, f"{path}.{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            _check_foreign_sources(item, f"{path}[{i}]")


def raw_pack(pack_id: str, _seen: tuple[str, ...] = ()) -> dict[str, Any]:
    """The merged raw mapping of a pack, parents applied, periods stamped."""
    files = pack_files()
    if pack_id not in files:
        known = "、".join(sorted(files)) or "（无）"
        raise PackError(f"未知政策包：{pack_id}。可用：{known}")
    if pack_id in _seen:
        raise PackError(f"政策包继承出现循环：{' → '.join((*_seen, pack_id))}")
    data = _read_yaml(files[pack_id])
    if "effective" not in data:
        raise PackError(f"政策包 {pack_id} 缺少 effective（生效期间）")
    # Top-level keys starting with "_" hold YAML anchors shared inside the file, not rules.
    own = {k: v for k, v in data.items() if k not in ("id", "inherits") and not k.startswith("_")}
    own = _stamp_periods(own, data["effective"])
    if parent_id := data.get("inherits"):
        merged = _merge(raw_pack(parent_id, (*_seen, pack_id)), own)
    else:
        merged = own
    # A region's line is named, not inherited: a county pack copying a region's rules is its own
    # region unless it says `region_id:` (then it is a new period of that region's line).
    return {**merged, "id": pack_id, "inherits": parent_id, "region_id": data.get("region_id")}


@cache
def load_pack(pack_id: str) -> Pack:
    """The validated pack `pack_id`, parents merged. Raises PackError with a Chinese message."""
    raw = raw_pack(pack_id)
    for name, section in raw.items():
        if name not in Pack.model_fields:
            _check_foreign_sources(section, name)
    try:
        pack = Pack.model_validate(raw)
    except ValidationError as exc:
        lines = [f"政策包 {pack_id} 校验失败："]
        for err in exc.errors()[:20]:
            where = ".".join(str(p) for p in err["loc"])
            lines.append(f"  {where}：{err['msg']}")
        raise PackError("\n".join(lines)) from exc
    DOCUMENT_TITLES.update(pack.documents)
    return pack


def list_packs() -> list[Pack]:
    return [load_pack(pack_id) for pack_id in pack_ids()]


# Caches built on top of the packs (a region's line of dated values, `regions.py`) register their
# own clearing here, so this module needs nothing from above it.
_DERIVED_CACHES: list[Callable[[], None]] = []


def on_clear(clear: Callable[[], None]) -> None:
    """Have `clear` run whenever the packs are forgotten (a cache derived from them)."""
    _DERIVED_CACHES.append(clear)


def clear_cache() -> None:
    """Forget loaded packs and regions (after a county edits a file while the server runs)."""
    load_pack.cache_clear()
    for clear in _DERIVED_CACHES:
        clear()
