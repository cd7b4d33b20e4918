"""/api/v1/policies and /api/v1/settlements/quote through the real API object."""

import json

import pytest

CLAIM = {
    "visit_type": "inpatient",
    "hospital_level": 2,
    "admission_date": "2018-03-01",
    "total_cost": "50000",
    "in_policy_cost": 40000,
    "disease_code": "C34",
}


def post(client, body):
    return client.post(
        "/api/v1/settlements/quote", json.dumps(body), content_type="application/json"
    )


def test_api_needs_login(client, db):
    assert client.get("/api/v1/policies").status_code == 401


def test_policies_list_and_detail(staff_client):
    listing = staff_client.get("/api/v1/policies").json()
    assert {p["id"] for p in listing} >= {
        "jining-2016",
        "jining-2020",
        "qingcheng-2018",
        "jilin-2017",
        "fuliang-2018",
    }
    jining = next(p for p in listing if p["id"] == "jining-2020")
    assert jining["inherits"] == "jining-2016" and "medical" in jining["sections"]

    detail = staff_client.get("/api/v1/policies/jining-2020").json()
    by_path = {p["path"]: p for p in detail["parameters"]}
    cap = by_path["medical.critical.variants.poor.annual_cap"]
    assert cap["value"] is None and cap["effective_from"] == "2020-01-01"
    assert cap["source_file"] == "001_c70914cbd2f43b05.txt" and "取消最高支付限额" in cap["quote"]
    inherited = by_path["medical.inpatient.variants.poor.ratio"]
    assert inherited["value"] == {"1": "90%", "2": "80%", "3": "65%"}
    assert inherited["effective_from"] == "2016-01-01"
    assert by_path["medical.critical.threshold"]["assumed"]


def test_unknown_policy_is_404_in_chinese(staff_client):
    r = staff_client.get("/api/v1/policies/atlantis")
    assert r.status_code == 404 and "未知政策包" in r.json()["detail"]


def test_quote_returns_split_and_trail(staff_client):
    r = post(staff_client, {"policy": "fuliang-2018", "category": "poor", "claims": [CLAIM]})
    assert r.status_code == 200, r.content
    body = r.json()
    claim = body["claims"][0]
    # Worked in tests/policy/test_golden.py F-01 (fuliang poor, lung cancer, level 2: the fixed
    # quota of 80% of the total paid by basic insurance, the fifth line down to 10%).
    assert [
        claim[k]
        for k in ("basic_pay", "critical_pay", "assistance_pay", "fallback_pay", "self_pay")
    ] == ["40000.00", "0.00", "0.00", "5000.00", "5000.00"]
    layers = [s["layer"] for s in claim["steps"]]
    assert layers[:3] == ["政策范围外费用", "基本医疗保险", "大病保险"] and layers[-1] == "个人自付"
    assert any("第五条保障线" in s["rule"] for s in claim["steps"])
    assert "依据" in claim["explanation"]
    assert body["totals"]["self_pay"] == "5000.00"


def test_quote_accumulates_one_persons_year(staff_client):
    # 济宁 2016 general chronic class A: the 500 deductible is met once a year.
    chronic = {
        "visit_type": "chronic_outpatient",
        "hospital_level": 1,
        "chronic_class": "A",
        "total_cost": 400,
        "in_policy_cost": 400,
    }
    claims = [
        {**chronic, "admission_date": "2016-02-01"},
        {**chronic, "admission_date": "2016-03-01"},
    ]
    body = post(
        staff_client, {"policy": "jining-2016", "category": "general", "claims": claims}
    ).json()
    # First 400 all under the deductible; second: (800 − 500) × 70% = 210.
    assert [c["basic_pay"] for c in body["claims"]] == ["0.00", "210.00"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"total_cost": "-5"}, "claims.0.total_cost", "金额不能为负数"),
        ({"in_policy_cost": "60000"}, "claims.0.in_policy_cost", "大于总费用"),
        ({"hospital_level": 7}, "claims.0.hospital_level", "医院级别应为 1、2 或 3"),
        ({"visit_type": "dental"}, "claims.0.visit_type", "未知就诊类型 dental"),
        ({"admission_date": "2018-13-01"}, "claims.0.admission_date", "日期“2018-13-01”不存在"),
        ({"total_cost": "abc"}, "claims.0.total_cost", "应为数字"),
    ],
)
def test_quote_faults_are_422_with_chinese_field_messages(staff_client, change, field, message):
    r = post(
        staff_client,
        {"policy": "fuliang-2018", "category": "poor", "claims": [{**CLAIM, **change}]},
    )
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert any(message in m for m in errors[field]), errors


def test_quote_unknown_category_and_policy_are_422(staff_client):
    r = post(staff_client, {"policy": "fuliang-2018", "category": "rich", "claims": [CLAIM]})
    assert r.status_code == 422 and "未知人员类别 rich" in r.json()["errors"]["category"][0]
    r = post(staff_client, {"policy": "atlantis", "category": "poor", "claims": [CLAIM]})
    assert r.status_code == 422 and "未知政策包" in r.json()["errors"]["policy"][0]
    r = post(staff_client, {"policy": "fuliang-2018", "category": "poor", "claims": []})
    assert r.status_code == 422 and "claims" in r.json()["errors"]
