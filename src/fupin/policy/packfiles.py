"""Where policy packs (政策包) are found: the built-in directory and `FUPIN_POLICY_DIRS`.

Finding the files needs neither YAML nor the pack models, so the settlement command can tell
from them alone whether its compiled policy (`compiled.py`) is still that of the packs.
"""

from __future__ import annotations

import os
from pathlib import Path

BUILTIN_DIR = Path(__file__).parent / "packs"


class PackError(ValueError):
    """A pack that cannot be found or does not validate; the message is in Chinese."""


def pack_dirs() -> list[Path]:
    extra = [Path(p) for p in os.environ.get("FUPIN_POLICY_DIRS", "").split(os.pathsep) if p]
    return [BUILTIN_DIR, *extra]


def pack_files() -> dict[str, Path]:
    """Pack id → its file; a later directory overrides a built-in pack of the same id."""
    files: dict[str, Path] = {}
    for directory in pack_dirs():
        for path in sorted(directory.glob("*.yaml")):
            files[path.stem] = path
    return files
