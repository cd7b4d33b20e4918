"""Held-out style checks of the 慢性病鉴定 procedure with dates worked by hand: the edges of the
public notice, a conclusion that changes the class, dynamic management, revocation and a second
certificate — and the class the settlement reads on each side of every change."""

import datetime as dt

import pytest

from fupin.appraisal import services
from fupin.appraisal.models import Application, Stage
from fupin.appraisal.selectors import chronic_class_on, chronic_classes_for
from fupin.registry.models import Person
from tests.conftest import TOWN_A, login

from . import factories as f

D = dt.date


@pytest.fixture
def family(make_household):
    return list(Person.objects.filter(household=make_household(TOWN_A, members=3)).order_by("id"))


def _apply(user, person, cls, diseases, day):
    return services.apply(user=user, person=person, chronic_class=cls, diseases=diseases, day=day)


def test_notice_edges_worked_by_hand(county_user, family):
    """7 days including both ends: concluded 2018-03-05 → notice 03-05 … 03-11; an objection on
    03-11 is in time, on 03-12 not; certifying on 03-11 is refused, on 03-12 allowed."""
    app = _apply(county_user, family[0], "I", ["高血压"], D(2018, 3, 1))
    services.appraise(
        user=county_user, application=app, approved=True, day=D(2018, 3, 5), appraiser="专家组"
    )
    app.refresh_from_db()
    assert (app.notice_start, app.notice_end) == (D(2018, 3, 5), D(2018, 3, 11))
    with pytest.raises(services.AppraisalError, match="不在公示期"):
        services.raise_objection(
            user=county_user, application=app, objector="甲", content="x", day=D(2018, 3, 12)
        )
    o = services.raise_objection(
        user=county_user, application=app, objector="甲", content="x", day=D(2018, 3, 11)
    )
    services.resolve_objection(
        user=county_user, objection=o, upheld=False, resolution="不属实", day=D(2018, 3, 11)
    )
    with pytest.raises(services.AppraisalError, match="期满后才能发证"):
        services.certify(user=county_user, application=app, day=D(2018, 3, 11))
    cert = services.certify(user=county_user, application=app, day=D(2018, 3, 12))
    assert cert.valid_from == D(2018, 3, 12)
    assert chronic_class_on(family[0].pk, D(2018, 3, 11)) is None
    assert chronic_class_on(family[0].pk, D(2018, 3, 12)) == "I"


def test_an_any_time_application_concluded_quarterly_can_join_a_round(county_user, family):
    """Applied as Ⅰ类 (any time), the experts find a Ⅱ类 disease (quarterly): the application must
    be able to go into a quarterly round and be concluded there, not stay open for ever."""
    app = _apply(county_user, family[0], "I", ["慢性胃炎"], D(2018, 4, 2))
    rnd, _ = services.plan_round(user=county_user, held_on=D(2018, 6, 20), place="县人民医院")
    with pytest.raises(services.AppraisalError, match="季度"):
        services.appraise(
            user=county_user,
            application=app,
            approved=True,
            day=D(2018, 4, 10),
            chronic_class="II",
            appraiser="专家组",
        )
    services.assign_round(user=county_user, application=app, appraisal_round=rnd)
    services.appraise(
        user=Application.objects.get(pk=app.pk).submitted_by,
        application=Application.objects.get(pk=app.pk),
        approved=True,
        day=D(2018, 6, 20),
        chronic_class="II",
        appraiser="专家组",
    )
    app.refresh_from_db()
    assert (app.stage, app.concluded_class, app.round_id) == (Stage.NOTICE, "II", rnd.pk)


def test_the_application_page_offers_a_round_that_works(county_user, family):
    """The page offers the round choice for an open any-time application; choosing one must work."""
    app = _apply(county_user, family[0], "I", ["慢性胃炎"], D(2018, 4, 2))
    rnd, _ = services.plan_round(user=county_user, held_on=D(2018, 6, 20), place="县人民医院")
    c = login(county_user)
    page = c.get(f"/appraisal/applications/{app.pk}/").content.decode()
    assert f'value="{rnd.pk}"' in page
    r = c.post(f"/appraisal/applications/{app.pk}/round/", {"round": rnd.pk}, follow=True)
    assert r.status_code == 200
    assert Application.objects.get(pk=app.pk).round_id == rnd.pk


