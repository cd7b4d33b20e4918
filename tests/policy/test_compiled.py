"""The compiled policy (编译后的政策) the settlement command starts from, and its cache beside the packs."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fupin.policy import compiler, load_pack, load_policy, settle_frame
from fupin.policy.claims import to_frame
from fupin.policy.compiled import CompiledPolicy
from fupin.policy.packs import PackError, clear_cache

from .conftest import BUILTIN
from .strategies import claim_lists

ROOT = Path(__file__).parents[2]
SPECS = [*BUILTIN, "jining", "jining@2019-06-30", "fuliang", "fuliang@2018-07-01"]


@pytest.mark.parametrize("spec", SPECS)
def test_json_gives_back_the_same_compiled_policy(spec):
    compiled = compiler.compile_policy(load_policy(spec))
    assert CompiledPolicy.from_json(compiled.to_json()) == compiled


@pytest.mark.parametrize("pack_id", BUILTIN)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_settled_alike_from_the_packs_and_from_the_stored_form(pack_id, data):
    pack = load_pack(pack_id)
    claims = to_frame(data.draw(claim_lists(pack)))
    stored = CompiledPolicy.from_json(compiler.as_compiled(pack).to_json())
    assert settle_frame(stored, claims).equals(settle_frame(pack, claims))


PACK = """
id: testtown-2018
inherits: fuliang-2018
name: 测试县
region: 测试县
effective: {{from: 2018-01-01}}
medical:
  assistance:
    ratio: {{value: "{ratio}", source: {{assumed: 测试用}}}}
"""


@pytest.fixture
def county(tmp_path, monkeypatch):
    """A county pack directory and an empty cache directory of its own."""
    packs, cache = tmp_path / "packs", tmp_path / "cache"
    packs.mkdir()
    monkeypatch.setenv("FUPIN_POLICY_DIRS", str(packs))
    monkeypatch.setattr(compiler, "CACHE_DIR", cache)
    clear_cache()
    yield packs, cache
    clear_cache()


def _write_pack(packs: Path, ratio: str) -> None:
    (packs / "testtown-2018.yaml").write_text(
        textwrap.dedent(PACK.format(ratio=ratio)), encoding="utf-8"
    )


def test_kept_beside_the_packs_and_read_back(county):
    packs, cache = county
    _write_pack(packs, "30%")
    first = compiler.load_compiled("testtown-2018")
    assert first.tables.asst_ratio[:4] == [3000] * 4
    (stored,) = cache.glob("policy-*.json")
    key, _, body = stored.read_text(encoding="utf-8").partition("\n")
    # What is read on the second run is the stored file, not the packs.
    stored.write_text(key + "\n" + body.replace('"testtown-2018"', '"read-from-cache"', 1))
    assert compiler.load_compiled("testtown-2018").id == "read-from-cache"


def test_a_changed_pack_is_compiled_again(county):
    packs, cache = county
    _write_pack(packs, "30%")
    assert compiler.load_compiled("testtown-2018").tables.asst_ratio[0] == 3000
    _write_pack(packs, "45%")
    clear_cache()
    assert compiler.load_compiled("testtown-2018").tables.asst_ratio[0] == 4500
    assert len(list(cache.glob("policy-*.json"))) == 1


def test_a_changed_pack_that_does_not_validate_is_refused_in_chinese(county):
    packs, _ = county
    _write_pack(packs, "30%")
    compiler.load_compiled("testtown-2018")
    _write_pack(packs, "130%")
    clear_cache()
    with pytest.raises(
        PackError, match=r"政策包 testtown-2018 校验失败：\n.*ratio.*比例须在 0% 到 100% 之间"
    ):
        compiler.load_compiled("testtown-2018")


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: "",
        lambda text: "garbage\n{",
        lambda text: text[: len(text) // 2],  # the right key, half the policy
        lambda text: text.split("\n")[0] + '\n{"id": "x"}',
        lambda text: text.split("\n")[0] + "\n[1, 2]",
        lambda text: text.split("\n")[0] + '\n{"id": "x", "at": 5}',
    ],
)
def test_a_damaged_cache_file_is_ignored_and_written_again(county, damage):
    packs, cache = county
    _write_pack(packs, "30%")
    good = compiler.load_compiled("testtown-2018")
    (stored,) = cache.glob("policy-*.json")
    whole = stored.read_text(encoding="utf-8")
    stored.write_text(damage(whole), encoding="utf-8")
    assert compiler.load_compiled("testtown-2018") == good
    assert stored.read_text(encoding="utf-8") == whole


def test_an_unwritable_cache_directory_is_no_fault(county):
    packs, cache = county
    cache.write_text("a file where the directory would be", encoding="utf-8")
    _write_pack(packs, "30%")
    assert compiler.load_compiled("testtown-2018").tables.asst_ratio[0] == 3000


def test_unknown_policy_is_refused_in_chinese(county):
    with pytest.raises(PackError, match="未知政策包：nowhere"):
        compiler.load_compiled("nowhere")


def test_settle_command_loads_neither_yaml_nor_pydantic(tmp_path):
    """Once compiled, `python -m fupin.policy settle` reads no pack: its start-up is Polars and
    the engine alone."""
    claims = tmp_path / "c.csv"
    claims.write_text(
        "claim_id,person_id,category,visit_type,hospital_level,chronic_class,disease_code,"
        "admission_date,total_cost,in_policy_cost\nC1,P1,poor,inpatient,3,,,2018-03-01,1000,900\n",
        encoding="utf-8",
    )
    code = (
        "import sys, runpy; sys.argv = ['fupin.policy', 'settle', '--policy', 'fuliang-2018', "
        f"'--claims', {str(claims)!r}, '--out', {str(tmp_path / 'o.csv')!r}]\n"
        "try:\n    runpy.run_module('fupin.policy', run_name='__main__')\n"
        "except SystemExit as done:\n    assert done.code == 0, done.code\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('yaml', 'pydantic')]\n"
        "print(','.join(loaded))"
    )
    for _ in range(2):  # the first run may compile the packs and keep the result
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
        )
    assert done.stdout.splitlines()[-1] == ""
