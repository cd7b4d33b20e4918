"""政策测算 on real data from the page: at any date of a region (政策日期), and the comparison exports
what it shows: per township, each part official → simulated
→ difference (元), only the township's own claims for a township clerk; audited."""

import io

import openpyxl
from django.urls import reverse

from fupin.access.models import AuditEntry
from fupin.insurance.claims import imports, resettle
from fupin.insurance.claims.models import ResettledClaim, Resettlement
from fupin.registry.models import Person
from tests.conftest import TOWN_A, login
from tests.insurance.claims_factories import csv, run_import


def test_comparison_exports_per_township(make_household, town_a_user, town_b_user):
    person = Person.objects.get(household=make_household(TOWN_A, members=1))
    job = run_import(
        town_a_user,
        csv(
            f"ZY1,{person.id_number},,县医院,住院,2,,2018-03-05,30000.00,20000.00",
            f"ZY2,{person.id_number},,县医院,住院,3,,2018-06-05,50000.00,45000.00",
        ),
    )
    imports.merge(job, user=town_a_user)
    run = resettle.start(user=town_a_user, year=2018, policy="jining")
    c = login(town_a_user)
    url = reverse("insurance:claims_resettlement", args=[run.pk])
    assert 'id="comparison-export"' in c.get(url).content.decode()
    response = c.get(url, {"format": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book["对照"].iter_rows(values_only=True))
    assert rows[0][:6] == (
        "乡镇",
        "笔数",
        "总费用(元)",
        "基本医保正式(元)",
        "基本医保测算(元)",
        "基本医保差额(元)",
    )
    assert len(rows) == 2 and rows[1][1] == 2 and rows[1][2] == 80000
    simulated = sum(r.basic_fen for r in ResettledClaim.objects.filter(run=run)) / 100
    assert rows[1][4] == simulated and rows[1][5] == simulated - rows[1][3]
    assert str(rows[1][0]) != TOWN_A  # the township by name
    assert AuditEntry.objects.filter(action="export", summary__contains="政策测算").exists()
    # another township's clerk cannot read the run or its export
    assert login(town_b_user).get(url, {"format": "xlsx"}).status_code == 404


def test_resettle_at_any_date_from_the_page(make_household, town_a_user):
    person = Person.objects.get(household=make_household(TOWN_A, members=1))
    job = run_import(
        town_a_user, csv(f"ZY1,{person.id_number},,县医院,住院,2,,2018-03-05,30000,20000")
    )
    imports.merge(job, user=town_a_user)
    c = login(town_a_user)
    url = reverse("insurance:claims_resettle")
    r = c.post(url, {"year": "2018", "policy": "jining", "at": "2019-06-01"}, follow=True)
    run = Resettlement.objects.get()
    assert run.policy == "jining@2019-06-01" and run.state == "done"
    assert "山东省济宁市：2019-06-01 的政策" in r.content.decode()
    r = c.post(url, {"year": "2018", "policy": "jining", "at": "2019-13-45"}, follow=True)
    assert "政策日期无效：2019-13-45，应为 YYYY-MM-DD" in r.content.decode()
    r = c.post(url, {"year": "2018", "policy": "jining", "at": "2001-01-01"}, follow=True)
    assert Resettlement.objects.count() == 1 and "2001-01-01" in r.content.decode()
