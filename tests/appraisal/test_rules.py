"""The packs' `appraisal:` section: codes the settlement knows, schedule, notice period."""

import pytest

from fupin.appraisal.rules import rules
from fupin.policy import load_pack, pack_ids
from fupin.policy.packs import PackError


def with_appraisal() -> list[str]:
    return [p for p in pack_ids() if load_pack(p).has_section("appraisal")]


def test_the_county_pack_and_jining_have_appraisal_rules():
    assert {"fuliang-2018", "jining-2016", "jining-2020"} <= set(with_appraisal())


@pytest.mark.parametrize("pack_id", with_appraisal())
def test_appraised_classes_are_the_settlements_chronic_classes(pack_id):
    pack = load_pack(pack_id)
    assert set(rules(pack_id).classes.value) == set(pack.medical.chronic.classes)


def test_fuliang_first_class_any_time_second_quarterly():
    r = rules("fuliang-2018")
    assert [(c, r.quarterly(c)) for c in r.classes.value] == [("I", False), ("II", True)]
    assert r.rank("I") < r.rank("II")
    assert r.public_notice_days.value == 7 and r.public_notice_days.source.is_assumed
    assert r.home_appraisal.value is True


def test_jining_甲类_any_time_乙类_quarterly():
    r = rules("jining-2016")
    assert {c: (x.name, x.schedule) for c, x in r.classes.value.items()} == {
        "A": ("甲类病种", "any_time"),
        "B": ("乙类病种", "quarterly"),
    }
    assert "甲类病种随时鉴定，乙类病种每季度鉴定一次" in r.classes.source.quote


def test_a_pack_without_appraisal_is_refused_in_chinese():
    with pytest.raises(PackError, match="没有慢性病鉴定"):
        rules("qingcheng-2018")
