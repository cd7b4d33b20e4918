"""Indicator arithmetic on small worlds built by hand; every expected figure is counted in the
comments, not by the code under test."""

import datetime as dt
import re

import pytest
import yaml

from fupin.employment.models import FollowUpVisit, JobFair, Recommendation, Referral
from fupin.management.indicators import IndicatorError, evaluate, validate
from fupin.management.loading import DATA, load_indicators
from fupin.management.models import Indicator, ManualValue
from fupin.registry.models import Person, StatusChange
from tests.conftest import TOWN_A, TOWN_B
from tests.employment import factories as f

MARCH = (dt.date(2018, 3, 1), dt.date(2018, 3, 31))


@pytest.fixture
def indicators(db):
    load_indicators()
    return {i.code: i for i in Indicator.objects.all()}


def people(make_household, town, n, **fields):
    hh = make_household(town, members=n)
    Person.objects.filter(household=hh).update(**fields)
    return list(Person.objects.filter(household=hh).order_by("id"))


def figures(indicators, user, codes, period=MARCH):
    return evaluate([indicators[c] for c in codes], user=user, start=period[0], end=period[1])


def test_every_indicator_cites_a_sentence_of_its_document(seeds):
    docs = {
        p.name[:3]: re.sub(r"\s", "", p.read_text(encoding="utf-8")) for p in seeds.glob("0*.txt")
    }
    assert docs
    for row in yaml.safe_load((DATA / "indicators.yaml").read_text(encoding="utf-8")):
        for part in row["source_text"].split("……"):
            assert re.sub(r"\s", "", part) in docs[row["source_doc"]], row["code"]


def test_service_coverage_counts_the_willing_and_able_with_any_service(
    indicators, make_household, county_user
):
    # 浮梁镇: 3 willing and able (migrate, general); 1 referred in March, 1 visited in March, 1 nothing → 2/3 = 66.7 %.
    # Also 1 unwilling (intention none) with a referral: outside the denominator, so not counted.
    a = people(
        make_household, TOWN_A, 3, status="poor", intention="migrate", labour_skill="general"
    )
    idle = people(
        make_household, TOWN_A, 1, status="poor", intention="none", labour_skill="general"
    )
    # 鹅湖镇: 2 willing (local, weak); one has a recommendation dated April (after March): 0/2 in March.
    b = people(
        make_household, TOWN_B, 2, status="exited_policy", intention="local", labour_skill="weak"
    )
    posting = f.posting(f.employer(TOWN_A))
    Referral.objects.create(
        person=a[0],
        village_code=a[0].village_code,
        posting=posting,
        referred_on=dt.date(2018, 3, 10),
    )
    Referral.objects.create(
        person=idle[0],
        village_code=idle[0].village_code,
        posting=posting,
        referred_on=dt.date(2018, 3, 10),
    )
    FollowUpVisit.objects.create(
        person=a[1], village_code=a[1].village_code, visited_on=dt.date(2018, 3, 2)
    )
    Recommendation.objects.create(
        person=b[0],
        village_code=b[0].village_code,
        posting=posting,
        rank=1,
        score=1,
        reasons="x",
        created_on=dt.date(2018, 4, 2),
    )
    fig = figures(indicators, county_user, ["emp_service_coverage"])["emp_service_coverage"]
    assert fig.pair(TOWN_A) == (2, 3) and fig.value(TOWN_A) == 66.7
    assert fig.pair(TOWN_B) == (0, 2) and fig.value(TOWN_B) == 0
    assert fig.pair() == (2, 5) and fig.value() == 40.0  # county: 2 of 5
    april = figures(
        indicators,
        county_user,
        ["emp_service_coverage"],
        (dt.date(2018, 4, 1), dt.date(2018, 4, 30)),
    )
    assert april["emp_service_coverage"].pair(TOWN_B) == (
        1,
        2,
    )  # the April recommendation now counts


def test_ten_offers_needs_the_packs_number_of_recommendations(
    indicators, make_household, county_user
):
    # Pack fuliang-2018: at least 10 offers. Person 1 has 10, person 2 has 9 → 1/2 = 50 %.
    p1, p2 = people(
        make_household, TOWN_A, 2, status="poor", intention="local", labour_skill="general"
    )
    emp = f.employer(TOWN_A)
    postings = [f.posting(emp) for _ in range(10)]
    for person, k in ((p1, 10), (p2, 9)):
        for rank, posting in enumerate(postings[:k], 1):
            Recommendation.objects.create(
                person=person,
                village_code=person.village_code,
                posting=posting,
                rank=rank,
                score=1,
                reasons="x",
                created_on=dt.date(2018, 3, 1),
            )
    fig = figures(indicators, county_user, ["offered_ten_jobs"])["offered_ten_jobs"]
    assert fig.pair(TOWN_A) == (1, 2) and fig.value(TOWN_A) == 50.0


