"""Import directions (README "架构"): the contracts in pyproject.toml hold for the tree, and a
back-edge added to a copy of it breaks them — so `lint-imports` in `make lint` can fail. The loop
contract looks inside every package too (two modules of one app importing each other)."""

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
        # inside one package too: the claims read insurance's selectors, so insurance's models may
        # not import the claims package (the app config registers the claims models instead) …
        ("insurance/models.py", "from fupin.insurance.claims import models", ["BROKEN", "KEPT"]),
        # … and a job's run sits below both its service and its task (or the task beside its run): the
        # run importing the service or the task list closes a loop between two modules of one app
        ("exchange/imports/job.py", "from fupin.exchange import services", ["BROKEN", "KEPT"]),
        ("monitoring/nightly.py", "from fupin.monitoring import tasks", ["BROKEN", "KEPT"]),
        ("payments/job_run.py", "from fupin.payments import jobs", ["BROKEN", "KEPT"]),
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


def test_no_two_modules_import_each_other():
    """Module by module (grimp, as lint-imports reads the tree, imports inside functions included,
    annotation-only imports under `if TYPE_CHECKING:` not): no import loop of any length in fupin."""
    import grimp

    graph = grimp.build_graph("fupin", cache_dir=None, exclude_type_checking_imports=True)
    loops = []
    for module in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back:
                loops.append((module, *back))
    assert loops == []
