"""创业扶持 pages with bad input: refusals named on the form, never a 500; another township's
loan is a 404; the export lists the scoped loans with their masked ID numbers."""

import datetime as dt

import pytest
from django.urls import reverse

from fupin.creditcode import make_credit_code
from fupin.startup.models import Loan, StartupSubsidy
from tests.conftest import TOWN_A, TOWN_B, login
from tests.employment import factories as f

from .test_services import IN_COUNTY, loan

TODAY = dt.date.today()


@pytest.fixture
def seeker(make_household):
    return f.job_seeker(make_household(TOWN_A, members=1).members.get())


def loan_form(person, **kw):
    return {
        "person": person.id_number,
        "kind": "individual",
        "guaranteed": "on",
        "principal": "50000",
        "project": "茶叶加工",
        "start_on": TODAY.isoformat(),
        "term_months": "24",
        "lender": "",
        **kw,
    }


@pytest.mark.parametrize(
    "kw,message",
    [
        (
            {"principal": "100000.01"},
            "个人创业创业担保贷款最高 100000.00 元，申请 100000.01 元超限",
        ),
        ({"principal": "abc"}, "金额应为金额（元），填写的是“abc”"),
        ({"principal": "100000.001"}, "金额最多两位小数"),
        ({"principal": "0"}, "贷款金额须大于0"),
        ({"principal": "1" * 40}, "金额超出范围：应在 0 元 至 20,000,000 元 之间"),
        ({"term_months": "121"}, "确保该值小于或等于120"),
        ({"start_on": "2019-02-30"}, "不存在"),
        ({"guaranteed": ""}, "没有免担保额度，须提供担保"),
        ({"kind": "cooperative"}, "cooperative 不在可用的选项中"),
    ],
)
def test_loan_form_refusals(town_a_user, seeker, kw, message):
    r = login(town_a_user).post(reverse("startup:loan_new"), loan_form(seeker, **kw))
    assert r.status_code == 200 and message in r.content.decode()
    assert not Loan.objects.exists()


def test_loan_form_finds_no_one_outside_the_area(town_a_user, make_household):
    outsider = make_household(TOWN_B, members=1).members.get()
    r = login(town_a_user).post(reverse("startup:loan_new"), loan_form(outsider))
    assert "本辖区内没有这个人员" in r.content.decode() and not Loan.objects.exists()


def test_loan_page_shows_the_schedule(town_a_user, seeker):
    r = login(town_a_user).post(reverse("startup:loan_new"), loan_form(seeker, principal="50000"))
    assert r.status_code == 302
    granted = Loan.objects.get()
    assert granted.lender and granted.principal_fen == 5_0000_00
    page = login(town_a_user).get(reverse("startup:loan", args=[granted.pk])).content.decode()
    assert "543.75" in page  # a quarter's interest: 50,000 × 4.35 % / 4


def test_another_townships_loan_is_missing(town_b_user, county_user, seeker):
    granted = loan(county_user, seeker)
    assert login(town_b_user).get(reverse("startup:loan", args=[granted.pk])).status_code == 404
    from tests.access.test_scope_sweep import text_of

    assert seeker.name not in text_of(login(town_b_user).get(reverse("startup:loans_export")))
    text = text_of(login(county_user).get(reverse("startup:loans_export")))
    assert seeker.name in text and seeker.id_number not in text and "50000.00" in text


def test_subsidy_form_refusals(town_a_user, seeker):
    data = {
        "person": seeker.id_number,
        "firm_name": "茶店",
        "credit_code": make_credit_code("91110000ABCDEFGH1"),
        "founded_on": (TODAY - dt.timedelta(days=400)).isoformat(),
        "first_firm": "on",
    }
    client = login(town_a_user)
    assert (
        "不在本县（浮梁县）行政区域内"
        in client.post(reverse("startup:subsidy_new"), data).content.decode()
    )
    assert (
        "须为初次创办企业"
        in client.post(
            reverse("startup:subsidy_new"), {**data, "credit_code": IN_COUNTY, "first_firm": ""}
        ).content.decode()
    )
    assert (
        "超出范围"
        in client.post(
            reverse("startup:subsidy_new"),
            {**data, "credit_code": IN_COUNTY, "founded_on": "9999-01-01"},
        ).content.decode()
    )
    assert not StartupSubsidy.objects.exists()
    r = client.post(reverse("startup:subsidy_new"), {**data, "credit_code": IN_COUNTY})
    assert r.status_code == 302 and StartupSubsidy.objects.get().amount_fen == 5000_00
    assert (
        "只能享受一次"
        in client.post(
            reverse("startup:subsidy_new"), {**data, "credit_code": IN_COUNTY}
        ).content.decode()
    )
