"""Pages, exports, the batch task, the CLI and the API of the employment modules."""

import csv
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from python_calamine import CalamineWorkbook

from fupin.access.models import AuditEntry
from fupin.employment.models import Employer, Posting, Recommendation, RecommendationBatch
from fupin.employment.recommend import recommend_persons
from fupin.registry.models import Person
from tests.conftest import TOWN_A, TOWN_B, login

from . import factories as f

TODAY = dt.date.today()


@pytest.fixture
def world(make_household, county_user):
    people = []
    for town in (TOWN_A, TOWN_B):
        hh = make_household(town, members=2)
        people += [f.job_seeker(p) for p in hh.members.all()]
        emp = f.employer(town, name=f"{town}茶厂")
        for i in range(6):
            f.posting(emp, title=f"{town}岗位{i}")
    recommend_persons(Person.objects.all(), TODAY, user=county_user)
    return people


def xlsx_text(response) -> str:
    body = b"".join(response.streaming_content)
    book = CalamineWorkbook.from_filelike(io.BytesIO(body))
    return "\n".join(
        str(c)
        for name in book.sheet_names
        for row in book.get_sheet_by_name(name).to_python()
        for c in row
    )


PAGES = [
    "employment:home",
    "employment:employers",
    "employment:postings",
    "employment:occupations",
    "employment:referrals",
    "employment:followups",
    "employment:fairs",
    "employment:timetable",
    "employment:welfare",
    "employment:workshops",
    "employment:employer_new",
    "employment:posting_new",
    "employment:fair_new",
    "training:courses",
    "training:coverage",
    "training:subsidies",
    "training:technical",
    "training:course_new",
    "startup:loans",
    "startup:subsidies",
    "startup:loan_new",
    "startup:subsidy_new",
    "assistance:ledger",
]


@pytest.mark.parametrize("name", PAGES)
def test_pages_render(world, county_user, town_a_user, name):
    for user in (county_user, town_a_user):
        r = login(user).get(reverse(name))
        assert r.status_code == 200, (name, user.username)


def test_person_page_sheet_and_village_sheet(world, town_a_user):
    p = world[0]
    c = login(town_a_user)
    page = c.get(reverse("registry:person", args=[p.pk])).content.decode()
    assert "帮扶台账" in page and "当前推荐岗位" in page
    sheet = c.get(reverse("employment:person_sheet", args=[p.pk])).content.decode()
    assert "精准扶贫岗位推荐单" in sheet and sheet.count("推荐就业</button>") == 10
    village = c.get(reverse("employment:village_sheet", args=[p.village_code])).content.decode()
    assert village.count("精准扶贫岗位推荐单") == 2
    assert (
        c.get(reverse("employment:village_sheet", args=[world[2].village_code])).status_code == 404
    )


def test_refer_from_sheet_then_hire(world, town_a_user):
    p = world[0]
    c = login(town_a_user)
    rec = Recommendation.objects.filter(person=p, current=True).order_by("rank").first()
    r = c.post(reverse("employment:refer", args=[p.pk]), {"posting": rec.posting_id})
    assert r.status_code == 302
    ref = p.referrals.get()
    c.post(
        reverse("employment:referral_advance", args=[ref.pk]), {"status": "hired", "wage": "3500"}
    )
    ref.refresh_from_db()
    assert ref.status == "hired" and ref.wage_fen == 350000


def test_employer_form_checks_credit_code(world, town_a_user):
    c = login(town_a_user)
    r = c.post(
        reverse("employment:employer_new"),
        {
            "name": "某公司",
            "credit_code": "91350100M000100Y44",
            "kind": "enterprise",
            "area_code": TOWN_A.ljust(12, "0"),
        },
    )
    assert r.status_code == 200 and "校验码错误，应为3" in r.content.decode()
    r = c.post(
        reverse("employment:employer_new"),
        {
            "name": "某公司",
            "credit_code": "91350100M000100Y43",
            "kind": "enterprise",
            "area_code": TOWN_B.ljust(12, "0"),
        },
    )
    # Another township is not among the choices: the form names the field and the code, nothing is saved.
    assert r.status_code == 200
    assert (
        f'data-field="area_code">选择一个有效的选项。 {TOWN_B.ljust(12, "0")} 不在可用的选项中。</div>'
        in r.content.decode()
    )
    assert not Employer.objects.filter(credit_code="91350100M000100Y43").exists()
    r = c.post(
        reverse("employment:employer_new"),
        {
            "name": "某公司",
            "credit_code": "91350100M000100Y43",
            "kind": "enterprise",
            "area_code": TOWN_A.ljust(12, "0"),
        },
    )
    assert (
        r.status_code == 302 and Employer.objects.filter(credit_code="91350100M000100Y43").exists()
    )


def test_posting_form_checks_occupation_and_wages(world, town_a_user):
    c = login(town_a_user)
    emp = Employer.objects.filter(area_code__startswith=TOWN_A).first()
    data = {
        "employer": emp.pk,
        "title": "新岗位",
        "positions": 3,
        "occupation_code": "9-99-99-99",
        "wage_min": "4000",
        "wage_max": "3000",
        "work_area_code": TOWN_A,
        "work_place": "镇上",
        "age_min": 18,
        "age_max": 50,
        "physical": "light",
        "schedule": "full_time",
        "opens_on": TODAY.isoformat(),
        "closes_on": (TODAY + dt.timedelta(days=30)).isoformat(),
    }
    body = c.post(reverse("employment:posting_new"), data).content.decode()
    assert "不在《职业分类大典》（2022）中" in body and "月薪上限不能低于下限" in body
    r = c.post(
        reverse("employment:posting_new"),
        {**data, "occupation_code": "6-02-06-10", "wage_max": "5000.50"},
    )
    assert r.status_code == 302
    p = Posting.objects.get(title="新岗位")
    assert p.wage_max_fen == 500050 and p.work_area_code == TOWN_A + "000"


