"""技能培训 pages with bad input: each refusal is a Chinese message on the page, never a 500;
another township's course or enrolment is a 404."""

import datetime as dt

import pytest
from django.urls import reverse

from fupin.training.models import Course, Enrolment
from tests.conftest import TOWN_A, TOWN_B, login

from .test_services import course, person

TODAY = dt.date.today()


@pytest.fixture
def seeker(make_household):
    return person(make_household)


def test_enrol_by_number_or_id_and_refusals(town_a_user, seeker, make_household):
    c = course(capacity=1)
    client = login(town_a_user)
    url = reverse("training:course_enrol", args=[c.pk])
    for value in ("", "abc", "1" * 40, str(10**30)):
        body = client.post(url, {"person": value}, follow=True).content.decode()
        assert "人员：请输入本辖区人员的编号或18位身份证号" in body
    outsider = person(make_household, TOWN_B)
    body = client.post(url, {"person": outsider.id_number}, follow=True).content.decode()
    assert (
        "人员：请输入本辖区人员的编号或18位身份证号" in body
    )  # another township's person is not found here
    body = client.post(url, {"person": seeker.id_number.lower()}, follow=True).content.decode()
    assert f"{seeker.name} 已报名" in body
    body = client.post(
        url, {"person": str(person(make_household).pk)}, follow=True
    ).content.decode()
    assert "名额（1人）已满" in body
    assert list(Enrolment.objects.values_list("person_id", flat=True)) == [seeker.pk]


def test_another_townships_course_and_enrolment_are_missing(town_b_user, county_user, seeker):
    from fupin.training import services

    c = course()
    e = services.enrol(user=county_user, course=c, person=seeker)
    client = login(town_b_user)
    assert client.get(reverse("training:course", args=[c.pk])).status_code == 404
    assert (
        client.post(
            reverse("training:course_enrol", args=[c.pk]), {"person": seeker.id_number}
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("training:enrolment_attend", args=[e.pk]), {"day": TODAY.isoformat()}
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("training:enrolment_complete", args=[e.pk]), {"certificate_no": "1"}
        ).status_code
        == 404
    )
    e.refresh_from_db()
    assert e.attended == 0 and e.status == "enrolled"


@pytest.mark.parametrize(
    "day,message",
    [
        ("2026-02-30", "出勤日期“2026-02-30”不存在"),
        ("昨天", "出勤日期格式应为 YYYY-MM-DD"),
        ("9999-01-01", "出勤日期 9999-01-01 超出范围"),
    ],
)
def test_attendance_with_a_bad_date(town_a_user, county_user, seeker, day, message):
    from fupin.training import services

    e = services.enrol(user=county_user, course=course(), person=seeker)
    body = (
        login(town_a_user)
        .post(reverse("training:enrolment_attend", args=[e.pk]), {"day": day}, follow=True)
        .content.decode()
    )
    assert message in body and not e.attendance.exists()


def test_completion_with_an_overlong_certificate_number(town_a_user, county_user, seeker):
    from fupin.training import services

    e = services.enrol(user=county_user, course=course(), person=seeker)
    r = login(town_a_user).post(
        reverse("training:enrolment_complete", args=[e.pk]),
        {"certificate_no": "9" * 500},
        follow=True,
    )
    assert r.status_code == 200 and "证书编号" in r.content.decode()
    e.refresh_from_db()
    assert e.status == "enrolled" and e.certificate_no == ""


def test_course_form_refuses_reversed_dates_and_other_townships(town_a_user):
    client = login(town_a_user)
    data = {
        "title": "电商班",
        "kind": "ecommerce",
        "trade": "电子商务",
        "provider": "县职校",
        "area_code": TOWN_A.ljust(12, "0"),
        "place": "镇上",
        "starts_on": TODAY.isoformat(),
        "ends_on": (TODAY - dt.timedelta(days=1)).isoformat(),
        "sessions": 10,
        "capacity": 30,
        "certificate_kind": "",
        "subsidy": "0",
    }
    body = client.post(reverse("training:course_new"), data).content.decode()
    assert "结业日期不能早于开班日期" in body
    body = client.post(
        reverse("training:course_new"),
        {**data, "ends_on": TODAY.isoformat(), "area_code": TOWN_B.ljust(12, "0")},
    ).content.decode()
    assert f"{TOWN_B.ljust(12, '0')} 不在可用的选项中" in body
    assert not Course.objects.exists()
    r = client.post(reverse("training:course_new"), {**data, "ends_on": TODAY.isoformat()})
    assert r.status_code == 302 and Course.objects.get().title == "电商班"


@pytest.mark.parametrize(
    "year,message",
    [
        ("abc", "学年应为四位数字年份"),
        ("1800", "学年 1800 超出范围"),
        (str(10**40), "学年应为四位数字年份"),
    ],
)
def test_technical_grant_with_a_bad_year(town_a_user, make_household, year, message):
    student = person(make_household, technical_student=True)
    body = (
        login(town_a_user)
        .post(
            reverse("training:technical_grant", args=[student.pk]),
            {"year": year, "school": "技师学院"},
            follow=True,
        )
        .content.decode()
    )
    assert message in body and not student.technical_aid.exists()


def test_technical_grant_for_a_non_student_is_refused_on_the_page(town_a_user, seeker):
    body = (
        login(town_a_user)
        .post(
            reverse("training:technical_grant", args=[seeker.pk]),
            {"year": str(TODAY.year)},
            follow=True,
        )
        .content.decode()
    )
    assert "此人不是技工院校在校生" in body


def test_subsidies_export_is_masked(county_user, seeker):
    from fupin.training import services
    from tests.access.test_scope_sweep import text_of

    services.complete(
        user=county_user,
        enrolment=services.enrol(user=county_user, course=course(), person=seeker),
        certificate_no="C-1",
    )
    text = text_of(login(county_user).get(reverse("training:subsidies_export")))
    assert seeker.name in text and "500.00" in text and seeker.id_number not in text  # masked
