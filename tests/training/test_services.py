"""技能培训 rules: course capacity (退训 frees a place), one enrolment per course, attendance
counted once a day, the certificate's one-time job-seeking subsidy once per person and only
where the pack sets it, technical-school aid once a school year, coverage per township."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from fupin.access.models import Role
from fupin.assistance.models import LedgerEntry, MeasureStatus
from fupin.assistance.services import plan_measure
from fupin.registry.models import Person
from fupin.training import selectors
from fupin.training import services as training
from fupin.training.models import Course, EnrolmentStatus, JobSeekingSubsidy, TechnicalStudentAid
from tests.conftest import TOWN_A, TOWN_B
from tests.employment import factories as f

TODAY = dt.date.today()


def person(make_household, town=TOWN_A, **fields) -> Person:
    return f.job_seeker(make_household(town, members=1).members.get(), **fields)


def course(
    capacity=40, certificate_kind="茶叶加工工职业技能等级证书", town=TOWN_A, title="茶叶加工培训班"
) -> Course:
    return Course.objects.create(
        title=title,
        trade="茶叶加工",
        provider="县职校",
        area_code=town.ljust(12, "0"),
        place="镇文化站",
        starts_on=TODAY - dt.timedelta(days=20),
        ends_on=TODAY - dt.timedelta(days=5),
        capacity=capacity,
        certificate_kind=certificate_kind,
    )


@pytest.fixture
def seeker(make_household):
    return person(make_household)


def test_certificate_brings_job_seeking_subsidy_once(county_user, seeker, make_household):
    first = course(capacity=1)
    e = training.enrol(user=county_user, course=first, person=seeker)
    training.mark_attendance(user=county_user, enrolment=e, day=first.starts_on)
    training.complete(user=county_user, enrolment=e, certificate_no="2026001")
    s = JobSeekingSubsidy.objects.get(person=seeker)
    assert s.amount_fen == 500_00 and s.pack_id == "fuliang-2018"  # 004: 500 元
    second = course(capacity=5, certificate_kind="证书", title="第二期")
    training.complete(
        user=county_user,
        enrolment=training.enrol(user=county_user, course=second, person=seeker),
        certificate_no="2026002",
    )
    assert JobSeekingSubsidy.objects.filter(person=seeker).count() == 1
    # The course holds one person and the seeker has it: a second person is refused, and nothing is written.
    other = person(make_household)
    with pytest.raises(training.TrainingError, match="培训班“茶叶加工培训班”名额（1人）已满"):
        training.enrol(user=county_user, course=first, person=other)
    assert not other.enrolments.exists() and first.enrolments.count() == 1


def test_capacity_counts_only_those_still_in_the_course(county_user, make_household):
    c = course(capacity=2)
    a, b, third = (person(make_household) for _ in range(3))
    ea = training.enrol(user=county_user, course=c, person=a)
    training.enrol(user=county_user, course=c, person=b)
    with pytest.raises(training.TrainingError, match="名额（2人）已满"):
        training.enrol(user=county_user, course=c, person=third)
    ea.status = EnrolmentStatus.DROPPED  # 退训 frees the place
    ea.save()
    assert (
        training.enrol(user=county_user, course=c, person=third).status == EnrolmentStatus.ENROLLED
    )
    assert selectors.courses(county_user).get(pk=c.pk).enrolled == 2


def test_one_enrolment_per_person_and_course(county_user, seeker):
    c = course()
    training.enrol(user=county_user, course=c, person=seeker)
    with pytest.raises(training.TrainingError, match="此人已报名该培训班"):
        training.enrol(user=county_user, course=c, person=seeker)
    assert c.enrolments.count() == 1
    # The enrolment is in the person's ledger, once.
    assert LedgerEntry.objects.filter(person=seeker, kind="training").count() == 1


def test_attendance_once_a_day_and_absence_not_counted(county_user, seeker):
    c = course()
    e = training.enrol(user=county_user, course=c, person=seeker)
    d1, d2, d3 = (c.starts_on + dt.timedelta(days=i) for i in range(3))
    training.mark_attendance(user=county_user, enrolment=e, day=d1)
    training.mark_attendance(user=county_user, enrolment=e, day=d1)  # the same day again
    training.mark_attendance(user=county_user, enrolment=e, day=d2, present=False)
    training.mark_attendance(user=county_user, enrolment=e, day=d3)
    e.refresh_from_db()
    assert e.attended == 2 and e.attendance.count() == 3
    training.mark_attendance(user=county_user, enrolment=e, day=d2)  # corrected: present after all
    e.refresh_from_db()
    assert e.attended == 3 and e.attendance.count() == 3


def test_no_subsidy_without_a_vocational_certificate(county_user, seeker):
    c = course(certificate_kind="")
    e = training.complete(
        user=county_user,
        enrolment=training.enrol(user=county_user, course=c, person=seeker),
        certificate_no="合格-1",
    )
    assert e.status == EnrolmentStatus.COMPLETED and e.certificate_kind == "培训合格证"
    assert not JobSeekingSubsidy.objects.exists()
    c2 = course(title="无证书编号")
    training.complete(
        user=county_user, enrolment=training.enrol(user=county_user, course=c2, person=seeker)
    )
    assert not JobSeekingSubsidy.objects.exists()


def test_no_subsidy_where_the_pack_sets_none(county_user, seeker, monkeypatch):
    monkeypatch.setenv(
        "FUPIN_EMPLOYMENT_PACK", "jining-2016"
    )  # 济宁: no certificate subsidy in its documents
    c = course()
    training.complete(
        user=county_user,
        enrolment=training.enrol(user=county_user, course=c, person=seeker),
        certificate_no="2026009",
    )
    assert not JobSeekingSubsidy.objects.exists()


def test_a_dropped_enrolment_cannot_complete(county_user, seeker):
    e = training.enrol(user=county_user, course=course(), person=seeker)
    e.status = EnrolmentStatus.DROPPED
    e.save()
    with pytest.raises(training.TrainingError, match="已退训，不能结业"):
        training.complete(user=county_user, enrolment=e, certificate_no="X")
    assert not JobSeekingSubsidy.objects.exists()


def test_completion_closes_the_planned_training_measure(county_user, seeker):
    m = plan_measure(
        user=county_user,
        person=seeker,
        kind="training",
        description="参加茶叶加工培训",
        cadre="李四",
        due_on=TODAY,
    )
    other = plan_measure(
        user=county_user,
        person=seeker,
        kind="loan",
        description="申请创业担保贷款",
        cadre="李四",
        due_on=TODAY,
    )
    training.complete(
        user=county_user,
        enrolment=training.enrol(user=county_user, course=course(), person=seeker),
        day=TODAY,
    )
    m.refresh_from_db(), other.refresh_from_db()
    assert (m.status, m.done_on) == (
        MeasureStatus.DONE,
        TODAY,
    ) and other.status == MeasureStatus.PLANNED


def test_township_cannot_enrol_another_townships_person(town_b_user, seeker, make_user):
    with pytest.raises(PermissionDenied, match="不在本辖区"):
        training.enrol(user=town_b_user, course=course(town=TOWN_B), person=seeker)
    reader = make_user("reader", Role.POVERTY_OFFICE, "360222")
    with pytest.raises(PermissionDenied, match="只读"):
        training.enrol(user=reader, course=course(), person=seeker)
    assert not seeker.enrolments.exists()


def test_technical_aid_once_a_school_year(county_user, make_household):
    student = person(make_household, technical_student=True)
    aid = training.grant_technical_aid(
        user=county_user, person=student, school="景德镇技师学院", school_year=TODAY.year
    )
    assert (
        aid.living_allowance_fen == 2000_00 and aid.tuition_waived
    )  # fuliang-2018: 生活费补助 2000 元/年
    with pytest.raises(training.TrainingError, match=f"{TODAY.year}学年已登记资助"):
        training.grant_technical_aid(
            user=county_user, person=student, school="景德镇技师学院", school_year=TODAY.year
        )
    training.grant_technical_aid(
        user=county_user, person=student, school="景德镇技师学院", school_year=TODAY.year - 1
    )
    assert TechnicalStudentAid.objects.filter(person=student).count() == 2
    with pytest.raises(training.TrainingError, match="学年 3000 超出范围"):
        training.grant_technical_aid(
            user=county_user, person=student, school="某校", school_year=3000
        )
    with pytest.raises(training.TrainingError, match="不是技工院校在校生"):
        training.grant_technical_aid(
            user=county_user, person=person(make_household), school="某校", school_year=TODAY.year
        )


def test_coverage_per_township(county_user, make_household):
    a1, a2 = person(make_household), person(make_household)
    b1 = person(make_household, TOWN_B)
    person(make_household, training_need=False)  # not willing: not counted at all
    c = course()
    training.enrol(user=county_user, course=c, person=a1)
    dropped = training.enrol(user=county_user, course=c, person=a2)
    dropped.status = EnrolmentStatus.DROPPED
    dropped.save()
    rows = {r["code"]: r for r in selectors.coverage(county_user, 1)}
    # 浮梁镇: 2 willing, 1 trained (the dropped one does not count) → 50.0%; 鹅湖镇: 1 willing, 0 trained.
    assert (rows[TOWN_A]["willing"], rows[TOWN_A]["trained"], rows[TOWN_A]["share"]) == (2, 1, 50.0)
    assert (rows[TOWN_B]["willing"], rows[TOWN_B]["trained"], rows[TOWN_B]["share"]) == (1, 0, 0.0)
    assert rows[TOWN_A]["name"] == "浮梁镇" and b1.village_code.startswith(TOWN_B)
