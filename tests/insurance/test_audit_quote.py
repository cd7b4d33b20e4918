"""Held-out style checks of POST /api/v1/settlements/quote for the document rules of 003 (Jilin):
住院分娩 as a visit type, the 20 rehabilitation items (rehab_cost) and 转院连续计算起付线 (transfer)
must reach the engine through the API as they do through `fupin settle`. Worked by hand on
jilin-2017 (deductible 200/400/800*, ratio 85/75/65%*)."""

import pytest

from tests.conftest import login


def claim(**kw):
    return {
        "visit_type": "inpatient",
        "hospital_level": 2,
        "admission_date": "2018-03-01",
        "total_cost": "10000",
        "in_policy_cost": "6000",
    } | kw


def test_maternity_is_a_visit_type_of_the_api(county_user):
    # (5000 − 400) × 75% = 3450
    r = login(county_user).post(
        "/api/v1/settlements/quote",
        {
            "policy": "jilin",
            "category": "general",
            "claims": [claim(visit_type="maternity", total_cost="5000", in_policy_cost="5000")],
        },
        content_type="application/json",
    )
    assert r.status_code == 200, r.content.decode()
    assert "3450.00" in r.content.decode()


def _basic(c, claims, category):
    r = c.post(
        "/api/v1/settlements/quote",
        {"policy": "jilin", "category": category, "claims": claims},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content.decode()
    return [q["basic_pay"] for q in r.json()["claims"]]


def test_rehabilitation_items_reach_the_engine(county_user):
    # in policy 6000 + rehab 1000 = 7000: (7000 − 400) × 75% = 4950.00 (without: 4200.00)
    c = login(county_user)
    assert _basic(c, [claim(rehab_cost="1000")], "general") == ["4950.00"]


def test_a_transfer_reaches_the_engine(county_user):
    # level 2: (10000 − 400) × 75% = 7200; transferred to level 3: 800 − 400 = 400 →
    # (10000 − 400) × 65% = 6240.00 (charged the whole 800 again: 5980.00)
    c = login(county_user)
    claims = [
        claim(total_cost="10000", in_policy_cost="10000"),
        claim(
            hospital_level=3,
            admission_date="2018-03-05",
            total_cost="10000",
            in_policy_cost="10000",
            transfer=True,
        ),
    ]
    assert _basic(c, claims, "poor") == ["7200.00", "6240.00"]


def test_a_claim_outside_every_period_is_refused_naming_date_and_periods(county_user):
    r = login(county_user).post(
        "/api/v1/settlements/quote",
        {
            "policy": "jining",
            "category": "poor",
            "claims": [claim(), claim(admission_date="2015-12-31")],
        },
        content_type="application/json",
    )
    assert r.status_code == 422
    why = " ".join(r.json()["errors"]["claims.1.admission_date"])
    for words in ["2015-12-31", "2016-01-01 至 2019-12-31", "2020-01-01 起"]:
        assert words in why, why


def _faults(c, claims, category="general"):
    r = c.post(
        "/api/v1/settlements/quote",
        {"policy": "jilin", "category": category, "claims": claims},
        content_type="application/json",
    )
    assert r.status_code == 422, r.content.decode()
    return r.json()["errors"]


@pytest.mark.parametrize(
    "rehab, words",
    [
        ("4000.01", "大于政策范围外费用"),  # out of policy: 10000 − 6000 = 4000
        ("-1", "不能为负数"),
        ("10.005", "最多两位小数"),
    ],
)
def test_a_bad_rehabilitation_cost_is_refused_by_the_engines_rules(county_user, rehab, words):
    errors = _faults(
        login(county_user), [claim(), claim(admission_date="2018-04-01", rehab_cost=rehab)]
    )
    assert list(errors) == ["claims.1.rehab_cost"], errors
    assert words in " ".join(errors["claims.1.rehab_cost"])


def test_rehabilitation_cost_up_to_the_out_of_policy_part_is_taken(county_user):
    # 6000 + 4000 = 10000 in scope: (10000 − 400) × 75% = 7200.00
    assert _basic(login(county_user), [claim(rehab_cost="4000.00")], "general") == ["7200.00"]


def test_a_transfer_on_a_chronic_outpatient_claim_is_refused_as_in_a_file(county_user):
    chronic = claim(visit_type="chronic_outpatient", chronic_class="M", transfer=True)
    chronic.update(hospital_level=1, total_cost="800", in_policy_cost="800")
    errors = _faults(login(county_user), [chronic])
    assert errors == {"claims.0.transfer": ["门诊慢性病不能标为转院接续"]}, errors


@pytest.mark.parametrize("value", ["yes", 1, "1", None])
def test_transfer_is_a_json_boolean(county_user, value):
    errors = _faults(login(county_user), [claim(transfer=value)])
    assert list(errors) == ["claims.0.transfer"] and "是/否" in errors["claims.0.transfer"][0]
