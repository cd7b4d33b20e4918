"""The 医疗费用一站式结算测算 page: login, the example, a POST, htmx fragments, faults."""

from django.urls import reverse

from fupin.registry.models import Person, StatusChange
from tests.conftest import TOWN_A, login

URL = "/insurance/settlement/"


def form(**extra):
    data = {
        "policy": "fuliang-2018",
        "category": "poor",
        "compare": "category",
        "category_b": "general",
        "policy_b": "fuliang-2018",
        "visit_type": ["inpatient"],
        "hospital_level": ["2"],
        "chronic_class": [""],
        "disease_code": ["C34"],
        "admission_date": ["2018-03-01"],
        "total_cost": ["50000"],
        "in_policy_cost": ["40000"],
    }
    data.update(extra)
    return data


def test_page_requires_login(client, db):
    r = client.get(URL)
    assert r.status_code == 302 and "/login/" in r["Location"]


def test_url_name_matches_navigation(db):
    assert reverse("insurance:settlement") == URL


def test_get_shows_the_form_and_an_example_split(staff_client):
    r = staff_client.get(URL)
    html = r.content.decode()
    assert r.status_code == 200
    assert "医疗费用一站式结算测算" in html and 'name="total_cost"' in html
    assert "浮梁县健康扶贫" in html and "计算过程" in html


def test_post_compares_two_categories_side_by_side(staff_client):
    html = staff_client.post(URL, form()).content.decode()
    assert "建档立卡贫困人口" in html and "普通参保居民" in html
    # Poor: self-pay 5000.00 (fifth line); general: (40000 − 400) × 75% = 29700 basic,
    # 大病 (10300 − 10000) × 50% = 150 → self-pay 50000 − 29700 − 150 = 20150.00.
    assert "5000.00" in html and "20150.00" in html
    assert "对照差额（右 − 左）：个人自付 <strong>15150.00</strong>" in html


def test_htmx_post_returns_only_the_results_fragment(staff_client):
    r = staff_client.post(
        URL, form(compare="policy", policy_b="jilin-2017"), HTTP_HX_REQUEST="true"
    )
    html = r.content.decode()
    assert "<html" not in html and "吉林省" in html
    assert "第五条保障线" in html


def test_bad_amount_is_reported_with_row_and_column(staff_client):
    html = staff_client.post(URL, form(total_cost=["-1"], compare="none")).content.decode()
    assert "第 1 行，“总费用”：金额不能为负数" in html


def test_add_row_fragment(staff_client):
    r = staff_client.get(reverse("insurance:claim_row"))
    assert r.status_code == 200 and r.content.decode().count("<tr") == 1


def test_a_region_settles_each_claim_with_the_values_of_its_day(staff_client):
    r = staff_client.get(URL)
    assert '<option value="jining"' in r.content.decode()
    data = form(
        policy="jining",
        category="poor",
        disease_code=[""],
        hospital_level=["3"],
        admission_date=["2020-03-01"],
        total_cost=["60000"],
        in_policy_cost=["50000"],
    )
    html = staff_client.post(URL, data).content.decode()
    # Worked in tests/policy/test_dated.py D-01: 2020's values (no 大病 threshold for the poor).
    assert (
        "9803.75" in html
        and "2020-01-01 起（济宁市医疗保险精准扶贫“三降低、四提高”（2020））" in html
    )
    data["admission_date"] = ["2012-03-01"]
    html = staff_client.post(URL, data).content.decode()
    assert "入院日期 2012-03-01 不在山东省济宁市任何政策期间内" in html


def test_a_region_at_a_chosen_date_against_another_date(staff_client):
    # A 2018 stay of a poor person at level 3 in 济宁, compared at two chosen dates (issue 10: region@date).
    # Hand-worked in tests/policy/test_dated.py D-01/D-03: under 2016's values 大病 9203.75, self 18621.25;
    # under 2020's values 大病 9803.75, self 18021.25; difference in self-pay −600.00.
    data = form(policy="jining", at="2017-06-01", compare="policy", policy_b="jining", at_b="2021-06-01",
                category="poor", disease_code=[""], hospital_level=["3"], admission_date=["2018-03-01"],
                total_cost=["60000"], in_policy_cost=["50000"])  # fmt: skip
    html = staff_client.post(URL, data).content.decode()
    assert "9203.75" in html and "18621.25" in html
    assert "9803.75" in html and "18021.25" in html
    assert "个人自付 <strong>-600.00</strong>" in html
    # A pack chosen with a date means its region at that date.
    html = staff_client.post(
        URL, {**data, "policy": "jining-2020", "at": "2017-06-01", "compare": "none"}
    ).content.decode()
    assert "9203.75" in html


