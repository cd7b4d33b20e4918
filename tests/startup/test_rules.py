"""创业担保贷款 rules without the database: the packs' loan limits and the interest-subsidy
schedule, with golden cases worked by hand (interest only, paid quarterly; the government
pays `ratio` of the interest for the first `years` years)."""

import datetime as dt

import pytest

from fupin.policy.employment import rules
from fupin.startup.schedule import ScheduleError, schedule, totals
from fupin.startup.services import StartupError, check_loan


@pytest.mark.parametrize(
    "pack,kind,guaranteed,yuan,ok",
    [
        ("jining-2016", "individual", False, 20000, True),
        ("jining-2016", "individual", False, 20001, False),
        ("jining-2016", "individual", True, 150000, True),
        ("jining-2016", "individual", True, 150001, False),
        ("jining-2016", "partnership", True, 100000, False),
        ("fuliang-2018", "individual", True, 100000, True),
        ("fuliang-2018", "individual", True, 100001, False),
        ("fuliang-2018", "partnership", True, 500000, True),
        ("fuliang-2018", "partnership", True, 500001, False),
        ("fuliang-2018", "small_firm", True, 4000000, True),
        ("fuliang-2018", "small_firm", True, 4000001, False),
        ("fuliang-2018", "individual", False, 10000, False),
    ],
)
def test_loan_limits(pack, kind, guaranteed, yuan, ok):
    if ok:
        check_loan(pack_id=pack, kind=kind, guaranteed=guaranteed, principal_fen=yuan * 100)
    else:
        with pytest.raises(StartupError):
            check_loan(pack_id=pack, kind=kind, guaranteed=guaranteed, principal_fen=yuan * 100)


@pytest.mark.parametrize(
    "fen,message",
    [
        (100000_01, "个人创业创业担保贷款最高 100000.00 元，申请 100000.01 元超限"),
        (0, "贷款金额应大于 0 元"),
        (-100, "贷款金额应大于 0 元"),
    ],
)
def test_loan_refusals_name_the_amount_and_the_source(fen, message):
    with pytest.raises(StartupError, match=message) as err:
        check_loan(pack_id="fuliang-2018", kind="individual", guaranteed=True, principal_fen=fen)
    if fen > 0:
        assert str(err.value).endswith(f"（{rules('fuliang-2018').loan_limits.source.text()}）")


def test_unguaranteed_loan_where_the_pack_has_no_such_limit():
    with pytest.raises(StartupError, match="没有免担保额度，须提供担保"):
        check_loan(pack_id="fuliang-2018", kind="individual", guaranteed=False, principal_fen=100)
    with pytest.raises(StartupError, match="免担保、免抵押贷款最高 20000.00 元"):
        check_loan(
            pack_id="jining-2016", kind="individual", guaranteed=False, principal_fen=20000_01
        )


def test_jining_interest_fully_subsidised_for_two_years():
    r = rules("jining-2016")
    periods = schedule(
        principal_fen=15_0000_00,
        annual_rate_bp=r.loan_annual_rate.value,
        term_months=24,
        start_on=dt.date(2016, 6, 1),
        subsidy_ratio_bp=r.loan_interest_subsidy_ratio.value,
        subsidy_years=r.loan_interest_subsidy_years.value,
    )
    t = totals(periods)
    assert len(periods) == 8 and periods[0].interest_fen == 1631_25  # 150000 × 4.35% / 4
    assert t["interest_fen"] == 13050_00 and t["subsidy_fen"] == 13050_00 and t["borrower_fen"] == 0


def test_three_year_loan_the_third_year_is_the_borrowers():
    # 50,000 元 at 4.35 % for 36 months, fully subsidised for 2 years:
    #   a quarter's interest = 5,000,000 fen × 0.0435 / 4 = 54,375 fen (543.75 元), 12 quarters;
    #   total 5,000,000 × 0.0435 × 3 = 652,500 fen; the subsidy is quarters 1-8 = 8 × 54,375 = 435,000;
    #   the borrower pays quarters 9-12 = 4 × 54,375 = 217,500.
    periods = schedule(
        principal_fen=5_000_000,
        annual_rate_bp=435,
        term_months=36,
        start_on=dt.date(2018, 3, 1),
        subsidy_ratio_bp=10000,
        subsidy_years=2,
    )
    assert [p.interest_fen for p in periods] == [54_375] * 12
    assert [p.subsidy_fen for p in periods] == [54_375] * 8 + [0] * 4
    assert totals(periods) == {
        "interest_fen": 652_500,
        "subsidy_fen": 435_000,
        "borrower_fen": 217_500,
    }
    assert (periods[0].start, periods[0].end, periods[-1].end) == (
        dt.date(2018, 3, 1),
        dt.date(2018, 5, 31),
        dt.date(2021, 2, 28),
    )


