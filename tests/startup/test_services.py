"""创业扶持 services: loans within the pack's limits and bounds, the one-time start-up subsidy
(in the county, a first firm, six months of trading, once per person) and its refusals."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from fupin.access.models import Role
from fupin.assistance.models import LedgerEntry, MeasureStatus
from fupin.assistance.services import plan_measure
from fupin.creditcode import make_credit_code
from fupin.startup import services as startup
from fupin.startup.models import Loan, StartupSubsidy
from tests.conftest import TOWN_A, TOWN_B
from tests.employment import factories as f

TODAY = dt.date.today()
IN_COUNTY = make_credit_code("92360222ABCDEFGH1")  # 登记管理机关代码 360222: 浮梁县


@pytest.fixture
def seeker(make_household):
    return f.job_seeker(make_household(TOWN_A, members=1).members.get())


def loan(user, person, **kw):
    args = {
        "kind": "individual",
        "guaranteed": True,
        "principal_fen": 5_0000_00,
        "project": "茶叶加工",
        "start_on": TODAY,
    }
    return startup.grant_loan(user=user, person=person, **{**args, **kw})


def test_loan_at_the_limit_and_over_it(county_user, seeker):
    with pytest.raises(startup.StartupError, match="最高 100000.00 元"):
        loan(county_user, seeker, principal_fen=100001_00)
    granted = loan(county_user, seeker, principal_fen=100000_00)
    assert (granted.annual_rate_bp, granted.pack_id, granted.term_months) == (
        435,
        "fuliang-2018",
        24,
    )
    assert Loan.objects.count() == 1
    assert LedgerEntry.objects.get(person=seeker, kind="loan").summary.startswith(
        "发放创业担保贷款 100000.00 元（个人创业，24个月"
    )


@pytest.mark.parametrize(
    "kw,message",
    [
        ({"term_months": 0}, "贷款期限应为 1–120 个月，填写的是 0 个月"),
        ({"term_months": 121}, "贷款期限应为 1–120 个月，填写的是 121 个月"),
        ({"start_on": dt.date(9999, 11, 1)}, "放款日期 9999-11-01 超出范围"),
        ({"start_on": dt.date(1800, 1, 1)}, "放款日期 1800-01-01 超出范围"),
        ({"guaranteed": False, "principal_fen": 1_00}, "没有免担保额度"),
        ({"kind": "cooperative"}, "未规定"),
    ],
)
def test_loan_refusals(county_user, seeker, kw, message):
    with pytest.raises(startup.StartupError, match=message):
        loan(county_user, seeker, **kw)
    assert not Loan.objects.exists() and not LedgerEntry.objects.exists()


def test_loan_closes_the_planned_loan_measure(county_user, seeker):
    m = plan_measure(
        user=county_user,
        person=seeker,
        kind="loan",
        description="申请创业担保贷款",
        cadre="王五",
        due_on=TODAY,
    )
    loan(county_user, seeker, start_on=TODAY - dt.timedelta(days=3))
    m.refresh_from_db()
    assert (m.status, m.done_on) == (MeasureStatus.DONE, TODAY - dt.timedelta(days=3))


def test_loans_only_in_the_users_area(town_b_user, seeker, make_user):
    with pytest.raises(PermissionDenied, match="不在本辖区"):
        loan(town_b_user, seeker)
    with pytest.raises(PermissionDenied, match="只读"):
        loan(make_user("auditor", Role.AUDITOR, "360222"), seeker)
    assert not Loan.objects.exists()


def subsidy(user, person, **kw):
    args = {
        "firm_name": "浮梁茶店",
        "credit_code": IN_COUNTY,
        "first_firm": True,
        "founded_on": dt.date(2019, 1, 31),
        "day": dt.date(2019, 9, 1),
    }
    return startup.grant_startup_subsidy(user=user, person=person, **{**args, **kw})


def test_startup_subsidy_after_six_months_to_the_day(county_user, seeker):
    # Founded 31 January 2019: six months later is 31 July 2019. On the 30th it is refused, on the 31st granted.
    with pytest.raises(startup.StartupError, match="须稳定经营6个月以上，2019-07-31 后方可申请"):
        subsidy(county_user, seeker, day=dt.date(2019, 7, 30))
    s = subsidy(county_user, seeker, day=dt.date(2019, 7, 31))
    assert (s.amount_fen, s.pack_id, s.credit_code, s.granted_on) == (
        5000_00,
        "fuliang-2018",
        IN_COUNTY,
        dt.date(2019, 7, 31),
    )  # 004: 5000 元


def test_startup_subsidy_once_per_person(county_user, seeker, make_household):
    subsidy(county_user, seeker)
    with pytest.raises(startup.StartupError, match="一次性创业补贴只能享受一次：此人已领取"):
        subsidy(
            county_user,
            seeker,
            firm_name="另一家店",
            credit_code=make_credit_code("92360222ABCDEFGH2"),
        )
    other = f.job_seeker(make_household(TOWN_A, members=1).members.get())
    subsidy(county_user, other)  # another person, even for the same firm
    assert (
        StartupSubsidy.objects.filter(person=seeker).count() == 1
        and StartupSubsidy.objects.count() == 2
    )
    assert LedgerEntry.objects.filter(person=seeker, kind="startup").count() == 1


@pytest.mark.parametrize(
    "kw,message",
    [
        (
            {"credit_code": make_credit_code("91110000ABCDEFGH1")},
            "企业登记地（信用代码中的登记机关区划码 110000）不在本县（浮梁县）行政区域内",
        ),
        ({"credit_code": "92360222ABCDEFGH"}, "18位"),
        ({"credit_code": IN_COUNTY[:-1] + ("0" if IN_COUNTY[-1] != "0" else "1")}, "校验码错误"),
        ({"first_firm": False}, "须为初次创办企业"),
        ({"founded_on": dt.date(1800, 1, 1)}, "成立日期 1800-01-01 超出范围"),
        ({"founded_on": dt.date(9999, 12, 31)}, "成立日期 9999-12-31 超出范围"),
    ],
)
def test_startup_subsidy_refusals(county_user, seeker, kw, message):
    with pytest.raises(startup.StartupError, match=message):
        subsidy(county_user, seeker, **kw)
    assert not StartupSubsidy.objects.exists() and not LedgerEntry.objects.exists()


def test_the_county_and_the_lender_come_from_settings(county_user, seeker, settings):
    assert (
        loan(county_user, seeker).lender == "浮梁农商银行"
    )  # settings.LOAN_LENDER, the demo county's default
    settings.LOAN_LENDER = "某县农村信用社"
    assert loan(county_user, seeker, principal_fen=1_0000_00).lender == "某县农村信用社"
    assert (
        loan(county_user, seeker, principal_fen=1_0000_00, lender="工商银行").lender == "工商银行"
    )
    # 乐平市: the same firm is now outside the county, named as the code (no area tree loaded for it)
    settings.COUNTY_CODE = "360281"
    with pytest.raises(startup.StartupError, match="登记机关区划码 360222）不在本县（360281）"):
        subsidy(county_user, seeker)


def test_no_startup_subsidy_where_the_pack_has_none(county_user, seeker):
    with pytest.raises(startup.StartupError, match="政策包 jining-2016 未规定一次性创业补贴"):
        subsidy(county_user, seeker, pack_id="jining-2016")


def test_startup_subsidy_only_in_the_users_area(town_b_user, seeker, make_household):
    with pytest.raises(PermissionDenied, match="不在本辖区"):
        subsidy(town_b_user, seeker)
    own = f.job_seeker(make_household(TOWN_B, members=1).members.get())
    assert subsidy(town_b_user, own).village_code.startswith(TOWN_B)