def test_a_bad_or_uncovered_date_is_a_chinese_message(staff_client):
    base = form(policy="jining", compare="none")
    html = staff_client.post(URL, {**base, "at": "2017-13-45"}).content.decode()
    assert "日期无效：2017-13-45" in html
    html = staff_client.post(URL, {**base, "at": "1990-01-01"}).content.decode()
    assert "山东省济宁市在 1990-01-01 没有生效的政策" in html
    # Before 1970 no claim can be admitted: refused with the years claims may have.
    html = staff_client.post(URL, {**base, "at": "1900-01-01"}).content.decode()
    assert "日期超出范围：1900-01-01。结算单的入院日期只能在 1970 至 2149 年之间" in html
    r = staff_client.post(URL, {**base, "at": "9" * 500})
    assert r.status_code == 200 and "日期无效" in r.content.decode()


def test_each_claim_row_carries_its_own_category(staff_client):
    # Two stays a year apart (no year-to-date carry-over): the 2018 one as 普通参保居民, the 2019
    # one after identification as 建档立卡 — each row's own category wins over the form's (特困).
    # Hand-worked as in test_post_compares_two_categories_side_by_side: general 20150.00,
    # poor 5000.00 (fifth line: 10% of 50000); together 25150.00.
    data = form(
        compare="none",
        category="tekun",
        claim_category=["general", "poor"],
        visit_type=["inpatient", "inpatient"],
        hospital_level=["2", "2"],
        chronic_class=["", ""],
        disease_code=["C34", "C34"],
        admission_date=["2018-03-01", "2019-03-01"],
        total_cost=["50000", "50000"],
        in_policy_cost=["40000", "40000"],
    )
    html = staff_client.post(URL, data).content.decode()
    rows = html.split("<tbody>")[1].split("</tbody>")[0].split("</tr>")
    assert "普通参保居民" in rows[0] and "20150.00" in rows[0]
    assert "建档立卡贫困人口" in rows[1] and "5000.00" in rows[1]
    assert "特困" not in html.split("<tbody>")[1].split("</tbody>")[0]
    assert "25150.00" in html and "各笔人员类别见表" in html
    # The form keeps each row's choice when it is shown again.
    assert html.count('<option value="poor" selected>') >= 1


def test_a_hostile_row_category_is_a_chinese_message(staff_client):
    html = staff_client.post(URL, form(compare="none", claim_category=["x" * 500])).content.decode()
    assert "第 1 行，“人员类别”：未知人员类别" in html


def _registry_person(make_household):
    person = Person.objects.get(household=make_household(TOWN_A, members=1))
    StatusChange.objects.create(
        household=person.household, person=person, village_code=person.village_code,
        old_status="", new_status="new", effective_date="2016-08-10", reason="测试",
    )  # fmt: skip
    return person


def test_a_registry_person_gives_each_claim_the_category_of_its_day(
    db, make_household, town_a_user
):
    person = _registry_person(make_household)
    data = form(
        policy="jining",
        compare="none",
        person=str(person.pk),
        claim_category=["", ""],
        visit_type=["inpatient", "inpatient"],
        hospital_level=["3", "1"],
        chronic_class=["", ""],
        disease_code=["", ""],
        admission_date=["2016-03-01", "2016-09-01"],
        total_cost=["60000", "10000"],
        in_policy_cost=["50000", "10000"],
    )
    html = login(town_a_user).post(URL, data).content.decode()
    rows = html.split("<tbody>")[1].split("</tbody>")[0].split("</tr>")
    # Hand-worked in tests/policy/test_dated.py C-01 (as the quote API's test): general in March
    # (self-pay 27525.00), identified as poor in August; September's stay self-pays 490.50.
    assert "普通参保居民" in rows[0] and "27525.00" in rows[0]
    assert "2016-08-10 建档之前未在册" in rows[0]
    assert "建档立卡贫困人口" in rows[1] and "490.50" in rows[1]
    assert "建档立卡：2016-08-10 起为“新识别”" in rows[1]


def test_a_registry_person_outside_the_area_is_not_found(db, make_household, town_b_user):
    person = _registry_person(make_household)
    html = login(town_b_user).post(URL, form(person=str(person.pk))).content.decode()
    assert f"找不到登记人员 {person.pk}" in html
    assert person.name not in html and "27525.00" not in html
    # A hostile value is cut and answered in Chinese.
    html = login(town_b_user).post(URL, form(person="x" * 500)).content.decode()
    assert "找不到登记人员" in html


def test_a_registry_person_and_a_row_category_together_are_refused(db, make_household, town_a_user):
    person = _registry_person(make_household)
    data = form(person=str(person.pk), claim_category=["poor"])
    html = login(town_a_user).post(URL, data).content.decode()
    assert "第 1 行不能另选人员类别" in html