def test_visits_on_time_within_the_packs_three_months(indicators, make_household, county_user):
    # Needing follow-up: training need OR an intention. End of March 2018; 3 months back is 2017-12-31 (exclusive).
    # p1 visited 2018-01-15 → on time; p2 visited 2017-12-31 → late; p3 never → late; p4 no need → not counted.
    p1, p2, p3 = people(
        make_household, TOWN_A, 3, status="poor", training_need=True, intention="none"
    )
    people(make_household, TOWN_A, 1, status="poor", training_need=False, intention="none")
    FollowUpVisit.objects.create(
        person=p1, village_code=p1.village_code, visited_on=dt.date(2018, 1, 15)
    )
    FollowUpVisit.objects.create(
        person=p2, village_code=p2.village_code, visited_on=dt.date(2017, 12, 31)
    )
    fig = figures(indicators, county_user, ["visits_on_time"])["visits_on_time"]
    assert fig.pair(TOWN_A) == (1, 3)


def test_flows_are_counted_in_the_period_and_stocks_up_to_its_end(
    indicators, make_household, county_user
):
    # Placements in March: a hired 3-05 (counts), b hired 2-20 (not in March), c hired 4-01 (not).
    # In work at end of March: a, b.
    a, b, c = people(make_household, TOWN_A, 3, status="poor")
    posting = f.posting(f.employer(TOWN_A), positions=10)
    for person, day in (
        (a, dt.date(2018, 3, 5)),
        (b, dt.date(2018, 2, 20)),
        (c, dt.date(2018, 4, 1)),
    ):
        Referral.objects.create(
            person=person,
            village_code=person.village_code,
            posting=posting,
            referred_on=day,
            hired_on=day,
            status="hired",
        )
    # Job fairs: 2 in 浮梁镇 in March, 1 in 鹅湖镇 in March, 1 in 鹅湖镇 in May.
    for town, day in ((TOWN_A, 3), (TOWN_A, 20), (TOWN_B, 9)):
        JobFair.objects.create(
            area_code=town.ljust(12, "0"), title="招聘会", held_on=dt.date(2018, 3, day), place="镇"
        )
    JobFair.objects.create(
        area_code=TOWN_B.ljust(12, "0"), title="招聘会", held_on=dt.date(2018, 5, 1), place="镇"
    )
    fig = figures(indicators, county_user, ["placements", "in_work", "job_fairs"])
    assert fig["placements"].value(TOWN_A) == 1
    assert fig["in_work"].value(TOWN_A) == 2
    assert (
        fig["job_fairs"].value(TOWN_A) == 2
        and fig["job_fairs"].value(TOWN_B) == 1
        and fig["job_fairs"].value() == 3
    )


def test_persons_out_of_poverty_add_up_household_sizes(indicators, make_household, county_user):
    # Two households exit in March (3 and 2 members), one in April (4): March → 2 households, 5 persons.
    for size, day in (
        (3, dt.date(2018, 3, 1)),
        (2, dt.date(2018, 3, 31)),
        (4, dt.date(2018, 4, 1)),
    ):
        hh = make_household(TOWN_B, members=size)
        StatusChange.objects.create(
            household=hh,
            village_code=hh.village_code,
            old_status="poor",
            new_status="exited_policy",
            effective_date=day,
            reason="脱贫",
        )
    fig = figures(indicators, county_user, ["households_out", "persons_out"])
    assert fig["households_out"].value(TOWN_B) == 2 and fig["persons_out"].value(TOWN_B) == 5
    assert fig["persons_out"].value(TOWN_A) == 0


def test_manual_values_sum_over_the_months(indicators, county_user, town_a_user):
    # 示范点 cumulative: January 1 + March 2 = 3 by end of March; 送岗位信息 in March only: 1.
    for code, month, v in (
        ("demo_points", 1, 1),
        ("demo_points", 3, 2),
        ("job_info_visits", 2, 4),
        ("job_info_visits", 3, 1),
    ):
        ManualValue.objects.create(
            indicator=indicators[code],
            area_code=TOWN_A.ljust(12, "0"),
            month=dt.date(2018, month, 1),
            value=v,
            entered_by=town_a_user,
        )
    fig = figures(indicators, county_user, ["demo_points", "job_info_visits"])
    assert fig["demo_points"].value(TOWN_A) == 3 and fig["job_info_visits"].value(TOWN_A) == 1


def test_a_township_counts_only_its_own(indicators, make_household, town_a_user):
    people(make_household, TOWN_A, 2, status="poor")
    people(make_household, TOWN_B, 5, status="poor")
    fig = figures(indicators, town_a_user, ["medical_coverage"])["medical_coverage"]
    assert set(fig.den) == {TOWN_A} and fig.den[TOWN_A] == 2


