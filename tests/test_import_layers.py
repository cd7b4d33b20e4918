"""Import directions (README "架构"): the contracts in pyproject.toml hold for the tree, and a
back-edge added to a copy of it breaks them — so `lint-imports` in `make lint` can fail."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT = str(Path(sys.executable).with_name("lint-imports"))


def lint(src: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [LINT, "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=src.parent,
        env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_tree_keeps_every_contract():
    result = lint(ROOT / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    "module,back_edge,broken",
    [
        # payments is below the modules that register payment kinds: a loop and a layer broken
        ("payments/services.py", "from fupin.insurance import models", ["BROKEN", "BROKEN"]),
        # the base templates and form helpers do not read a module above them (which uses them)
        ("web/forms.py", "from fupin.management import dashboard", ["BROKEN", "BROKEN"]),
        # the area tree sits under the area scope, not beside it
        ("areas/names.py", "from fupin.access import scope", ["BROKEN", "BROKEN"]),
        # two sibling domain modules stay independent
        ("training/models.py", "from fupin.insurance import rules", ["KEPT", "BROKEN"]),
    ],
)
def test_a_back_edge_breaks_a_contract(tmp_path, module, back_edge, broken):
    src = tmp_path / "src"
    shutil.copytree(ROOT / "src" / "fupin", src / "fupin", ignore=shutil.ignore_patterns("*.pyc"))
    target = src / "fupin" / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{back_edge}  # noqa\n", "utf-8")
    result = lint(src)
    assert result.returncode != 0
    verdicts = [
        line.rsplit(" ", 1)[1]
        for line in result.stdout.splitlines()
        if line.rstrip().endswith((" KEPT", " BROKEN"))
    ]
    assert verdicts == broken, result.stdout
