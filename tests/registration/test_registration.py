"""全民参保登记: the four-insurance table against the demo's enrolment data (the extract, read here
directly by ID number), the unregistered with reasons, job insurances, the poverty marks, pages,
exports and API."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from fupin.access.models import User
from fupin.demo import builder
from fupin.exchange import demo as exchange_demo
from fupin.insurance import services as insurance
from fupin.insurance.models import EnrolmentRecord
from fupin.registration import demo as registration_demo
from fupin.registration import selectors, services
from fupin.registration.models import JobEnrolment, MarkBatch
from fupin.registry.models import Person
from tests.conftest import TOWN_A, TOWN_B, login

pytestmark = pytest.mark.django_db
EXTRACT_STATUS = {"active": "enrolled", "suspended": "suspended", "terminated": "terminated"}


def age_on(born, day):
    years = day.year - born.year
    if (day.month, day.day) < (born.month, born.day):
        years -= 1
    return years


def test_table_against_the_demo_enrolment_data(areas):
    builder.build(households=80)
    exchange_demo.build()
    insurance.sync_from_extract(user=None, year=2018)
    registration_demo.build()
    county = User.objects.get(username="county")
    today = dt.date.today()
    rows = {r.person.pk: r for r in selectors.table(county, "360222", year=2018, day=today)}
    extract = {
        (e.id_number, e.insurance): e.enrolment_status for e in EnrolmentRecord.objects.all()
    }
    jobs = {(j.person_id, j.insurance): j.status for j in JobEnrolment.objects.all()}
    people = Person.objects.exclude(status="removed")
    assert set(rows) == set(people.values_list("pk", flat=True))
    seen = {"enrolled": 0, "not_enrolled": 0, "n/a": 0}
    for p in people:
        row = rows[p.pk]
        pension = extract.get((p.id_number, "pension"))
        want = (
            "n/a"
            if age_on(p.birth_date, today) < 16
            else EXTRACT_STATUS[pension]
            if pension
            else "not_enrolled"
        )
        assert row.status["pension"] == want, p.name
        medical = extract.get((p.id_number, "medical"))
        assert row.status["medical"] == ("enrolled" if medical == "active" else "not_enrolled")
        for ins in ("work_injury", "unemployment"):
            assert row.status[ins] == jobs.get((p.pk, ins), "n/a")
        assert row.unregistered == (
            want in ("not_enrolled", "suspended", "terminated")
            or medical != "active"
            or any(
                jobs.get((p.pk, i)) in ("not_enrolled", "stopped")
                for i in ("work_injury", "unemployment")
            )
        )
        for v in row.status.values():
            seen[v] = seen.get(v, 0) + 1
    # the demo has people in every state, so the comparison above tested something
    assert seen["enrolled"] and seen["not_enrolled"] and seen["n/a"]
    assert any(len(r.reasons) > 1 for r in rows.values())
    # the demo leaves the county's poverty-mark adjustments in one batch waiting for a colleague
    batch = MarkBatch.objects.get()
    assert batch.state == "prepared" and batch.prepared_by == county
    assert batch.changes.count() == len(selectors.marks(county, "360222")) > 0


@pytest.fixture
def people(make_household):
    a = list(Person.objects.filter(household=make_household(TOWN_A, members=3)))
    b = list(Person.objects.filter(household=make_household(TOWN_B, members=1)))
    return a, b


def record(p, insurance, tag, status="active", id_number=None):
    return EnrolmentRecord.objects.create(
        id_number=id_number or p.id_number,
        name=p.name,
        area_code=p.village_code,
        village_code=p.village_code,
        insurance=insurance,
        enrolment_status=status,
        poverty_tag=tag,
    )


def test_marks_new_and_removed_with_reasons(county_user, town_a_user, people):
    (a0, a1, a2), (b0,) = people
    record(a0, "medical", tag=False)  # active registry person, not marked → 新增
    record(a0, "pension", tag=True)  # in step
    Person.objects.filter(pk=a1.pk).update(status="exited")
    record(a1, "medical", tag=True)  # exited, no policy → 取消
    record(a2, "medical", tag=True, id_number="360222199901019999")  # no such person → 取消
    record(b0, "medical", tag=False)  # 乙镇
    marks = selectors.marks(town_a_user, TOWN_A)
    got = {(m.record.id_number, m.record.insurance, m.action) for m in marks}
    assert got == {
        (a0.id_number, "medical", "new"),
        (a1.id_number, "medical", "removed"),
        ("360222199901019999", "medical", "removed"),
    }
    reasons = {m.record.id_number: m.reason for m in marks}
    assert "未标注" in reasons[a0.id_number]
    assert "已脱贫(不再享受政策)" in reasons[a1.id_number]
    assert "不在本辖区建档立卡名单" in reasons["360222199901019999"]
    assert [m.action for m in selectors.marks(town_a_user, TOWN_A, action="new")] == ["new"]
    assert len(selectors.marks(county_user, "360222")) == 4
    page = login(town_a_user).get("/registration/marks/").content.decode()
    assert a0.name in page and b0.name not in page and a0.id_number not in page


def test_job_enrolment_and_its_reason(town_a_user, town_b_user, people):
    (a0, *_), (b0,) = people
    services.record_job_enrolment(
        user=town_a_user,
        person=a0,
        insurance="work_injury",
        status="not_enrolled",
        employer="某建设公司",
        project="城南安置房",
    )
    row = next(
        r
        for r in selectors.table(town_a_user, TOWN_A, year=2018, day=dt.date.today())
        if r.person.pk == a0.pk
    )
    assert "工伤保险：在某建设公司（城南安置房）务工未参保" in row.reasons
    with pytest.raises(services.RegistrationError, match="本辖区内没有"):
        services.record_job_enrolment(
            user=town_b_user, person=a0, insurance="work_injury", status="enrolled", employer="x"
        )
    with pytest.raises(services.RegistrationError, match="险种"):
        services.record_job_enrolment(
            user=town_a_user, person=a0, insurance="pension", status="enrolled", employer="x"
        )
    with pytest.raises(services.RegistrationError, match="超出范围"):
        services.record_job_enrolment(
            user=town_a_user,
            person=a0,
            insurance="unemployment",
            status="enrolled",
            employer="x",
            since=dt.date(1, 1, 1),
        )


def test_pages_exports_and_api(county_user, town_a_user, town_b_user, people):
    (a0, *_), (b0,) = people
    a = login(town_a_user)
    page = a.get("/registration/").content.decode()
    assert a0.name in page and b0.name not in page and a0.id_number not in page
    assert "参保数据中没有记录" in page
    # another township by name or code: refused, the own one shown
    for other in ("鹅湖镇", TOWN_B, "360222", "x" * 500):
        page = a.get("/registration/", {"area": other}).content.decode()
        assert b0.name not in page
    r = a.get("/registration/?only=unregistered&format=xlsx")
    assert r.status_code == 200
    county = login(county_user).get("/registration/", {"area": TOWN_B}).content.decode()
    assert b0.name in county and a0.name not in county
    got = a.get("/api/v1/registration/table", {"area": TOWN_A}).json()
    assert {g["person_id"] for g in got} >= {a0.pk} and b0.pk not in {g["person_id"] for g in got}
    assert all("*" in g["id_number"] for g in got)
    assert a.get("/api/v1/registration/table", {"area": TOWN_B}).status_code == 422
    assert a.get("/api/v1/registration/marks", {"area": TOWN_A, "action": "x"}).status_code == 422
    r = a.post(
        "/registration/job-enrolment/new/",
        {"person": str(b0.pk), "insurance": "work_injury", "status": "enrolled", "employer": "x"},
    )
    assert "本辖区内没有这个人员" in r.content.decode()
    with pytest.raises(PermissionDenied):
        services.record_job_enrolment(
            user=type("Anon", (), {"read_only": True})(),
            person=a0,
            insurance="work_injury",
            status="enrolled",
            employer="x",
        )


def test_person_page_section(town_a_user, town_b_user, people):
    (a0, *_), _ = people
    services.record_job_enrolment(
        user=town_a_user,
        person=a0,
        insurance="unemployment",
        status="enrolled",
        employer="某茶业公司",
    )
    page = login(town_a_user).get(f"/registry/persons/{a0.pk}/").content.decode()
    assert "workinjury-section" in page and "某茶业公司" in page
    assert login(town_b_user).get(f"/registry/persons/{a0.pk}/").status_code == 404
