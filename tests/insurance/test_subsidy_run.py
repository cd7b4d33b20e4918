"""The yearly 代缴 run: golden cases per region worked by hand from the documents' rules (the
arithmetic in comments), exclusions, back-pay and early pension, last year's 新增/减少,
idempotency, all-or-nothing, bad input."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from fupin.insurance import services
from fupin.insurance.models import (
    EnrolmentRecord,
    MedicalEnrolment,
    PensionRecord,
    SubsidyChange,
    SubsidyEntry,
    SubsidyRun,
)
from tests.conftest import TOWN_A, TOWN_B

from .factories import person

pytestmark = pytest.mark.django_db


def run(year, insurance, pack):
    r = services.create_run(user=None, year=year, insurance=insurance, pack_id=pack)
    services.execute_run(r)
    r.refresh_from_db()
    assert r.state == "done", r.message
    return r


def entry(p, year, insurance, scheme="premium"):
    e = SubsidyEntry.objects.get(person=p, year=year, insurance=insurance, scheme=scheme)
    return (
        (e.outcome, e.rule if e.outcome == "entitled" else e.reason, e.amount_fen)
        if scheme != "back_pay"
        else (e.outcome, e.reason, e.years, e.amount_fen)
    )


# ---- 浮梁县 (004): medical premium paid in full at the national standard ----


def test_fuliang_medical_2018_golden(areas):
    poor = person(status="poor")
    exited_policy = person(status="exited_policy")
    exited = person(status="exited")
    dead = person(status="removed", removal_reason="death")
    moved = person(status="removed", removal_reason="moved")
    self_paid = person(status="poor")
    MedicalEnrolment.objects.create(
        person=self_paid, year=2018, village_code=self_paid.village_code, paid_by="self"
    )
    dead_in_extract = person(status="poor")
    EnrolmentRecord.objects.create(
        id_number=dead_in_extract.id_number,
        name="x",
        area_code=dead_in_extract.village_code,
        village_code=dead_in_extract.village_code,
        insurance="medical",
        enrolment_status="terminated",
        deceased=True,
    )
    r = run(2018, "medical", "fuliang-2018")
    # 2018 national individual premium 220 元 × 100% (全额补助) = 220.00 元 = 22000 分.
    assert entry(poor, 2018, "medical") == ("entitled", "poor", 22000)
    # 已脱贫（享受政策）: still 建档立卡, same 220 元.
    assert entry(exited_policy, 2018, "medical") == ("entitled", "exited_policy", 22000)
    assert entry(exited, 2018, "medical") == ("excluded", "exited", 0)
    assert entry(dead, 2018, "medical") == ("excluded", "deceased", 0)
    assert entry(moved, 2018, "medical") == ("excluded", "moved", 0)
    assert entry(self_paid, 2018, "medical") == ("excluded", "paid", 0)
    assert entry(dead_in_extract, 2018, "medical") == ("excluded", "deceased", 0)
    s = r.counts["by_scheme"]["premium"]
    # 2 entitled × 22000 = 44000 分.
    assert (s["entitled"], s["excluded"], s["amount_fen"]) == (2, 5, 44000)
    assert "浮人社发[2018]6号" in r.rules["poor"]["source"]
    assert "004_aa2e4d087a25c1cc.txt" not in r.rules["poor"]["source"]
    assert r.rules["poor"]["rule"] == "fuliang-2018 subsidy.medical.entitled.poor"


def test_fuliang_medical_2017_uses_the_2017_standard(areas):
    poor = person(status="poor")
    run(2017, "medical", "fuliang-2018")
    # 2017: 180 元 × 100% = 18000 分.
    assert entry(poor, 2017, "medical") == ("entitled", "poor", 18000)


def test_fuliang_pension_2018_ages_back_pay_and_early_pension(areas):
    ref = dt.date(2018, 1, 1)  # age counted on 1 January of the year (age_reference 01-01)
    adult = person(born=dt.date(1980, 3, 1))
    child = person(born=dt.date(2003, 1, 2))  # 14 on 2018-01-01: under 16
    sixteen = person(born=dt.date(2002, 1, 1))  # exactly 16 on 2018-01-01: pays
    sixty = person(born=dt.date(1958, 1, 1))  # exactly 60: over age → back-pay list
    drawing = person(born=dt.date(1950, 1, 1))
    PensionRecord.objects.create(
        person=drawing,
        village_code=drawing.village_code,
        status="drawing",
        drawing_since=dt.date(2010, 2, 1),
        monthly_amount_fen=9500,
    )
    old_short = person(born=dt.date(1952, 6, 1), status="exited_policy")
    PensionRecord.objects.create(
        person=old_short,
        village_code=old_short.village_code,
        status="paying",
        tier_fen=10000,
        paid_year=2017,
        paid_by="self",
        years_paid=6,
    )
    old_full = person(born=dt.date(1953, 6, 1))
    PensionRecord.objects.create(
        person=old_full,
        village_code=old_full.village_code,
        status="paying",
        tier_fen=10000,
        paid_year=2017,
        paid_by="self",
        years_paid=15,
    )
    early = person(born=dt.date(1961, 6, 1))  # 56 on 2018-01-01: within 5 years of 60
    not_early = person(born=dt.date(1963, 1, 2))  # 54: more than 5 years before 60
    assert ref.year - early.birth_date.year - 1 == 56
    r = run(2018, "pension", "fuliang-2018")
    # 最低档次 100 元 × 100% (政府兜底) = 10000 分.
    assert entry(adult, 2018, "pension") == ("entitled", "poor", 10000)
    assert entry(sixteen, 2018, "pension") == ("entitled", "poor", 10000)
    assert entry(child, 2018, "pension") == ("excluded", "under_age", 0)
    assert entry(sixty, 2018, "pension") == ("excluded", "over_age", 0)
    assert entry(drawing, 2018, "pension") == ("excluded", "drawing", 0)
    # 补缴: 15 − 6 = 9 years × 100 元 = 900 元 = 90000 分; no years paid: 15 × 100 元 = 150000 分.
    assert entry(old_short, 2018, "pension", "back_pay") == ("entitled", "", 9, 90000)
    assert entry(sixty, 2018, "pension", "back_pay") == ("entitled", "", 15, 150000)
    assert entry(old_full, 2018, "pension", "back_pay") == ("excluded", "enough_years", 0, 0)
    assert entry(drawing, 2018, "pension", "back_pay") == ("excluded", "drawing", 0, 0)
    assert not SubsidyEntry.objects.filter(person=adult, scheme="back_pay").exists()
    # 提前 5 年: ages 55–59 on 2018-01-01.
    assert entry(early, 2018, "pension", "early_pension") == ("entitled", "early_pension", 0)
    assert not SubsidyEntry.objects.filter(person=not_early, scheme="early_pension").exists()
    assert r.counts["by_scheme"]["back_pay"]["amount_fen"] == 90000 + 150000


# ---- 吉林省 (003): minimum tier kept when it rises, only 未标注脱贫, 低保/特困 ----


def test_jilin_pension_2018_keeps_the_2017_minimum_tier(areas):
    poor = person()
    exited_policy = person(status="exited_policy")
    dibao_exited = person(status="exited", dibao=True)
    tekun = person(status="exited", tekun=True)
    run(2018, "pension", "jilin-2017")
    # The minimum tier rose to 200 元 in 2018 (assumed), but 003 keeps the current (2017) 100 元 tier:
    # 100 元 × 100% = 10000 分, not 20000.
    assert entry(poor, 2018, "pension") == ("entitled", "poor", 10000)
    # 003 pays for 建档立卡「未标注脱贫」 only: someone marked exited is not covered unless 低保/特困.
    assert entry(exited_policy, 2018, "pension") == ("excluded", "not_covered", 0)
    assert entry(dibao_exited, 2018, "pension") == ("entitled", "dibao", 10000)
    assert entry(tekun, 2018, "pension") == ("entitled", "tekun", 10000)


def test_jilin_has_no_account_subsidy_amount(areas):
    old = person(born=dt.date(1940, 1, 1))
    PensionRecord.objects.create(
        person=old,
        village_code=old.village_code,
        status="drawing",
        drawing_since=dt.date(2005, 1, 1),
    )
    r = run(2018, "pension", "jilin-2017")
    # 003 says 可以给予 a one-time subsidy but names no amount: nothing is computed.
    assert not SubsidyEntry.objects.filter(scheme="account_subsidy").exists()
    assert "account_subsidy" not in r.rules


# ---- 清城区 (002): 重残 1–3 级 and 五保 in full; other poor 50% (assumed share) ----


def test_qingcheng_pension_2018_golden(areas):
    poor = person()
    grade3 = person(status="exited", disability_grade=3, disability_type="physical")
    grade4 = person(status="exited", disability_grade=4, disability_type="physical")
    wubao_poor = person(wubao=True)
    run(2018, "pension", "qingcheng-2018")
    # 180 元 × 50% = 90 元 = 9000 分.
    assert entry(poor, 2018, "pension") == ("entitled", "poor", 9000)
    # 残疾一至三级 全额: 180 元 × 100% = 18000 分.
    assert entry(grade3, 2018, "pension") == ("entitled", "disability_1_3", 18000)
    assert entry(grade4, 2018, "pension") == ("excluded", "exited", 0)
    # 五保 and poor at once: the larger (五保 full, 18000) wins over 9000.
    assert entry(wubao_poor, 2018, "pension") == ("entitled", "wubao", 18000)


def test_qingcheng_medical_benefits_from_the_next_month(areas, county_user):
    p = person()
    rec = services.update_medical(
        user=county_user,
        person=p,
        year=2018,
        reason="年中参保",
        pack_id="qingcheng-2018",
        enrolled_on=dt.date(2018, 6, 15),
        paid_by="government",
    )
    # 002: 从参保缴费次月起享受 — paid 15 June → benefits from 1 July.
    assert rec.benefits_from == dt.date(2018, 7, 1)
    rec = services.update_medical(
        user=county_user,
        person=p,
        year=2019,
        reason="年末缴费",
        pack_id="qingcheng-2018",
        enrolled_on=dt.date(2018, 12, 20),
        paid_by="government",
    )
    # Paid 20 December 2018 for 2019 → the month after is January 2019.
    assert rec.benefits_from == dt.date(2019, 1, 1)
    # 济宁 2016 has no such rule (assumed: the day of payment).
    rec = services.update_medical(
        user=county_user,
        person=p,
        year=2016,
        reason="参保",
        pack_id="jining-2016",
        enrolled_on=dt.date(2016, 3, 9),
        paid_by="government",
    )
    assert rec.benefits_from == dt.date(2016, 3, 9)


# ---- 济宁 (000, 001) ----


def test_jining_2016_medical_excludes_the_exited(areas):
    poor = person()
    exited_policy = person(status="exited_policy")
    run(2016, "medical", "jining-2016")
    # 000: 150 元 (2016 standard, assumed) × 100% = 15000 分; the exited lose the tag (注销扶贫对象的标示).
    assert entry(poor, 2016, "medical") == ("entitled", "poor", 15000)
    assert entry(exited_policy, 2016, "medical") == ("excluded", "not_covered", 0)


def test_jining_2020_pension_severe_disability_and_early_pension(areas):
    severe = person(status="exited", disability_grade=2, disability_type="visual")
    grade3 = person(status="exited", disability_grade=3, disability_type="visual")
    early = person(born=dt.date(1962, 6, 1))  # 57 on 2020-01-01
    run(2020, "pension", "jining-2020")
    # 001: 重度残疾人最低缴费档次全额补贴: 100 元 × 100% = 10000 分.
    assert entry(severe, 2020, "pension") == ("entitled", "disability_1_2", 10000)
    assert entry(grade3, 2020, "pension") == ("excluded", "exited", 0)
    # 001: 允许提前5年领取养老金: 57 is within 60 − 5 = 55 … 59.
    assert entry(early, 2020, "pension", "early_pension") == ("entitled", "early_pension", 0)


# ---- last year's list: 新增 / 减少 with reasons ----


def test_changes_from_last_year(areas):
    stays = person()
    leaves = person()
    paid_last_year = person()
    MedicalEnrolment.objects.create(
        person=paid_last_year, year=2017, village_code=paid_last_year.village_code, paid_by="self"
    )
    first = run(2018, "medical", "fuliang-2018")
    assert first.counts["previous"] is False  # no 2017 list yet
    run(2017, "medical", "fuliang-2018")
    type(leaves).objects.filter(pk=leaves.pk).update(status="exited")
    newcomer = person()
    second = run(2018, "medical", "fuliang-2018")
    changes = {
        (c.person_id, c.change, c.reason)
        for c in SubsidyChange.objects.filter(year=2018, insurance="medical")
    }
    assert changes == {
        (leaves.pk, "removed", "exited"),
        (newcomer.pk, "added", ""),  # not on last year's list at all
        (paid_last_year.pk, "added", "paid"),  # paid the premium himself last year
    }
    assert (second.counts["added"], second.counts["removed"]) == (2, 1)
    assert stays.pk not in {c[0] for c in changes}


def test_running_twice_changes_nothing(areas):
    for status in ("poor", "exited", "exited_policy"):
        person(status=status)
    person(born=dt.date(1950, 1, 1))
    run(2017, "pension", "fuliang-2018")

    def state():
        return (
            sorted(
                SubsidyEntry.objects.values_list(
                    "year",
                    "insurance",
                    "scheme",
                    "person_id",
                    "village_code",
                    "outcome",
                    "rule",
                    "reason",
                    "amount_fen",
                    "years",
                )
            ),
            sorted(
                SubsidyChange.objects.values_list(
                    "year", "insurance", "person_id", "change", "reason", "detail"
                )
            ),
        )

    run(2018, "pension", "fuliang-2018")
    before = state()
    again = run(2018, "pension", "fuliang-2018")
    assert state() == before
    assert again.counts["added"] == 0 and again.counts["removed"] == 0
    assert again.counts["written"] == {"inserted": 0, "updated": 0, "deleted": 0}


def test_a_township_run_leaves_the_other_township_alone(areas, town_a_user):
    a, b = person(TOWN_A), person(TOWN_B)
    run(2018, "medical", "fuliang-2018")
    before_b = list(SubsidyEntry.objects.filter(person=b).values_list("id", "amount_fen"))
    r = services.create_run(
        user=town_a_user, year=2018, insurance="medical", pack_id="fuliang-2018"
    )
    services.execute_run(r, user=town_a_user)
    assert r.area_code == TOWN_A
    r.refresh_from_db()
    # Nothing changed for 甲镇 since the county's run: nothing is written.
    assert r.counts["written"] == {"inserted": 0, "updated": 0, "deleted": 0}
    type(a).objects.filter(pk=a.pk).update(status="exited")
    r2 = services.create_run(
        user=town_a_user, year=2018, insurance="medical", pack_id="fuliang-2018"
    )
    services.execute_run(r2, user=town_a_user)
    assert r2.counts["written"] == {"inserted": 0, "updated": 1, "deleted": 0}
    assert SubsidyEntry.objects.get(person=a, scheme="premium").run_id == r2.pk
    assert list(SubsidyEntry.objects.filter(person=b).values_list("id", "amount_fen")) == before_b


def test_a_failing_run_changes_nothing(areas, monkeypatch):
    person()
    first = run(2018, "medical", "fuliang-2018")
    before = sorted(SubsidyEntry.objects.values_list("id", "run_id", "amount_fen"))
    from fupin.insurance import entitlements

    real = entitlements._changes

    def broken(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr(entitlements, "_changes", broken)
    r = services.create_run(user=None, year=2018, insurance="medical", pack_id="fuliang-2018")
    with pytest.raises(RuntimeError):
        services.execute_run(r)
    r.refresh_from_db()
    assert r.state == "failed" and "磁盘已满" in r.message
    assert sorted(SubsidyEntry.objects.values_list("id", "run_id", "amount_fen")) == before
    assert first.pk != r.pk


# ---- the command and bad input ----


def test_command_prints_the_list_in_chinese(areas):
    person()
    person(status="exited")
    out = io.StringIO()
    call_command("subsidy", "run", "--year", "2018", "--insurance", "medical", stdout=out)
    text = out.getvalue()
    assert "2018 年度城乡居民基本医疗保险代缴名单" in text
    assert "应列入 1 人，合计 220.00 元" in text
    assert "已脱贫（不再享受政策）：1 人" in text
    assert "exited" not in text and "poor" not in text


@pytest.mark.parametrize(
    ("year", "insurance", "message"),
    [
        ("2031", "medical", "没有 2031 年度的医疗保险个人缴费标准"),
        ("2016", "pension", "没有 2016 年度的养老保险最低缴费档次"),
        ("二零一八", "medical", "年度应为四位数字年份"),
        ("99999999999999999999", "medical", "超出范围"),
        ("2018", "dental", "险种应为 medical（医疗保险）或 pension（养老保险）"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_changes_nothing(areas, year, insurance, message):
    person()
    with pytest.raises(CommandError, match=message):
        call_command(
            "subsidy", "run", "--year", year, "--insurance", insurance, stdout=io.StringIO()
        )
    assert not SubsidyEntry.objects.exists() and not SubsidyRun.objects.exists()


def test_unknown_pack_is_refused(areas):
    with pytest.raises(CommandError, match="未知政策包"):
        call_command(
            "subsidy",
            "run",
            "--year",
            "2018",
            "--insurance",
            "medical",
            "--policy",
            "nowhere-2018",
            stdout=io.StringIO(),
        )