def test_batch_runs_as_a_task_and_exports(world, county_user, town_a_user):
    c = login(town_a_user)
    r = c.post(reverse("employment:batch_run"), {"area": TOWN_A})
    batch = RecommendationBatch.objects.get()
    assert (
        r.status_code == 302
        and batch.status == "done"
        and batch.seekers == 2
        and batch.written == 20
    )
    text = xlsx_text(c.get(reverse("employment:recommendations_export")))
    assert world[0].name in text and world[2].name not in text and world[0].id_number not in text
    assert (
        login(town_a_user)
        .get(reverse("employment:recommendations_export") + "?unmasked=1")
        .status_code
        == 403
    )
    full = xlsx_text(
        login(county_user).get(reverse("employment:recommendations_export") + "?unmasked=1")
    )
    assert world[0].id_number in full and world[2].id_number in full
    assert AuditEntry.objects.filter(action="export").count() >= 2


def test_cli_masks_unless_permitted(world, county_user, town_a_user, tmp_path):
    out = tmp_path / "rec.csv"
    call_command("recommend", "--area", TOWN_A, "--out", str(out), "--user", "town-a")
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert len(rows) == 20 and rows[0]["id_number"].count("*") == 8 and rows[0]["reasons"]
    with pytest.raises(Exception, match="--unmasked"):
        call_command(
            "recommend", "--area", TOWN_A, "--out", str(out), "--unmasked", "--user", "town-a"
        )
    with pytest.raises(Exception, match="辖区不包含"):
        call_command("recommend", "--area", TOWN_B, "--out", str(out), "--user", "town-a")
    call_command("recommend", "--area", TOWN_A, "--out", str(out), "--unmasked", "--user", "county")
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert rows[0]["id_number"] in {p.id_number for p in world}
    assert AuditEntry.objects.filter(action="unmask", username="county").exists()


def test_timetable_lists_the_month(world, town_a_user):
    from fupin.employment.models import JobFair

    JobFair.objects.create(
        area_code=TOWN_A.ljust(12, "0"),
        title="精准扶贫专场招聘会（浮梁镇）",
        held_on=TODAY,
        place="镇政府大院",
    )
    JobFair.objects.create(
        area_code=TOWN_B.ljust(12, "0"),
        title="精准扶贫专场招聘会（鹅湖镇）",
        held_on=TODAY,
        place="鹅湖镇政府",
    )
    body = (
        login(town_a_user)
        .get(reverse("employment:timetable"), {"month": f"{TODAY:%Y-%m}"})
        .content.decode()
    )
    assert (
        "《精准扶贫专场招聘会进乡镇时间表》" in body
        and "镇政府大院" in body
        and "鹅湖镇政府" not in body
    )


def test_api(world, town_a_user):
    c = login(town_a_user)
    p = world[0]
    recs = c.get(f"/api/v1/employment/persons/{p.pk}/recommendations").json()
    assert len(recs) == 10 and recs[0]["rank"] == 1 and "月薪" in recs[0]["reasons"]
    assert c.get(f"/api/v1/employment/persons/{world[2].pk}/recommendations").status_code == 404
    r = c.post(
        "/api/v1/employment/referrals",
        {"person_id": p.pk, "posting_id": recs[0]["posting"]["id"]},
        content_type="application/json",
    )
    assert r.status_code == 201
    again = c.post(
        "/api/v1/employment/referrals",
        {"person_id": p.pk, "posting_id": recs[0]["posting"]["id"]},
        content_type="application/json",
    )
    assert again.status_code == 422 and "推荐过" in again.json()["detail"]
    ref = r.json()["id"]
    r = c.post(
        f"/api/v1/employment/referrals/{ref}/status",
        {"status": "hired", "wage_fen": 320000},
        content_type="application/json",
    )
    assert r.json()["status"] == "hired"
    loan = c.post(
        "/api/v1/startup/loans",
        {
            "person_id": p.pk,
            "principal_fen": 100001_00,
            "project": "茶",
            "start_on": TODAY.isoformat(),
        },
        content_type="application/json",
    )
    assert loan.status_code == 422 and "100000.00" in loan.json()["detail"]
    loan = c.post(
        "/api/v1/startup/loans",
        {
            "person_id": p.pk,
            "principal_fen": 50000_00,
            "project": "茶",
            "start_on": TODAY.isoformat(),
        },
        content_type="application/json",
    ).json()
    sched = c.get(f"/api/v1/startup/loans/{loan['id']}/schedule").json()
    assert sched["totals"]["interest_fen"] == 4350_00 and sched["totals"]["subsidy_fen"] == 4350_00
    ledger = c.get(f"/api/v1/assistance/persons/{p.pk}/ledger").json()
    assert [e["kind"] for e in ledger] == ["referral", "referral", "loan"]
    bad = c.post(
        "/api/v1/startup/loans",
        {"person_id": p.pk, "principal_fen": "x"},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "errors" in bad.json()
    rules = c.get("/api/v1/employment/rules").json()
    assert rules["startup_subsidy"]["value"] == "5000.00"
    # cited as a reader knows the document (004 is 浮人社发[2018]6号), with its sentence
    assert "浮人社发[2018]6号" in rules["startup_subsidy"]["source"]
    assert "5000元的一次性创业补贴" in rules["startup_subsidy"]["source"]
