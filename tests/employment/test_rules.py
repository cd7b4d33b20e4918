"""Employment parameters in the policy packs, against the documents' numbers."""

import pytest

from fupin.creditcode import CreditCodeError, make_credit_code, parse_credit_code
from fupin.policy.employment import rules
from fupin.startup.services import StartupError, check_loan


def test_fuliang_amounts_from_004():
    r = rules("fuliang-2018")
    assert r.workshop_award_per_worker_year.value == 1000_00
    assert r.job_seeking_subsidy_on_certificate.value == 500_00
    assert r.startup_subsidy.value == 5000_00
    assert r.startup_subsidy_min_months.value == 6
    assert r.loan_limits.value == {
        "individual": 10_0000_00,
        "partnership": 50_0000_00,
        "small_firm": 400_0000_00,
    }
    assert r.loan_without_guarantee_limit.value is None
    assert "004" in r.workshop_award_per_worker_year.source.file
    assert (
        r.employer_post_subsidy_monthly.value is None
        and "按规定给予" in r.employer_post_subsidy_monthly.source.quote
    )


def test_qingcheng_trains_everyone_once_and_defines_no_loans():
    r = rules("qingcheng-2018")
    assert r.trainings_per_willing_person.value == 1 and r.follow_up_months.value == 12
    with pytest.raises(StartupError, match="未规定"):
        check_loan(pack_id="qingcheng-2018", kind="individual", guaranteed=True, principal_fen=100)


def test_jining_amounts_from_000():
    r = rules("jining-2016")
    assert r.loan_limits.value == {"individual": 15_0000_00}
    assert r.loan_without_guarantee_limit.value == 2_0000_00
    assert r.loan_interest_subsidy_ratio.value == 10000 and r.loan_interest_subsidy_years.value == 2
    assert r.recommendations_per_person.value == 10
    assert r.follow_up_months.value == 3
    assert rules("jining-2020").loan_limits.value == r.loan_limits.value  # inherited


def test_every_quote_is_in_its_document(seeds):
    for pack in ("fuliang-2018", "jining-2016", "qingcheng-2018"):
        r = rules(pack)
        for name in type(r).model_fields:
            src = getattr(r, name).source
            if src.file:
                text = "".join((seeds / src.file).read_text(encoding="utf-8").split())
                assert "".join(src.quote.split()) in text, f"{pack}.{name}"


def test_credit_code():
    assert parse_credit_code("91350100m000100y43") == "91350100M000100Y43"
    with pytest.raises(CreditCodeError, match="校验码错误，应为3"):
        parse_credit_code("91350100M000100Y44")
    with pytest.raises(CreditCodeError, match="18位"):
        parse_credit_code("9135010")
    with pytest.raises(CreditCodeError, match="非法字符“I”"):
        parse_credit_code("91350100I000100Y43")
    assert parse_credit_code(make_credit_code("92360222ABCDEFGH1"))
