"""Sources as a resident recognises them: every page and message that names where a number comes
from cites the document's title and number (浮人社发[2018]6号), never a seed file name."""

from __future__ import annotations

import re

from fupin.policy import load_pack
from fupin.policy.params import with_titles

FILE_NAME = re.compile(r"\d{3}_[0-9a-f]{16}\.txt")


def test_every_cited_document_has_a_title(pack):
    cited = {param.source.file for _, param in pack.parameters() if param.source.file}
    assert cited and cited <= set(pack.documents), cited - set(pack.documents)


def test_no_source_text_names_a_file(pack):
    for path, param in pack.parameters():
        for text in (param.source.text(), pack.cite(param.source)):
            assert not FILE_NAME.search(text), f"{pack.id} {path}: {text}"
        if param.source.file:
            assert pack.documents[param.source.file] in param.source.text(), path


def test_fuliang_cites_its_own_document_by_number():
    pack = load_pack("fuliang-2018")
    fifth = pack.medical.fallback.self_pay_line.max_share.source
    assert "浮人社发[2018]6号" in fifth.text() and "浮人社发[2018]6号" in pack.cite(fifth)


# A parameter path (pension.min_tier), a column (rehab_cost) or a category code (dibao) is not
# something a resident or a clerk reads; notes say it in Chinese.
CODE = re.compile(r"[a-z]+_[a-z_]+|[a-z_]+\.[a-z_]+|\b(general|poor|dibao|tekun)\b")


def test_no_source_text_names_a_code(pack):
    for path, param in pack.parameters():
        text = param.source.text()
        assert not CODE.search(text), f"{pack.id} {path}: {CODE.search(text).group(0)}"


def test_text_stored_with_file_names_reads_with_titles():
    load_pack("fuliang-2018")
    stored = "《004_aa2e4d087a25c1cc.txt》：“全额补助”；《999_unknown.txt》：“x”"
    assert with_titles(stored) == (
        '《浮梁县人社系统2018年脱贫攻坚"春季攻势"行动方案》（浮人社发[2018]6号）：“全额补助”；'
        "《999_unknown.txt》：“x”"
    )
    assert with_titles("没有出处") == "没有出处"
