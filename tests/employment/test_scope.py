"""Area scope of the employment module beyond the sweep: the job-fair form, the credit-code
duplicate message, and postings as shared-readable, owner-writable objects."""

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from fupin.access.scope import shared_readable
from fupin.employment import services
from fupin.employment.models import Employer, JobFair, Recommendation, RecommendationBatch, Referral
from fupin.employment.recommend import recommend_persons, run_batch
from fupin.registry.models import Person
from tests.conftest import TOWN_A, TOWN_B, login

from . import factories as f

TODAY = dt.date.today()


def _fair_form(employers) -> dict:
    return {
        "area_code": TOWN_A.ljust(12, "0"),
        "title": "专场招聘会",
        "held_on": TODAY.isoformat(),
        "time_text": "上午",
        "place": "镇政府",
        "organiser": "县人社局",
        "employers": [e.pk for e in employers],
    }


def test_fair_form_offers_and_accepts_only_own_employers(areas, town_a_user):
    own = f.employer(TOWN_A, name="甲镇茶厂")
    other = f.employer(TOWN_B, name="乙镇瓷厂")
    f.posting(other, title="乙镇拉坯工")
    c = login(town_a_user)
    form = c.get(reverse("employment:fair_new")).content.decode()
    assert "甲镇茶厂" in form and "乙镇瓷厂" not in form
    r = c.post(reverse("employment:fair_new"), _fair_form([own, other]))
    assert r.status_code == 200 and not JobFair.objects.exists()
    assert "乙镇瓷厂" not in r.content.decode()
    r = c.post(reverse("employment:fair_new"), _fair_form([own]))
    fair = JobFair.objects.get()
    assert r.status_code == 302 and list(fair.employers.all()) == [own]


def test_county_fair_may_list_any_employer_of_the_county(areas, county_user):
    a, b = f.employer(TOWN_A, name="甲镇茶厂"), f.employer(TOWN_B, name="乙镇瓷厂")
    f.posting(b, title="乙镇拉坯工")
    r = login(county_user).post(reverse("employment:fair_new"), _fair_form([a, b]))
    assert r.status_code == 302
    fair = JobFair.objects.get()
    assert set(fair.employers.all()) == {a, b} and [p.title for p in fair.postings.all()] == [
        "乙镇拉坯工"
    ]


def _employer_form(code: str, town: str) -> dict:
    return {
        "name": "新公司",
        "credit_code": code,
        "kind": "enterprise",
        "area_code": town.ljust(12, "0"),
    }


def test_duplicate_credit_code_names_the_employer_only_inside_the_area(areas, town_a_user):
    own = f.employer(TOWN_A, name="甲镇茶厂")
    other = f.employer(TOWN_B, name="乙镇瓷厂")
    c = login(town_a_user)
    body = c.post(
        reverse("employment:employer_new"), _employer_form(other.credit_code, TOWN_A)
    ).content.decode()
    assert "该统一社会信用代码已在其他辖区登记" in body
    assert "乙镇瓷厂" not in body and f"编号{other.pk}" not in body
    body = c.post(
        reverse("employment:employer_new"), _employer_form(own.credit_code, TOWN_A)
    ).content.decode()
    assert "甲镇茶厂" in body
    assert Employer.objects.count() == 2


OTHER_COUNTY = "360281"  # 乐平市: a posting registered there is not this county's job information


@pytest.fixture
def two_towns(make_household, areas):
    seeker = f.job_seeker(make_household(TOWN_A, members=1).members.get())
    theirs = f.posting(f.employer(TOWN_B, name="乙镇瓷厂"), title="乙镇拉坯工")
    ours = [
        f.posting(f.employer(TOWN_A, name="甲镇茶厂"), title=f"甲镇采茶工{i}") for i in range(10)
    ]
    elsewhere = f.posting(f.employer(OTHER_COUNTY, name="外县工厂"), title="外县装配工")
    return seeker, theirs, ours, elsewhere