@pytest.mark.parametrize(
    "numerator, message",
    [
        ({"model": "access.User"}, "数据表“access.User”不能用于指标"),
        ({"model": "nope.Nothing"}, "数据表“nope.Nothing”不存在"),
        ({"model": "registry.Person", "filter": {"referrals__status": "hired"}}, "经过一对多关系"),
        (
            {"model": "employment.Referral", "filter": {"created_by__password__startswith": "p"}},
            "不能引用用户",
        ),
        ({"model": "registry.Person", "colour": "red"}, "无法识别的项：colour"),
        ({"model": "registry.Person", "filter": {"no_such_field": 1}}, "条件无法使用"),
        (
            {"model": "registry.Person", "filter": {"status": {"param": "employment.nothing"}}},
            "政策包中没有参数",
        ),
        (
            {"model": "registry.Person", "filter": {"birth_date__lte": {"period": "yesterday"}}},
            "period 应为 start 或 end",
        ),
        (
            {
                "model": "registry.Person",
                "linked_any": [{"model": "employment.Referral", "link": "posting"}],
            },
            "不指向家庭成员",
        ),
    ],
)
def test_definitions_that_cannot_be_evaluated_are_refused_in_chinese(db, numerator, message):
    with pytest.raises(IndicatorError, match=message):
        validate(Indicator(code="x", name="测试指标", numerator=numerator))


def test_a_county_adds_an_indicator_as_data(db, tmp_path, make_household, county_user):
    # A new indicator written only in a YAML file: disabled persons of working intention.
    path = tmp_path / "extra.yaml"
    path.write_text(
        "- code: disabled_willing\n  name: 有就业意愿的残疾人\n  unit: 人\n  cumulative: true\n  source_doc: '002'\n"
        "  source_text: 对大龄、妇女、残疾人等难以外出就业的贫困人员\n"
        "  numerator: {model: registry.Person, filter: {health: disabled, intention__in: [local, migrate]}}\n",
        encoding="utf-8",
    )
    assert load_indicators(path) == 1
    people(make_household, TOWN_A, 2, health="disabled", intention="local")
    people(make_household, TOWN_A, 1, health="healthy", intention="local")
    ind = Indicator.objects.get(code="disabled_willing")
    assert (
        evaluate([ind], user=county_user, start=MARCH[0], end=MARCH[1])["disabled_willing"].value(
            TOWN_A
        )
        == 2
    )


def test_a_bad_file_loads_nothing(db, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "- code: ok_one\n  name: 好的\n  numerator: {model: registry.Person}\n"
        "- code: bad_one\n  name: 坏的\n  numerator: {model: access.User}\n",
        encoding="utf-8",
    )
    with pytest.raises(IndicatorError, match="不能用于指标"):
        load_indicators(path)
    assert not Indicator.objects.filter(code="ok_one").exists()


def test_premiums_paid_by_government_count_the_years_list(indicators, make_household, county_user):
    # 2018 pension list: 2 entitled in 浮梁镇 (100 元 each), 1 excluded; a 2017 entry does not count in 2018.
    from fupin.insurance.models import SubsidyEntry, SubsidyRun

    run = SubsidyRun.objects.create(
        year=2018, insurance="pension", area_code="360222", pack_id="fuliang-2018", state="done"
    )
    p1, p2, p3 = people(make_household, TOWN_A, 3, status="poor")
    for person, outcome, year in (
        (p1, "entitled", 2018),
        (p2, "entitled", 2018),
        (p3, "excluded", 2018),
        (p3, "entitled", 2017),
    ):
        SubsidyEntry.objects.create(
            year=year,
            insurance="pension",
            person=person,
            village_code=person.village_code,
            outcome=outcome,
            amount_fen=10000 if outcome == "entitled" else 0,
            run=run,
        )
    fig = figures(indicators, county_user, ["premium_paid_persons", "premium_paid_amount"])
    assert fig["premium_paid_persons"].value(TOWN_A) == 2
    assert fig["premium_paid_amount"].value(TOWN_A) == 20000  # fen: 2 × 100 元


def test_complaints_filed_and_answered_are_counted_per_township_in_the_month(
    indicators, make_household, county_user
):
    # 浮梁镇: 2 filed in March (one answered on 20 March), 1 filed in February and answered 2 March.
    # 鹅湖镇: 1 filed in March, unanswered; 1 filed in April. → filed: A 2, B 1; answered: A 2, B 0.
    from fupin.complaints import services as complaints

    a = people(make_household, TOWN_A, 1, status="poor")[0]
    b = people(make_household, TOWN_B, 1, status="poor")[0]

    def filed(person, day):
        return complaints.file_by_staff(
            user=county_user, person=person, village_code="", kind="request", category="pension",
            channel="phone", subject="养老金到账时间", content="询问养老金每月何时到账",
            now=dt.datetime(2018, *day, 9, tzinfo=dt.UTC),
        )  # fmt: skip

    def answered(c, day):
        complaints.answer(
            user=county_user, complaint=c, text="每月 10 日前发放",
            now=dt.datetime(2018, *day, 9, tzinfo=dt.UTC),
        )  # fmt: skip

    answered(filed(a, (3, 5)), (3, 20))
    filed(a, (3, 28))
    answered(filed(a, (2, 10)), (3, 2))
    filed(b, (3, 15))
    filed(b, (4, 2))

    fig = figures(indicators, county_user, ["complaints_filed", "complaints_answered"])
    assert (fig["complaints_filed"].value(TOWN_A), fig["complaints_filed"].value(TOWN_B)) == (2, 1)
    assert (fig["complaints_answered"].value(TOWN_A), fig["complaints_answered"].value(TOWN_B)) == (
        2,
        0,
    )