def test_dynamic_management_class_by_date(county_user, family):
    """Ⅱ类 certificate from 2018-06-28; a Ⅰ类 disease added (certified 2018-08-13): the claim of
    08-12 settles as Ⅱ, of 08-13 as Ⅰ; revoked 2018-10-01: none from that day; a new certificate
    (Ⅱ) 2019-01-14 again."""
    p = family[0]
    rnd, _ = services.plan_round(user=county_user, held_on=D(2018, 6, 20), place="县人民医院")
    app = _apply(county_user, p, "II", ["慢性胃炎"], D(2018, 5, 2))
    assert app.round_id == rnd.pk
    services.appraise(
        user=county_user, application=app, approved=True, day=D(2018, 6, 20), appraiser="专家"
    )
    cert = services.certify(user=county_user, application=app, day=D(2018, 6, 27))
    amend = _apply(county_user, p, "I", ["尿毒症透析"], D(2018, 8, 1))
    services.appraise(
        user=county_user, application=amend, approved=True, day=D(2018, 8, 6), appraiser="专家"
    )
    services.certify(user=county_user, application=amend, day=D(2018, 8, 13))
    cert.refresh_from_db()
    assert (cert.chronic_class, cert.disease_list) == ("I", ["慢性胃炎", "尿毒症透析"])
    services.revoke(user=county_user, certificate=cert, reason="迁出本县", day=D(2018, 10, 1))
    app2 = _apply(county_user, p, "I", ["恶性肿瘤门诊放化疗"], D(2019, 1, 2))
    services.appraise(
        user=county_user, application=app2, approved=True, day=D(2019, 1, 7), appraiser="专家"
    )
    cert2 = services.certify(user=county_user, application=app2, day=D(2019, 1, 14))
    assert cert2.number != cert.number
    days = [
        (D(2018, 6, 26), None),
        (D(2018, 6, 27), "II"),
        (D(2018, 8, 12), "II"),
        (D(2018, 8, 13), "I"),
        (D(2018, 9, 30), "I"),
        (D(2018, 10, 1), None),
        (D(2019, 1, 13), None),
        (D(2019, 1, 14), "I"),
        (D(2149, 12, 31), "I"),
    ]
    for day, code in days:
        assert chronic_class_on(p.pk, day) == code, day
    found = chronic_classes_for([(p.pk, d) for d, _ in days])
    assert {d: found.get((p.pk, d)) for d, _ in days} == dict(days)


def test_a_29_february_application_and_notice(county_user, family):
    app = _apply(county_user, family[0], "I", ["高血压"], D(2020, 2, 28))
    services.appraise(
        user=county_user,
        application=app,
        approved=True,
        day=D(2020, 2, 29),
        appraiser="专家",
    )
    app.refresh_from_db()
    assert (app.notice_start, app.notice_end) == (D(2020, 2, 29), D(2020, 3, 6))
    cert = services.certify(user=county_user, application=app, day=D(2020, 3, 7))
    assert cert.number.startswith("360222-2020-")


def test_report_counts_each_step_on_its_day(county_user, family):
    c = login(county_user)
    services.notify(user=county_user, person=family[0], day=D(2018, 3, 1))
    app = services.apply(
        user=county_user,
        person=family[0],
        chronic_class="I",
        diseases=["高血压"],
        day=D(2018, 3, 1),
        home_appraisal=True,
        home_reason="长期卧床",
    )
    services.appraise(
        user=county_user, application=app, approved=True, day=D(2018, 3, 2), appraiser="专家"
    )
    f.hospital()
    services.certify(user=county_user, application=app, day=D(2018, 3, 9))
    day1 = c.get("/api/v1/appraisal/report", {"date": "2018-03-01"}).json()["total"]
    assert (day1["notified"], day1["applied"], day1["home"], day1["approved"]) == (1, 1, 1, 0)
    day2 = c.get("/api/v1/appraisal/report", {"date": "2018-03-02"}).json()["total"]
    assert (day2["approved"], day2["in_notice"], day2["certified_total"]) == (1, 1, 0)
    day9 = c.get("/api/v1/appraisal/report", {"date": "2018-03-09"}).json()["total"]
    assert (day9["issued"], day9["in_notice"], day9["certified_total"]) == (1, 0, 1)