def test_postings_are_readable_county_wide_and_writable_by_their_owner(two_towns, town_a_user):
    seeker, theirs, _, elsewhere = two_towns
    c = login(town_a_user)
    r = c.post(reverse("employment:refer", args=[seeker.pk]), {"posting": theirs.pk})
    referral = Referral.objects.get(person=seeker)
    assert r.status_code == 302 and referral.posting == theirs
    page = c.get(reverse("employment:referral", args=[referral.pk])).content.decode()
    link = reverse("employment:posting", args=[theirs.pk])
    assert link in page
    shown = c.get(link)
    assert shown.status_code == 200 and "乙镇拉坯工" in shown.content.decode()
    assert reverse("employment:posting_edit", args=[theirs.pk]) not in shown.content.decode()
    assert reverse("employment:employer", args=[theirs.employer_id]) not in shown.content.decode()
    assert c.get(reverse("employment:posting_edit", args=[theirs.pk])).status_code == 404
    assert (
        c.post(reverse("employment:posting_edit", args=[theirs.pk]), {"title": "改"}).status_code
        == 404
    )
    assert c.get(reverse("employment:employer", args=[theirs.employer_id])).status_code == 404
    assert c.get(f"/api/v1/employment/postings/{theirs.pk}").json()["title"] == "乙镇拉坯工"
    listed = c.get(reverse("employment:postings")).content.decode()
    assert "乙镇拉坯工" in listed and "外县装配工" not in listed
    assert "外县装配工" not in c.get("/api/v1/employment/postings").content.decode()
    # Another county's posting is neither readable nor a referral target.
    assert c.get(reverse("employment:posting", args=[elsewhere.pk])).status_code == 404
    assert c.get(f"/api/v1/employment/postings/{elsewhere.pk}").status_code == 404
    r = c.post(
        "/api/v1/employment/referrals",
        {"person_id": seeker.pk, "posting_id": elsewhere.pk},
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["detail"] == "岗位不存在"
    c.post(reverse("employment:refer", args=[seeker.pk]), {"posting": elsewhere.pk})
    assert Referral.objects.filter(posting=elsewhere).count() == 0
    with pytest.raises(services.EmploymentError, match="岗位不存在"):
        services.refer(user=town_a_user, person=seeker, posting=elsewhere)


def test_matching_offers_the_postings_the_acting_user_may_read(two_towns, town_a_user):
    seeker, theirs, ours, elsewhere = two_towns
    recommend_persons(Person.objects.filter(pk=seeker.pk), TODAY, user=town_a_user)
    offered = set(
        Recommendation.objects.filter(person=seeker, current=True).values_list(
            "posting_id", flat=True
        )
    )
    assert len(offered) == 10 and elsewhere.pk not in offered
    assert offered <= {p.pk for p in ours} | {theirs.pk}
    sheet = (
        login(town_a_user)
        .get(reverse("employment:person_sheet", args=[seeker.pk]))
        .content.decode()
    )
    assert "外县装配工" not in sheet


def test_shared_readable_refuses_a_model_that_is_not_shared(town_a_user):
    with pytest.raises(ImproperlyConfigured):
        shared_readable(Person.objects.all(), town_a_user)


def test_batch_task_acts_for_its_user_inside_his_area(
    two_towns, make_household, town_a_user, town_b_user
):
    seeker_a = two_towns[0]
    seeker_b = f.job_seeker(make_household(TOWN_B, members=1).members.get())
    # The page refuses another township's area …
    r = login(town_a_user).post(reverse("employment:batch_run"), {"area": TOWN_B})
    assert r.status_code == 403 and not RecommendationBatch.objects.exists()
    # … and so does the task itself, whoever enqueues it.
    batch = RecommendationBatch.objects.create(
        area_code=TOWN_B.ljust(12, "0"), requested_by=town_a_user
    )
    run_batch.enqueue(batch.pk, town_a_user.pk, TOWN_B)
    batch.refresh_from_db()
    assert batch.status == "failed" and "不在本辖区" in batch.error
    assert not Recommendation.objects.exists()
    # A county-wide area asked for by a township user is refused too (it holds other townships).
    batch = RecommendationBatch.objects.create(
        area_code=TOWN_A.ljust(12, "0"), requested_by=town_a_user
    )
    run_batch.enqueue(batch.pk, town_a_user.pk, TOWN_A[:6])
    batch.refresh_from_db()
    assert batch.status == "failed" and not Recommendation.objects.filter(person=seeker_b).exists()
    # A deactivated account launches nothing.
    town_b_user.is_active = False
    town_b_user.save()
    batch = RecommendationBatch.objects.create(
        area_code=TOWN_B.ljust(12, "0"), requested_by=town_b_user
    )
    run_batch.enqueue(batch.pk, town_b_user.pk, TOWN_B)
    batch.refresh_from_db()
    assert batch.status == "failed" and not Recommendation.objects.exists()
    # Its own area: done, and only its own seekers.
    r = login(town_a_user).post(reverse("employment:batch_run"), {"area": TOWN_A})
    batch = RecommendationBatch.objects.latest("id")
    assert batch.status == "done" and batch.seekers == 1
    assert set(Recommendation.objects.values_list("person_id", flat=True)) == {seeker_a.pk}
