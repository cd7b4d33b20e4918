"""民政部门导入: a CSV of households off the poverty list — all rows written as monitored households
in 预警, or none, with every fault named by row and column."""

import datetime as dt
import random

from django.core.files.uploadedfile import SimpleUploadedFile

from fupin.access.models import AuditEntry
from fupin.monitoring.models import MonitoredHousehold
from tests.conftest import TOWN_A, TOWN_B, login, make_id_number, village_of

HEAD = "户主姓名,户主身份证号,村代码,家庭人口,人均纯收入（元）,类别,情况说明\n"


def _ids(n):
    rng, used = random.Random(3), set()
    return [make_id_number(rng, "360222", dt.date(1975, 1, 1 + i), "男", used) for i in range(n)]


def _post(client, text):
    return client.post(
        "/monitoring/households/import/",
        {"file": SimpleUploadedFile("民政.csv", text.encode("utf-8"), "text/csv")},
    )


def test_good_file_imports_every_row(town_a_user, areas):
    v = village_of(TOWN_A).code
    a, b = _ids(2)
    r = _post(
        login(town_a_user),
        HEAD
        + f"王一,{a},{v},3,4800.50,边缘易致贫户,低保边缘\n李二,{b},{v},2,,突发严重困难户,火灾\n",
    )
    assert r.status_code == 302
    ms = MonitoredHousehold.objects.order_by("id")
    assert [(m.head_name, m.origin, m.stage, m.category, m.income_per_capita_fen) for m in ms] == [
        ("王一", "civil", "alert", "edge", 480050),
        ("李二", "civil", "alert", "sudden", None),
    ]
    assert ms[0].alerts.get().signal == "civil" and ms[0].history.get().new_stage == "alert"
    assert AuditEntry.objects.filter(action="import", summary__contains="2 户").exists()


def test_bad_rows_refuse_the_whole_file(town_a_user, areas):
    v, other = village_of(TOWN_A).code, village_of(TOWN_B).code
    a, b, c = _ids(3)
    text = HEAD + (
        f"王一,{a},{v},3,4800,边缘易致贫户,说明\n"
        f"李二,{b[:-1]}X,{v},2,100,边缘易致贫户,说明\n"  # wrong check character
        f"张三,{c},{other},2,abc,困难户,说明\n"  # another township, bad money, bad category
        f"王一,{a},{v},0,1,边缘易致贫户,\n"
    )  # duplicate ID, 0 persons, no description
    body = _post(login(town_a_user), text).content.decode()
    assert not MonitoredHousehold.objects.exists()
    for expected in (
        "第3行 B列（户主身份证号）",
        "第4行 C列（村代码）：不在本辖区",
        "第4行 E列（人均纯收入（元））",
        "第4行 F列（类别）",
        "第5行 B列（户主身份证号）：与第2行重复",
        "第5行 D列（家庭人口）",
        "第5行 G列（情况说明）",
    ):
        assert expected in body, expected


def test_missing_columns_and_not_a_spreadsheet(town_a_user, areas):
    c = login(town_a_user)
    assert (
        "缺少列：村代码"
        in _post(
            c, "户主姓名,户主身份证号,家庭人口,人均纯收入（元）,类别,情况说明\n"
        ).content.decode()
    )
    r = c.post(
        "/monitoring/households/import/",
        {"file": SimpleUploadedFile("x.xlsx", b"not a zip", "application/octet-stream")},
    )
    assert (
        r.status_code == 200
        and "文件未导入" in r.content.decode()
        and not MonitoredHousehold.objects.exists()
    )
