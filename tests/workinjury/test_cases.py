"""Work-injury cases from report to 先行支付, refused steps, scope, evidence files, the payment
batch, pages and API (attacker's view included)."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from fupin.access.models import AuditEntry, Role
from fupin.payments import services as payments
from fupin.payments.models import BatchLine
from fupin.registry.idnumber import check_char
from fupin.registry.models import Person
from fupin.workinjury import services
from fupin.workinjury.models import InjuryCase
from tests.conftest import TOWN_A, TOWN_B, login, village_of

pytestmark = pytest.mark.django_db
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
TODAY = dt.date.today()


def png(name="工作证.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def report(user, person, **kw):
    args = dict(
        user=user,
        person=person,
        employer_name="景德镇某建设工程有限公司",
        project_name="城南安置房项目",
        accident_on=TODAY,
        accident_place="3号楼脚手架",
        injury="高处坠落致右腿骨折",
    )
    args.update(kw)
    return services.report_case(**args)


@pytest.fixture
def person(make_household):
    return Person.objects.filter(household=make_household(TOWN_A)).first()


def recognised(user, person):
    case = report(user, person)
    services.add_evidence(user=user, case=case, kind="ledger", upload=png())
    services.investigate(user=user, case=case, note="工友证实")
    return services.decide(user=user, case=case, decision="recognised", reason="工作时间工作场所")


def test_registry_worker_brings_name_village_and_poverty_mark(town_a_user, person):
    case = report(town_a_user, person)
    assert (case.worker_name, case.village_code, case.poor) == (
        person.name,
        person.village_code,
        True,
    )
    assert case.pack_id == "fuliang-2018"
    assert AuditEntry.objects.filter(object_type="injurycase", object_id=str(case.pk)).exists()


def test_found_by_id_number_within_the_area_only(town_a_user, town_b_user, person):
    by_id = report(town_a_user, None, worker_id_number=person.id_number)
    assert by_id.person_id == person.pk
    # 鹅湖镇 types the same number: not its person, so it needs a name and its own village.
    with pytest.raises(services.WorkInjuryError, match="受理的村"):
        report(town_b_user, None, worker_id_number=person.id_number, worker_name="某人")
    other = report(
        town_b_user,
        None,
        worker_id_number=person.id_number,
        worker_name="某人",
        village_code=village_of(TOWN_B).code.ljust(12, "0"),
    )
    assert other.person_id is None and other.poor is False


def test_bad_reports_are_refused_in_chinese(town_a_user, town_b_user, person):
    with pytest.raises(services.WorkInjuryError, match="身份证号"):
        report(town_a_user, None, worker_id_number="123", worker_name="某人")
    with pytest.raises(services.WorkInjuryError, match="事故日期不能晚于"):
        report(town_a_user, person, accident_on=TODAY + dt.timedelta(days=2))
    with pytest.raises(services.WorkInjuryError, match="超出范围"):
        report(town_a_user, person, accident_on=dt.date(9999, 1, 1))
    with pytest.raises(services.WorkInjuryError, match="伤情"):
        report(town_a_user, person, injury="  ")
    with pytest.raises(PermissionDenied):  # 甲镇's village from 乙镇
        report(
            town_b_user,
            None,
            worker_id_number="36022219800101001" + check_char("36022219800101001"),
            worker_name="某人",
            village_code=village_of(TOWN_A).code.ljust(12, "0"),
        )
    with pytest.raises(services.WorkInjuryError, match="本辖区内没有"):
        report(town_b_user, person)


def test_decision_needs_investigation_and_labour_evidence(town_a_user, person):
    case = report(town_a_user, person)
    with pytest.raises(services.WorkInjuryError, match="请先完成工伤调查"):
        services.decide(user=town_a_user, case=case, decision="recognised", reason="x")
    services.investigate(user=town_a_user, case=case, note="现场调查")
    with pytest.raises(services.WorkInjuryError, match="实名制台账、工资支付凭证或记录"):
        services.decide(user=town_a_user, case=case, decision="recognised", reason="x")
    services.add_evidence(user=town_a_user, case=case, kind="other", upload=png())
    with pytest.raises(services.WorkInjuryError, match="至少一项"):  # 其他材料 is not on the list
        services.decide(user=town_a_user, case=case, decision="recognised", reason="x")
    services.add_evidence(user=town_a_user, case=case, kind="attendance", upload=png("考勤.png"))
    case = services.decide(user=town_a_user, case=case, decision="recognised", reason="符合")
    assert case.decision == "recognised" and case.decided_at is not None
    with pytest.raises(services.WorkInjuryError, match="已作出认定"):
        services.decide(user=town_a_user, case=case, decision="not_recognised", reason="x")
    with pytest.raises(services.WorkInjuryError, match="已完成调查"):
        services.investigate(user=town_a_user, case=case, note="again")


def test_a_contract_needs_no_extra_evidence_and_disputed_can_be_decided_later(town_a_user, person):
    case = report(town_a_user, person, contract_signed=True)
    services.investigate(user=town_a_user, case=case, note="有劳动合同")
    case = services.decide(user=town_a_user, case=case, decision="disputed", reason="单位有异议")
    case = services.decide(user=town_a_user, case=case, decision="recognised", reason="复查属实")
    assert case.decision == "recognised"


def test_hostile_files_are_refused(town_a_user, person):
    case = report(town_a_user, person)
    for name, data in [
        ("a.png", b"<script>alert(1)</script>"),
        ("a.pdf", b""),
        ("bomb.xlsx", b"PK\x03\x04garbage"),
    ]:
        with pytest.raises(Exception) as exc:
            services.add_evidence(
                user=town_a_user,
                case=case,
                kind="ledger",
                upload=SimpleUploadedFile(name, data),
            )
        assert any("\u4e00" <= ch <= "\u9fff" for ch in str(exc.value))
    with pytest.raises(services.WorkInjuryError, match="材料类别"):
        services.add_evidence(user=town_a_user, case=case, kind="selfie", upload=png())
    ev = services.add_evidence(
        user=town_a_user, case=case, kind="permit", upload=png("../../etc/passwd\u202e.png")
    )
    assert ev.name.endswith(".png") and "/" not in ev.name and "\u202e" not in ev.name


def test_first_payment_rules(town_a_user, person):
    case = report(town_a_user, person)
    with pytest.raises(services.WorkInjuryError, match="只有认定为工伤"):
        services.grant_first_payment(user=town_a_user, case=case, amount_fen=100, reason="x")
    case = recognised(town_a_user, person)
    for bad in (0, -5, True, "100"):
        with pytest.raises(services.WorkInjuryError, match="大于 0"):
            services.grant_first_payment(user=town_a_user, case=case, amount_fen=bad, reason="x")
    # the pack's assumed cap: 100000 yuan a case
    with pytest.raises(services.WorkInjuryError, match="超过政策包上限 100000.00 元"):
        services.grant_first_payment(user=town_a_user, case=case, amount_fen=10_000_001, reason="x")
    case = services.grant_first_payment(
        user=town_a_user, case=case, amount_fen=10_000_000, reason="单位拒付"
    )
    assert case.first_payment_fen == 10_000_000 and case.employer_unpaid
    with pytest.raises(services.WorkInjuryError, match="不能重复核定"):
        services.grant_first_payment(user=town_a_user, case=case, amount_fen=100, reason="x")


def test_first_payment_goes_through_one_payment_batch(town_a_user, make_user, person):
    case = recognised(town_a_user, person)
    services.grant_first_payment(user=town_a_user, case=case, amount_fen=860_000, reason="拒付")
    period = TODAY.strftime("%Y-%m")
    batch = payments.prepare(
        user=town_a_user, kind="work_injury_first_payment", period=period, area_code=TOWN_A
    )
    lines = list(BatchLine.objects.filter(batch=batch))
    assert [(ln.person_id, ln.amount_fen, ln.item) for ln in lines] == [
        (person.pk, 860_000, f"case-{case.pk}")
    ]
    with pytest.raises(payments.PaymentError):  # nothing left: paid once only
        payments.prepare(
            user=town_a_user, kind="work_injury_first_payment", period=period, area_code=TOWN_A
        )


def test_pages_scope_and_export(town_a_user, town_b_user, person):
    case = recognised(town_a_user, person)
    ev = case.evidence.first()
    a, b = login(town_a_user), login(town_b_user)
    page = a.get(f"/workinjury/{case.pk}/").content.decode()
    assert person.name in page and person.id_number not in page and "认定为工伤" in page
    for url in (f"/workinjury/{case.pk}/", f"/workinjury/evidence/{ev.pk}/"):
        assert b.get(url).status_code == 404
    assert b.post(f"/workinjury/{case.pk}/first-payment/", {"amount": "1"}).status_code == 404
    assert person.name not in b.get("/workinjury/").content.decode()
    got = a.get(f"/workinjury/evidence/{ev.pk}/")
    assert got.status_code == 200 and got["X-Content-Type-Options"] == "nosniff"
    xlsx = a.get("/workinjury/?format=xlsx")
    data = b"".join(xlsx.streaming_content) if xlsx.streaming else xlsx.content
    assert xlsx.status_code == 200 and data[:2] == b"PK"
    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(data)).active.values)
    assert rows[1][0] == person.name and person.id_number not in str(rows)


def test_page_forms_refuse_bad_input_without_500(town_a_user, person):
    case = recognised(town_a_user, person)
    c = login(town_a_user)
    for data in ({"amount": "abc", "reason": "x"}, {"amount": "1e9", "reason": "x"}, {}):
        r = c.post(f"/workinjury/{case.pk}/first-payment/", data, follow=True)
        assert r.status_code == 200 and "未保存" in r.content.decode()
    r = c.post("/workinjury/new/", {"worker_id_number": "x" * 500, "accident_on": "2018-02-30"})
    assert r.status_code == 200 and "不存在" in r.content.decode()
    r = c.post(f"/workinjury/{case.pk}/decide/", {"decision": "recognised"}, follow=True)
    assert "未保存" in r.content.decode()


def test_read_only_roles_cannot_write(make_user, person, town_a_user):
    auditor = make_user("aud", Role.AUDITOR, TOWN_A)
    case = report(town_a_user, person)
    r = login(auditor).post(f"/workinjury/{case.pk}/investigate/", {"note": "x"})
    assert r.status_code == 403
    assert InjuryCase.objects.get(pk=case.pk).investigated_at is None


def test_api(town_a_user, town_b_user, person):
    a, b = login(town_a_user), login(town_b_user)
    body = {
        "worker_id_number": person.id_number,
        "employer_name": "某公司",
        "accident_on": TODAY.isoformat(),
        "accident_place": "工地",
        "injury": "骨折",
    }
    r = a.post("/api/v1/workinjury/cases", body, content_type="application/json")
    assert r.status_code == 201, r.content
    got = r.json()
    assert got["poor"] is True and got["worker_id_number"] != person.id_number
    pk = got["id"]
    assert b.get(f"/api/v1/workinjury/cases/{pk}").status_code == 404
    r = b.post(
        f"/api/v1/workinjury/cases/{pk}/investigation",
        {"note": "x"},
        content_type="application/json",
    )
    assert r.status_code == 404
    for bad in (
        {**body, "contract_signed": "yes"},
        {**body, "accident_on": "2018-13-01"},
        {**body, "injury": 5},
        {**body, "employer_name": "x" * 101},
    ):
        r = a.post("/api/v1/workinjury/cases", bad, content_type="application/json")
        assert r.status_code == 422, bad
    r = a.post(
        f"/api/v1/workinjury/cases/{pk}/decision",
        {"decision": "recognised", "reason": "x"},
        content_type="application/json",
    )
    assert r.status_code == 422 and "调查" in r.json()["detail"]
    r = a.post(
        f"/api/v1/workinjury/cases/{pk}/first-payment",
        {"amount_fen": 10**30, "reason": "x"},
        content_type="application/json",
    )
    assert r.status_code == 422
    assert a.get("/api/v1/workinjury/cases?clock=nonsense").status_code == 422
    assert [c["id"] for c in a.get("/api/v1/workinjury/cases").json()] == [pk]
    assert b.get("/api/v1/workinjury/cases").json() == []
