"""价格临时补贴: the trigger and amount against the pack, the idempotent monthly run, area scope,
the benefit-drawing import (all or nothing, hostile rows), the payment batch, pages and API."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import Workbook

from fupin.access.models import Role
from fupin.payments import services as payments
from fupin.payments.models import BatchLine
from fupin.registry.models import Person
from fupin.unemployment import services
from fupin.unemployment.models import BenefitDrawing, PriceSubsidy
from fupin.unemployment.rules import rules, triggered
from tests.conftest import TOWN_A, TOWN_B, login

pytestmark = pytest.mark.django_db
MONTH = "2018-03"


def test_pack_trigger_and_amount():
    r = rules()
    assert r.price_trigger.value == 350  # CPI 同比涨幅 3.5%
    assert r.price_subsidy_monthly.value == 4000  # 40 元
    assert r.price_trigger.source.is_assumed and "1835" in r.price_trigger.source.assumed
    assert triggered(10350, 350) and not triggered(10349, 350)


@pytest.mark.parametrize(
    "text, value", [("103.5", 10350), ("103.50", 10350), ("100", 10000), (" 98.7 ", 9870)]
)
def test_index_parsing(text, value):
    assert services.parse_index(text) == value


@pytest.mark.parametrize("text", ["", "abc", "103.555", "1e3", "-103", "999", "103,5"])
def test_bad_index_refused(text):
    with pytest.raises(services.UnemploymentError):
        services.parse_index(text)


def drawing(person, month=MONTH):
    return BenefitDrawing.objects.create(
        person=person, village_code=person.village_code, month=month, benefit_fen=117000
    )


@pytest.fixture
def people(make_household):
    a = list(Person.objects.filter(household=make_household(TOWN_A, members=3)))
    b = list(Person.objects.filter(household=make_household(TOWN_B, members=2)))
    return a, b


def test_only_the_county_enters_the_index(county_user, town_a_user):
    with pytest.raises(services.UnemploymentError, match="县级"):
        services.set_price_index(user=town_a_user, month=MONTH, index="103.6")
    with pytest.raises(services.UnemploymentError, match="月份"):
        services.set_price_index(user=county_user, month="2018-13", index="103.6")
    assert services.set_price_index(user=county_user, month=MONTH, index="103.6").index_text == (
        "103.60"
    )


def test_run_below_and_above_the_trigger(county_user, town_a_user, people):
    a, b = people
    for p in a[:2] + b:
        drawing(p)
    drawing(a[2], month="2018-04")  # another month: not this run's
    with pytest.raises(services.UnemploymentError, match="尚未录入"):
        services.run_month(user=county_user, month=MONTH)
    services.set_price_index(user=county_user, month=MONTH, index="103.4")
    run = services.run_month(user=county_user, month=MONTH)
    assert not run.triggered and PriceSubsidy.objects.count() == 0
    services.set_price_index(user=county_user, month=MONTH, index="103.5")
    # 甲镇 runs first: only its own two
    run = services.run_month(user=town_a_user, month=MONTH)
    assert run.triggered and run.created == 2
    assert set(PriceSubsidy.objects.values_list("person_id", flat=True)) == {a[0].pk, a[1].pk}
    # the county: the rest, no one twice
    run = services.run_month(user=county_user, month=MONTH)
    assert (run.created, run.existing) == (2, 2)
    again = services.run_month(user=county_user, month=MONTH)
    assert (again.created, again.existing) == (0, 4)
    subsidies = PriceSubsidy.objects.all()
    assert subsidies.count() == 4 and {s.amount_fen for s in subsidies} == {4000}
    with pytest.raises(services.UnemploymentError, match="不能再改指数"):
        services.set_price_index(user=county_user, month=MONTH, index="102")


def test_run_refuses_another_area(town_a_user):
    with pytest.raises(PermissionDenied):
        services.run_month(user=town_a_user, month=MONTH, area_code=TOWN_B)


def test_subsidies_paid_once_through_a_batch(county_user, town_a_user, make_user, people):
    a, _ = people
    drawing(a[0])
    services.set_price_index(user=county_user, month=MONTH, index="104")
    services.run_month(user=county_user, month=MONTH)
    batch = payments.prepare(
        user=town_a_user, kind="unemployment_price_subsidy", period=MONTH, area_code=TOWN_A
    )
    assert list(BatchLine.objects.filter(batch=batch).values_list("person_id", "amount_fen")) == [
        (a[0].pk, 4000)
    ]
    services.run_month(user=county_user, month=MONTH)
    with pytest.raises(payments.PaymentError):
        payments.prepare(
            user=town_a_user, kind="unemployment_price_subsidy", period=MONTH, area_code=TOWN_A
        )


def xlsx(rows, header=("身份证号", "姓名", "月份", "失业保险金(元)")):
    wb = Workbook()
    ws = wb.active
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_import_all_or_nothing(town_a_user, people):
    a, b = people
    good = [
        (a[0].id_number, a[0].name, MONTH, 1170),
        (a[1].id_number, a[1].name, "2018-3", "1170.50"),
        (b[0].id_number, b[0].name, MONTH, 1170),  # 乙镇: not in 甲镇's registry → skipped
    ]
    job = services.stage_import(user=town_a_user, data=xlsx(good), filename="名单.xlsx")
    assert (job.state, job.rows, job.errors, job.skipped) == ("ready", 3, 0, 1)
    job = services.merge_import(user=town_a_user, job=job)
    assert set(BenefitDrawing.objects.values_list("person_id", "month", "benefit_fen")) == {
        (a[0].pk, MONTH, 117000),
        (a[1].pk, MONTH, 117050),
    }
    with pytest.raises(services.UnemploymentError, match="已导入"):
        services.merge_import(user=town_a_user, job=job)
    bad = [
        (a[2].id_number, a[2].name, MONTH, 1000),
        ("123", "某人", MONTH, 1000),
        (a[0].id_number, "别人", "2018-13", "abc"),
        (a[2].id_number, a[2].name, MONTH, 1000),
        (a[1].id_number, "=HYPERLINK(1)", MONTH, 1000),
    ]
    job = services.stage_import(user=town_a_user, data=xlsx(bad), filename="坏名单.xlsx")
    assert job.state == "failed" and job.errors == 4
    errors = dict(job.staged.values_list("row_no", "error"))
    assert "身份证号" in errors[3]
    assert "月份" in errors[4] and "失业保险金" in errors[4]
    assert "与第2行重复" in errors[5]
    assert "姓名" in errors[6]
    with pytest.raises(services.UnemploymentError, match="有错误"):
        services.merge_import(user=town_a_user, job=job)
    assert BenefitDrawing.objects.count() == 2


def test_import_refuses_wrong_files(town_a_user):
    with pytest.raises(services.UnemploymentError, match="表头缺少"):
        services.stage_import(user=town_a_user, data=xlsx([], header=("a", "b")), filename="x.xlsx")
    with pytest.raises(services.UnemploymentError):
        services.stage_import(user=town_a_user, data=b"not a workbook", filename="x.xlsx")


def test_pages_and_api(county_user, town_a_user, town_b_user, make_user, people):
    a, b = people
    drawing(a[0])
    drawing(b[0])
    services.set_price_index(user=county_user, month=MONTH, index="104")
    services.run_month(user=county_user, month=MONTH)
    ca, cb = login(town_a_user), login(town_b_user)
    page = ca.get(f"/unemployment/subsidies/?month={MONTH}").content.decode()
    assert a[0].name in page and b[0].name not in page
    assert b[0].name not in ca.get("/unemployment/drawings/").content.decode()
    r = ca.get(f"/unemployment/subsidies/?month={MONTH}&format=xlsx")
    assert r.status_code == 200
    r = ca.post("/unemployment/index/", {"month": MONTH, "index": "110"}, follow=True)
    assert "县级" in r.content.decode()
    r = ca.post("/unemployment/run/", {"month": "9999-99"}, follow=True)
    assert r.status_code == 200 and "未核算" in r.content.decode()
    r = ca.post("/unemployment/upload/", {}, follow=True)
    assert "请选择" in r.content.decode()
    got = ca.get(f"/api/v1/unemployment/subsidies?month={MONTH}").json()
    assert [s["person_id"] for s in got] == [a[0].pk]
    assert ca.get("/api/v1/unemployment/subsidies?month=x").status_code == 422
    r = ca.post("/api/v1/unemployment/runs", {"month": 201803}, content_type="application/json")
    assert r.status_code == 422
    r = cb.post("/api/v1/unemployment/runs", {"month": MONTH}, content_type="application/json")
    assert r.status_code == 201 and r.json()["created"] == 0
    auditor = make_user("aud", Role.AUDITOR, TOWN_A)
    assert login(auditor).post("/unemployment/run/", {"month": MONTH}).status_code in (302, 403)
    assert PriceSubsidy.objects.count() == 2
