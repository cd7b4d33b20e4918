"""Policy packs: sources that exist, inheritance, counties adding files, foreign sections."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest
from pydantic import BaseModel

from fupin.policy import Parameter, load_pack, pack_ids, settle_claims
from fupin.policy.claims import Claim
from fupin.policy.packs import PackError, clear_cache
from fupin.policy.params import Fen, Ratio

from .conftest import BUILTIN


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_builtin_packs_listed():
    assert set(BUILTIN) <= set(pack_ids())


def test_every_quoted_sentence_is_in_its_source_document(pack, seeds):
    for path, param in pack.parameters():
        source = param.source
        if source.file is None:
            assert source.assumed.strip(), path
            continue
        text = _squash((seeds / source.file).read_text(encoding="utf-8"))
        assert _squash(source.quote) in text, f"{pack.id} {path}: quote not found in {source.file}"


def test_every_parameter_has_a_period_and_a_source(pack):
    params = list(pack.parameters())
    assert len(params) > 10
    for path, param in params:
        assert param.effective.start <= date(2020, 12, 31), path
        assert param.source.text(), path


def test_jining_2020_inherits_and_overrides():
    old, new = load_pack("jining-2016"), load_pack("jining-2020")
    assert new.inherits == "jining-2016"
    assert new.medical.inpatient == old.medical.inpatient  # 001 repeats 000's basic rules
    poor = new.medical.critical.variants["poor"]
    assert poor.threshold.value == 0 and poor.annual_cap.value is None
    assert poor.threshold.effective.start == date(2020, 1, 1)
    assert poor.segment_bonus.value == 500 and poor.segment_bonus.effective.start == date(
        2016, 1, 1
    )
    assert old.medical.critical.variants["poor"].annual_cap.value == 50_000_000  # 50万 in fen


def test_money_in_fen_and_ratios_in_basis_points():
    pack = load_pack("fuliang-2018")
    assert pack.medical.inpatient.deductible.value == {1: 10_000, 2: 40_000, 3: 80_000}
    assert pack.medical.fallback.self_pay_line.max_share.value == 1000
    dumped = pack.medical.chronic.variants["poor"].annual_cap.model_dump(mode="json")
    assert dumped["value"] == {"I": "100000.00", "II": "5000.00"}


@pytest.fixture
def county_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("FUPIN_POLICY_DIRS", str(tmp_path))
    clear_cache()
    yield tmp_path
    clear_cache()


def test_a_county_adds_a_pack_by_adding_a_file(county_dir):
    (county_dir / "fuliang-2019.yaml").write_text(
        textwrap.dedent(
            """
            id: fuliang-2019
            inherits: fuliang-2018
            name: 浮梁县（假想的 2019 调整）
            region: 江西省景德镇市浮梁县
            effective: {from: 2019-01-01}
            medical:
              fallback:
                self_pay_line:
                  max_share:
                    value: 8%
                    source: {assumed: 测试用：县里把第五条保障线收紧到 8%}
            """
        ),
        encoding="utf-8",
    )
    assert "fuliang-2019" in pack_ids()
    pack = load_pack("fuliang-2019")
    claim = Claim(
        "X", "P", "poor", "inpatient", 3, None, None, date(2019, 3, 1), 10_000_000, 9_000_000
    )
    (s,) = settle_claims(pack, [claim])
    assert s.self_pay == 800_000  # 8% of 10万, where fuliang-2018 leaves 10%
    assert pack.medical.fallback.self_pay_line.name == "第五条保障线"  # inherited


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("income_per_capita: {value: 1, source: {file: x.txt}}", "出处须为 file + quote"),
        ("income_per_capita: {value: 1.234, source: {assumed: t}}", "金额最多两位小数"),
        ("income_per_capita: {value: 1}", "source"),
    ],
)
def test_bad_packs_are_refused_in_chinese(county_dir, body, message):
    (county_dir / "broken.yaml").write_text(
        f"id: broken\nname: 坏\nregion: 某地\neffective: {{from: 2018-01-01}}\n{body}\n",
        encoding="utf-8",
    )
    with pytest.raises(PackError) as err:
        load_pack("broken")
    assert message in str(err.value)


def test_ratio_above_100_percent_is_refused(county_dir):
    (county_dir / "greedy.yaml").write_text(
        textwrap.dedent(
            """
            id: greedy
            inherits: jining-2016
            name: 比例错误
            region: 某地
            effective: {from: 2018-01-01}
            medical:
              inpatient:
                ratio: {value: {1: 120%, 2: 80%, 3: 70%}, source: {assumed: 测试}}
            """
        ),
        encoding="utf-8",
    )
    with pytest.raises(PackError, match="比例须在 0% 到 100% 之间"):
        load_pack("greedy")


def test_unknown_pack_and_inheritance_loop(county_dir):
    with pytest.raises(PackError, match="未知政策包：nowhere"):
        load_pack("nowhere")
    for a, b in (("loop-a", "loop-b"), ("loop-b", "loop-a")):
        (county_dir / f"{a}.yaml").write_text(
            f"id: {a}\ninherits: {b}\nname: 环\nregion: 某地\neffective: {{from: 2018-01-01}}\n",
            encoding="utf-8",
        )
    with pytest.raises(PackError, match="继承出现循环"):
        load_pack("loop-a")


class LoanRules(BaseModel):
    """What another module's typed section looks like."""

    startup_loan_limit: Parameter[Fen]
    interest_subsidy: Parameter[Ratio]


def test_other_modules_add_and_read_their_own_section(county_dir):
    (county_dir / "loans.yaml").write_text(
        textwrap.dedent(
            """
            id: loans
            inherits: jining-2016
            name: 含就业部分的政策包
            region: 山东省济宁市
            effective: {from: 2016-06-01}
            loans:
              startup_loan_limit:
                value: 150000
                source:
                  file: 000_c0962b333a39f307.txt
                  quote: 对有担保抵押能力的扶贫对象，给予个人最高15万元的创业担保贷款，两年内政府给予全额贴息
              interest_subsidy:
                value: 100%
                source:
                  file: 000_c0962b333a39f307.txt
                  quote: 对有担保抵押能力的扶贫对象，给予个人最高15万元的创业担保贷款，两年内政府给予全额贴息
            """
        ),
        encoding="utf-8",
    )
    pack = load_pack("loans")
    rules = pack.section("loans", LoanRules)
    assert rules.startup_loan_limit.value == 15_000_000
    assert rules.interest_subsidy.value == 10_000
    assert rules.startup_loan_limit.effective.start == date(2016, 6, 1)
    paths = dict(pack.parameters())
    assert "loans.startup_loan_limit" in paths
    assert pack.medical == load_pack("jining-2016").medical


def test_foreign_section_without_source_is_refused(county_dir):
    (county_dir / "nosource.yaml").write_text(
        "id: nosource\ninherits: jining-2016\nname: 缺出处\nregion: 某地\neffective: {from: 2018-01-01}\n"
        "training:\n  subsidy: {value: 500}\n",
        encoding="utf-8",
    )
    with pytest.raises(PackError, match="training.subsidy：参数缺少 source"):
        load_pack("nosource")


def test_policy_package_imports_nothing_from_django():
    code = (
        "import sys, fupin.policy, fupin.policy.cli, fupin.policy.compare, fupin.policy.quote; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('django', 'ninja')]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[2])
