"""Issue 10 "done when", checked as a held-out tester would: a poor person goes through the whole
appraisal by the API (notice → application by the village assistant → appraisal → public notice
→ certificate), then a hospital file is imported and the chronic-outpatient claim is settled with
the certificate's class and the category of that day. Figures worked by hand below."""

import pytest

from fupin.access.models import AuditEntry
from fupin.insurance.claims import imports
from fupin.insurance.claims.models import ImportState, MedicalClaim
from fupin.registry.models import Person
from tests.conftest import TOWN_A, login

HEADER = "结算单号,身份证号,姓名,医院名称,就诊类型,医院级别,疾病编码,入院日期,总费用,政策范围内费用"


def post(c, url, body):
    r = c.post(url, body, content_type="application/json")
    assert r.status_code in (200, 201), (url, r.content.decode())
    return r.json()


@pytest.fixture
def person(make_household):
    return Person.objects.filter(household=make_household(TOWN_A, members=1)).get()


def test_from_notice_to_a_settled_chronic_claim(town_a_user, person):
    c = login(town_a_user)
    post(c, f"/api/v1/appraisal/persons/{person.pk}/notice", {"day": "2018-02-26"})
    app = post(
        c,
        f"/api/v1/appraisal/persons/{person.pk}/applications",
        {
            "chronic_class": "I",
            "diseases": ["尿毒症透析"],
            "day": "2018-03-01",
            "applicant": "assistant",
        },
    )
    post(
        c,
        f"/api/v1/appraisal/applications/{app['id']}/conclusion",
        {"approved": True, "day": "2018-03-05", "appraiser": "县医保局专家组"},
    )
    cert = post(c, f"/api/v1/appraisal/applications/{app['id']}/certificate", {"day": "2018-03-12"})
    assert (cert["chronic_class"], cert["valid_from"]) == ("I", "2018-03-12")
    trail = list(
        AuditEntry.objects.filter(user=town_a_user).order_by("id").values_list("summary", flat=True)
    )
    for words in ["鉴定通知", "村协理员代为申请", "鉴定结论", "发放慢性病医疗证"]:
        assert any(words in t for t in trail), (words, trail)
    assert all(person.name in t for t in trail if "慢性病" in t), trail
    assert any(cert["number"] in t for t in trail), (cert["number"], trail)  # not masked

    def row(no, day):
        return f"{no},{person.id_number},{person.name},县人民医院,门诊慢性病,二级,N18,{day},1000.00,1000.00"

    early = imports.stage(
        imports.create_import(
            user=town_a_user,
            filename="结算.csv",
            content="\n".join([HEADER, row("MZ0", "2018-03-11")]).encode(),
        ),
        user=town_a_user,
    )
    faults = [e for r in early.rows.all() for e in r.errors]
    assert faults and "无有效慢性病医疗证" in faults[0][1], faults
    job = imports.stage(
        imports.create_import(
            user=town_a_user,
            filename="结算.csv",
            content="\n".join([HEADER, row("MZ1", "2018-03-12")]).encode(),
        ),
        user=town_a_user,
    )
    assert job.state == ImportState.READY and job.rows_rejected == 0
    imports.merge(job, user=town_a_user)
    claim = MedicalClaim.objects.with_split().get(claim_no="MZ1")
    # By hand (浮人社发[2018]6号): 建档立卡 (新识别) chronic outpatient, Ⅰ类, second-level hospital,
    # no deductible, 80% → basic 1000 × 80% = 800.00; in-policy self-pay 200 is below the halved
    # 大病 threshold (5000) → 0; the fifth line covers inpatients only → self-pay 200.00.
    assert (claim.chronic_class, claim.category) == ("I", "poor")
    split = claim.split
    assert (
        split.basic_fen,
        split.critical_fen,
        split.assistance_fen,
        split.fallback_fen,
        split.self_fen,
    ) == (80000, 0, 0, 0, 20000)
    page = c.get(f"/registry/persons/{person.pk}/").content.decode()
    assert "MZ1" in page and "Ⅰ类门诊特殊慢性病" in page
