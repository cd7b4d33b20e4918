"""村目标: a village's target set by the county or by its township (by name, through the area
picker), refused elsewhere in Chinese; the bulletin ranks villages against their targets and names
the lagging ones; the village reads its own progress on the plan page and its dashboard."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from fupin.access.models import AuditEntry
from fupin.areas.models import Area
from fupin.management import bulletins, dashboard, selectors, services, snapshots
from fupin.management.loading import load_indicators
from fupin.management.models import Indicator, Target
from fupin.registry.models import Household, Person, StatusChange
from tests.conftest import TOWN_A, TOWN_B, login

SPRING = (dt.date(2018, 2, 1), dt.date(2018, 4, 30))
MARCH_END = dt.date(2018, 3, 31)


@pytest.fixture
def plan(db, county_user):
    load_indicators()
    return services.save_plan(
        user=county_user, name="春季攻势", starts_on=SPRING[0], ends_on=SPRING[1]
    )


def _villages(town):
    return list(Area.objects.filter(code__startswith=town, level=5).order_by("code"))


def _out_of_poverty(make_household, village, n):
    """n households of `village` out of poverty on 10 March 2018."""
    for _ in range(n):
        hh = make_household(village.code[:9], members=2)
        Household.objects.filter(pk=hh.pk).update(village=village, village_code=village.code)
        Person.objects.filter(household=hh).update(village_code=village.code)
        StatusChange.objects.create(
            household=hh,
            village_code=village.code,
            old_status="poor",
            new_status="exited_policy",
            effective_date=dt.date(2018, 3, 10),
            reason="脱贫",
        )


def _post(user, plan, village_text, value="2", indicator="households_out"):
    return login(user).post(
        reverse("management:plan_village_target", args=[plan.pk]),
        {"indicator": indicator, "village": village_text, "value": value},
        follow=True,
    )


def test_a_township_sets_its_villages_targets_by_name(plan, town_a_user):
    v1 = _villages(TOWN_A)[0]
    page = login(town_a_user).get(reverse("management:plan", args=[plan.pk])).content.decode()
    assert 'id="village-target-form"' in page and v1.name in page
    r = _post(town_a_user, plan, f"浮梁县 › 浮梁镇 › {v1.name}", value="3")
    assert "已设定" in r.content.decode()
    t = Target.objects.get(plan=plan, area_code=v1.code)
    assert t.value == 3 and t.set_by == town_a_user and t.indicator.code == "households_out"
    assert AuditEntry.objects.filter(object_id=str(t.pk), summary__contains="村目标").exists()
    # Changed again: one row, the new value.
    _post(town_a_user, plan, v1.code, value="4")
    assert Target.objects.get(plan=plan, area_code=v1.code).value == 4


@pytest.mark.parametrize(
    "who, text, value, indicator, message",
    [
        ("town_a_user", "B-village", "2", "households_out", "不在本辖区"),
        ("town_a_user", "浮梁镇", "2", "households_out", "这里应选村"),
        ("town_a_user", "不存在的村", "2", "households_out", "村："),
        ("town_a_user", "A-village", "十七", "households_out", "应为整数"),
        ("town_a_user", "A-village", "-1", "households_out", "不能为负数"),
        ("town_a_user", "A-village", "1" + "0" * 30, "households_out", "超出范围"),
        ("town_a_user", "A-village", "101", "medical_coverage", "超出范围"),
        ("town_a_user", "A-village", "2", "no_such_indicator", "指标：请从列表中选择"),
        ("county_user", "", "2", "households_out", "村："),
    ],
)
def test_bad_village_targets_are_refused_in_chinese(
    plan, request, who, text, value, indicator, message
):
    text = {"B-village": _villages(TOWN_B)[0].code, "A-village": _villages(TOWN_A)[0].code}.get(
        text, text
    )
    r = _post(request.getfixturevalue(who), plan, text, value=value, indicator=indicator)
    assert r.status_code == 200
    page = r.content.decode()
    assert "未保存" in page and message in page
    assert not Target.objects.exists()


def test_villages_and_read_only_accounts_cannot_set_targets(plan, make_user):
    v1 = _villages(TOWN_A)[0]
    village_user = make_user("village-a1", "village", v1.code)
    auditor = make_user("audit", "auditor", "360222")
    for user in (village_user, auditor):
        r = login(user).post(
            reverse("management:plan_village_target", args=[plan.pk]),
            {"indicator": "households_out", "village": v1.code, "value": "1"},
        )
        assert r.status_code == 403
        page = login(user).get(reverse("management:plan", args=[plan.pk])).content.decode()
        assert "village-target-form" not in page
    assert not Target.objects.exists()


def test_the_county_sets_any_village_and_the_bulletin_ranks_villages_against_targets(
    plan, county_user, town_a_user, make_user, make_household
):
    # Plan 2018-02-01…04-30; on 31 March 59 of 89 days have passed (66 %).
    # A1: target 1, 1 household out → 已完成 (rank 1); A2: target 2, 1 out (50 % < 66 %) → 滞后 (rank 2);
    # B1: target 4, 0 out → 滞后 (rank 3, rate 0); other villages have no target: unranked, 无目标.
    a1, a2 = _villages(TOWN_A)[:2]
    b1 = _villages(TOWN_B)[0]
    _out_of_poverty(make_household, a1, 1)
    _out_of_poverty(make_household, a2, 1)
    ind = Indicator.objects.get(code="households_out")
    for v, n in ((a1, 1), (a2, 2), (b1, 4)):
        services.set_village_target(
            user=county_user, plan=plan, indicator=ind, village_code=v.code, value=n
        )
    b = bulletins.generate(user=county_user, month=dt.date(2018, 3, 1), plan=plan)
    section = next(s for s in b.data["sections"] if s["code"] == "households_out")
    assert section["village_by_target"]
    rows = {r["code"]: r for r in section["villages"]}
    assert (rows[a1.code]["rank"], rows[a1.code]["status"]) == (1, "已完成")
    assert (rows[a2.code]["rank"], rows[a2.code]["status"]) == (2, "滞后")
    assert rows[a2.code]["rate"] == pytest.approx(0.5)
    assert (rows[b1.code]["rank"], rows[b1.code]["status"], rows[b1.code]["rate"]) == (
        3,
        "滞后",
        0,
    )
    others = [r for r in section["villages"] if r["code"] not in {a1.code, a2.code, b1.code}]
    assert others and all(r["rank"] is None and r["status"] == "无目标" for r in others)
    assert [r["code"] for r in section["villages"][:3]] == [a1.code, a2.code, b1.code]
    assert section["village_laggards"] == [f"浮梁镇{a2.name}", f"鹅湖镇{b1.name}"]
    # Indicators without village targets still rank villages by value.
    fairs = next(s for s in b.data["sections"] if s["code"] == "job_fairs")
    assert not fairs["village_by_target"]

    page = login(county_user).get(reverse("management:bulletin", args=[b.pk])).content.decode()
    assert "未达村目标进度的村" in page and "村目标" in page
    xlsx = login(county_user).get(reverse("management:bulletin_xlsx", args=[b.pk]))
    ws = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))["各村排名"]
    header = [c.value for c in ws[1]]
    assert header[-3:] == ["村目标", "完成率", "状态"]
    found = [
        [c.value for c in row]
        for row in ws.iter_rows(min_row=2)
        if row[0].value == ind.name and row[2].value == a2.name
    ]
    assert found and found[0][-3:] == [2, "50.0%", "滞后"]

    # The village reads its own progress: the plan page and its dashboard (from the snapshot).
    village_user = make_user("village-a2", "village", a2.code)
    mine = selectors.progress(village_user, plan, MARCH_END)
    assert [(p.target.area_code, p.value, p.status) for p in mine] == [(a2.code, 1, "滞后")]
    page = login(village_user).get(reverse("management:plan", args=[plan.pk])).content.decode()
    assert a2.name in page and a1.name not in page and b1.name not in page
    snapshots.build(day=MARCH_END)
    goals = dashboard.data(village_user, MARCH_END)["goals"]
    assert [(g["name"], g["target"], g["value"], g["status"]) for g in goals["items"]] == [
        (ind.name, 2, 1, "滞后")
    ]
    # A township reads its own villages' targets, not another township's.
    rows = selectors.progress(town_a_user, plan, MARCH_END)
    assert {p.target.area_code for p in rows} == {a1.code, a2.code}