def test_a_village_assistant_works_his_village_only(make_user, county_user, family, make_household):
    """村协理员: sees his village's list, notifies it, applies on a person's behalf (with home
    appraisal), reads the report of his village; another village's person is 404, the county's
    round planning and the township's report submission are refused in Chinese."""
    from fupin.access.models import Role

    village = family[0].village_code
    assistant = make_user("village-1", Role.VILLAGE, village)
    other = Person.objects.filter(household=make_household("360222101", members=1)).get()
    c = login(assistant)
    page = c.get("/appraisal/persons/")
    assert page.status_code == 200 and family[0].name in page.content.decode()
    assert other.name not in page.content.decode()
    r = c.post("/appraisal/persons/notify/", {"village": village, "day": "2018-02-01"}, follow=True)
    assert r.status_code == 200 and "3" in r.content.decode()
    r = c.post(
        f"/api/v1/appraisal/persons/{family[1].pk}/applications",
        {
            "chronic_class": "I",
            "diseases": ["尿毒症透析"],
            "day": "2018-02-02",
            "applicant": "assistant",
            "home_appraisal": True,
            "home_reason": "长期卧床",
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    assert (r.json()["applicant"], r.json()["home_appraisal"]) == ("assistant", True)
    assert c.get(f"/api/v1/appraisal/persons/{other.pk}/chronic-class").status_code == 404
    assert c.get(f"/appraisal/persons/{other.pk}/").status_code == 404
    rep = c.get("/api/v1/appraisal/report", {"date": "2018-02-02"})
    assert rep.status_code == 200, rep.content
    assert rep.json()["total"]["applied"] == 1 and rep.json()["total"]["home"] == 1
    assert c.get("/appraisal/report/", {"date": "2018-02-02"}).status_code == 200
    r = c.post(
        "/api/v1/appraisal/rounds",
        {"held_on": "2018-06-20", "place": "村委会"},
        content_type="application/json",
    )
    assert r.status_code == 422 and "县级" in r.json()["detail"]
    progress = {p["person_id"]: p["progress"] for p in c.get("/api/v1/appraisal/progress").json()}
    assert progress[family[1].pk] == "applied" and other.pk not in progress


def test_a_hospital_chosen_with_new_diseases_is_kept_in_the_history(county_user, family):
    """更换定点医院留有记录: choosing another hospital while adding diseases says so in the
    certificate's history, not only in the current row."""
    first, second = f.hospital("浮梁县人民医院"), f.hospital("浮梁县中医院")
    cert = f.certified(county_user, family[0], hospital_obj=first)
    amend = _apply(county_user, family[0], "I", ["尿毒症透析"], D(2018, 5, 2))
    services.appraise(
        user=county_user, application=amend, approved=True, day=D(2018, 5, 3), appraiser="专家"
    )
    services.certify(user=county_user, application=amend, day=D(2018, 5, 10), hospital=second)
    cert.refresh_from_db()
    assert cert.hospital == second
    last = cert.changes.order_by("-effective_on", "-id").first()
    assert "定点医院 浮梁县人民医院 → 浮梁县中医院" in last.summary


def test_the_home_appraisal_box_left_unticked_or_zero_is_no(county_user, family):
    c = login(county_user)
    for n, value in enumerate([None, "0", ""]):
        data = {"chronic_class": "I", "diseases": "高血压", "day": "2018-03-01"}
        if value is not None:
            data["home_appraisal"] = value
        c.post(f"/appraisal/persons/{family[n].pk}/apply/", data)
        app = Application.objects.get(person=family[n])
        assert app.home_appraisal is False, value
    c.post(
        f"/appraisal/persons/{family[0].pk}/notify/", {"day": "2018-03-01"}
    )  # unrelated step: the page keeps working
    Application.objects.all().delete()
    c.post(
        f"/appraisal/persons/{family[0].pk}/apply/",
        {
            "chronic_class": "I",
            "diseases": "高血压",
            "day": "2018-03-01",
            "home_appraisal": "on",
            "home_reason": "长期卧床",
        },
    )
    assert Application.objects.get(person=family[0]).home_appraisal is True
