"""The lists not covered in test_pages.py export what they show: the public-notice list (公示名单)
for the day and area on screen, and the quarterly rounds (季度鉴定批次); both audited."""

import datetime as dt

from fupin.access.models import AuditEntry
from fupin.appraisal import services
from fupin.areas.models import Area
from fupin.registry.models import Person
from tests.conftest import TOWN_A, TOWN_B, login

from .test_pages import _export_link, _rows

D = dt.date


def test_notice_list_exports_the_day_and_area_shown(county_user, make_household):
    a = Person.objects.filter(household=make_household(TOWN_A, members=1)).get()
    b = Person.objects.filter(household=make_household(TOWN_B, members=1)).get()
    for person in (a, b):
        app = services.apply(
            user=county_user,
            person=person,
            chronic_class="I",
            diseases=["高血压"],
            day=D(2018, 3, 1),
        )
        services.appraise(
            user=county_user, application=app, approved=True, day=D(2018, 3, 5), appraiser="专家组"
        )
    c = login(county_user)
    page = c.get("/appraisal/notice/", {"date": "2018-03-08", "area": TOWN_A}).content.decode()
    assert a.name in page and b.name not in page
    rows = _rows(c.get(_export_link(page, "/appraisal/notice/export/")))
    assert rows[0][:3] == ["姓名", "村", "鉴定类别"]
    assert [r[0] for r in rows[1:]] == [a.name]
    assert rows[1][2] == "Ⅰ类门诊特殊慢性病" and not any(TOWN_A in str(v) for v in rows[1])
    # after the notice period nobody is listed
    after = _rows(c.get("/appraisal/notice/export/", {"date": "2018-03-20"}))
    assert after[1:] == []
    assert AuditEntry.objects.filter(action="export", summary__contains="公示名单").exists()


def test_rounds_list_exports(county_user, town_a_user, make_household):
    person = Person.objects.filter(household=make_household(TOWN_A, members=1)).get()
    services.apply(
        user=town_a_user, person=person, chronic_class="II", diseases=["胃炎"], day=D(2018, 3, 1)
    )
    services.plan_round(
        user=county_user, held_on=D(2018, 3, 28), place="县人民医院", experts="市专家组"
    )
    c = login(town_a_user)
    page = c.get("/appraisal/rounds/").content.decode()
    rows = _rows(c.get(_export_link(page, "format=xlsx")))
    assert rows[0] == ["季度", "鉴定日期", "地点", "专家/机构", "待鉴定", "已鉴定/办结"]
    assert rows[1][:4] == ["2018年第一季度", "2018-03-28", "县人民医院", "市专家组"]
    assert [int(v) for v in rows[1][4:]] == [1, 0]
    assert AuditEntry.objects.filter(action="export", summary__contains="季度鉴定批次").exists()


def test_every_record_reads_as_words(county_user, make_household):
    """Admin lists and the audit log name a record by what it is, never `Notice object (12)`."""
    person = Person.objects.filter(household=make_household(TOWN_A, members=1)).get()
    notice = services.notify(user=county_user, person=person, day=D(2018, 2, 20))
    app = services.apply(
        user=county_user, person=person, chronic_class="I", diseases=["高血压"], day=D(2018, 3, 1)
    )
    services.appraise(
        user=county_user, application=app, approved=True, day=D(2018, 3, 5), appraiser="专家组"
    )
    objection = services.raise_objection(
        user=county_user, application=app, objector="张三", content="不符合", day=D(2018, 3, 6)
    )
    texts = [str(notice), str(objection), str(app)]
    assert texts[0] == f"{person.name} 2018-02-20 入户送达"
    assert texts[1] == "张三 2018-03-06"
    assert not any("object (" in t for t in texts)


def test_export_audit_names_the_filter_in_words(county_user, make_household):
    person = Person.objects.filter(household=make_household(TOWN_A, members=1)).get()
    services.apply(
        user=county_user, person=person, chronic_class="I", diseases=["高血压"], day=D(2018, 3, 1)
    )
    c = login(county_user)
    c.get(
        "/appraisal/export/", {"area": TOWN_A, "stage": "applied", "class": "I", "q": person.name}
    )
    entry = AuditEntry.objects.filter(action="export").latest("id")
    town = Area.objects.get(code=TOWN_A).name
    assert f"{town} · 待鉴定 · Ⅰ类门诊特殊慢性病 · 姓名含“{person.name}”" in entry.summary
    assert TOWN_A not in entry.summary and "stage=" not in entry.summary
