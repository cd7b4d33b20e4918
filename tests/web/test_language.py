"""Chinese by default whatever the browser says; English when the user chooses it."""

from tests.conftest import login


def test_chinese_even_for_an_english_browser(make_household, town_a_user):
    make_household(members=1, status="poor")
    c = login(town_a_user)
    page = c.get("/registry/households/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "贫困户名单" in page and "未脱贫" in page and "Poor households" not in page


def test_english_when_chosen(make_household, town_a_user):
    make_household(members=1, status="poor")
    c = login(town_a_user)
    r = c.post("/i18n/setlang/", {"language": "en", "next": "/registry/households/"})
    assert r.status_code == 302
    page = c.get("/registry/households/").content.decode()
    assert (
        "Poor households" in page and "Not yet out of poverty" in page and "Export to Excel" in page
    )


def test_the_choice_ends_with_the_request(make_household, town_a_user):
    """An English page must not leave English switched on for later work in the same thread."""
    from django.utils import translation

    make_household(members=1, status="poor")
    c = login(town_a_user)
    c.post("/i18n/setlang/", {"language": "en", "next": "/registry/households/"})
    c.get("/registry/households/")
    assert translation.get_language() == "zh-hans"
