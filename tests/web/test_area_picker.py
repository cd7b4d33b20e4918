"""One area picker: a name typed (or chosen from the list of the user's areas) is read as the area;
ambiguity and areas outside the user's scope are answered in Chinese."""

import pytest
from django.urls import reverse

from fupin.areas.lookup import AreaNotFound
from fupin.areas.models import Area
from fupin.employment.models import RecommendationBatch
from fupin.web.picker import AreaPickerField, OutOfArea, options, parse_area

pytestmark = pytest.mark.django_db

TOWN_A, TOWN_B = "360222100", "360222101"


def test_names_paths_and_codes_read_as_the_same_area(town_a_user, county_user):
    assert parse_area(county_user, "浮梁镇") == TOWN_A + "000"
    assert parse_area(county_user, "浮梁县 › 浮梁镇") == TOWN_A + "000"
    assert parse_area(county_user, "浮梁县浮梁镇") == TOWN_A + "000"
    assert parse_area(county_user, TOWN_A) == TOWN_A + "000"
    assert parse_area(county_user, "360222100000") == TOWN_A + "000"
    village = Area.objects.filter(code__startswith=TOWN_A, level=5).order_by("code").first()
    assert parse_area(town_a_user, f"浮梁县 › 浮梁镇 › {village.name}") == village.code


def test_outside_the_scope_and_unknown_names_are_refused_in_chinese(town_a_user):
    with pytest.raises(OutOfArea, match="不在本辖区"):
        parse_area(town_a_user, "鹅湖镇")
    with pytest.raises(AreaNotFound, match="找不到名为“火星镇”的区划"):
        parse_area(town_a_user, "火星镇")


@pytest.mark.parametrize("typed", ["浮梁\x00县", "\x00", "鹅湖\ud800镇", "\x07360222"])
def test_control_characters_are_refused_in_chinese_not_sent_to_the_database(town_a_user, typed):
    with pytest.raises(AreaNotFound, match="控制字符"):
        parse_area(town_a_user, typed)


def test_the_list_offers_only_the_users_areas_by_name(town_a_user, county_user):
    mine = options(town_a_user)
    assert mine[0] == "浮梁县 › 浮梁镇" and all(o.startswith("浮梁县 › 浮梁镇") for o in mine)
    assert not any("鹅湖镇" in o for o in mine)
    assert any(o == "浮梁县 › 鹅湖镇" for o in options(county_user))
    assert not any(o[:1].isdigit() for o in options(county_user))


def test_form_field_cleans_to_the_code_and_renders_names(town_a_user):
    field = AreaPickerField(user=town_a_user)
    assert field.clean("浮梁镇") == TOWN_A + "000"
    html = field.widget.render("area", TOWN_A + "000")
    assert 'value="浮梁县 › 浮梁镇"' in html and "<datalist" in html and TOWN_A + "000" not in html


def test_batch_recommendation_takes_the_township_by_name(client, town_a_user):
    client.force_login(town_a_user)
    page = client.get(reverse("employment:home")).content.decode()
    assert 'list="areas-area"' in page and 'value="浮梁县 › 浮梁镇"' in page
    r = client.post(reverse("employment:batch_run"), {"area": "浮梁镇"})
    assert r.status_code == 302
    assert RecommendationBatch.objects.get().area_code == TOWN_A + "000"
    assert client.post(reverse("employment:batch_run"), {"area": "鹅湖镇"}).status_code == 403