def test_half_subsidy_for_one_year():
    # 100,000 元, 4.35 %, 15 months, half the interest for one year:
    #   a quarter = 10,000,000 × 0.0435 / 4 = 108,750 fen; 5 quarters → 543,750;
    #   subsidy = 4 quarters × 108,750 / 2 = 217,500; borrower = 543,750 − 217,500 = 326,250.
    periods = schedule(
        principal_fen=10_000_000,
        annual_rate_bp=435,
        term_months=15,
        start_on=dt.date(2019, 1, 1),
        subsidy_ratio_bp=5000,
        subsidy_years=1,
    )
    assert [p.subsidy_fen for p in periods] == [54_375] * 4 + [0]
    assert [p.borrower_fen for p in periods] == [54_375] * 4 + [108_750]
    assert totals(periods) == {
        "interest_fen": 543_750,
        "subsidy_fen": 217_500,
        "borrower_fen": 326_250,
    }


def test_short_last_period_and_month_ends():
    # 12,000 元 at 4.35 % for 7 months: a month is 1,200,000 × 0.0435 / 12 = 4,350 fen exactly;
    # periods of 3, 3 and 1 months → 13,050, 13,050, 4,350. From 31 January every period starts
    # on the start day's month-end (30 April, 31 July) and ends the day before the next one.
    periods = schedule(
        principal_fen=1_200_000,
        annual_rate_bp=435,
        term_months=7,
        start_on=dt.date(2019, 1, 31),
        subsidy_ratio_bp=10000,
        subsidy_years=2,
    )
    assert [(p.months, p.interest_fen) for p in periods] == [(3, 13_050), (3, 13_050), (1, 4_350)]
    assert [(p.start, p.end) for p in periods] == [
        (dt.date(2019, 1, 31), dt.date(2019, 4, 29)),
        (dt.date(2019, 4, 30), dt.date(2019, 7, 30)),
        (dt.date(2019, 7, 31), dt.date(2019, 8, 30)),
    ]


def test_odd_amounts_round_once_and_add_up():
    # 33,333.33 元 for one quarter: 3,333,333 × 435 × 3 / 120,000 = 36,249.996… → 36,250 fen; the
    # month-by-month cumulative figures (12,083.33 → 12,083; 24,166.66 → 24,167) are not summed.
    periods = schedule(
        principal_fen=3_333_333,
        annual_rate_bp=435,
        term_months=3,
        start_on=dt.date(2020, 5, 1),
        subsidy_ratio_bp=10000,
        subsidy_years=2,
    )
    assert [p.interest_fen for p in periods] == [36_250]
    periods = schedule(
        principal_fen=3333333,
        annual_rate_bp=435,
        term_months=37,
        start_on=dt.date(2018, 1, 31),
        subsidy_ratio_bp=10000,
        subsidy_years=2,
    )
    t = totals(periods)
    assert (
        t["interest_fen"] == (2 * 3333333 * 435 * 37 + 120000) // 240000
    )  # rounded half up once over 37 months
    assert sum(p.subsidy_fen for p in periods[:8]) == t["subsidy_fen"] and all(
        p.subsidy_fen == 0 for p in periods[8:]
    )
    assert periods[-1].months == 1 and periods[1].start == dt.date(2018, 4, 30)


def test_qingcheng_pays_no_subsidy():
    r = rules("qingcheng-2018")
    periods = schedule(
        principal_fen=1_000_000,
        annual_rate_bp=r.loan_annual_rate.value,
        term_months=12,
        start_on=dt.date(2018, 1, 1),
        subsidy_ratio_bp=r.loan_interest_subsidy_ratio.value,
        subsidy_years=r.loan_interest_subsidy_years.value,
    )
    assert totals(periods) == {
        "interest_fen": 43_500,
        "subsidy_fen": 0,
        "borrower_fen": 43_500,
    }  # 10,000 元 × 4.35 %


@pytest.mark.parametrize("principal,term", [(0, 12), (-1, 12), (100, 0), (100, -3)])
def test_schedule_refuses_nonsense(principal, term):
    with pytest.raises(ValueError, match="贷款金额和期限须为正数"):
        schedule(
            principal_fen=principal,
            annual_rate_bp=435,
            term_months=term,
            start_on=dt.date(2018, 1, 1),
            subsidy_ratio_bp=0,
            subsidy_years=0,
        )


def test_schedule_beyond_the_calendar_says_why():
    with pytest.raises(ScheduleError, match="放款日期 9999-11-01 起 24 个月超出可计算的日期范围"):
        schedule(
            principal_fen=100,
            annual_rate_bp=435,
            term_months=24,
            start_on=dt.date(9999, 11, 1),
            subsidy_ratio_bp=0,
            subsidy_years=0,
        )
