"""空字符（NUL）: no query-string or form parameter carrying a NUL byte reaches a view — on
PostgreSQL it was a 500 wherever a view passed it to a query (registry and payments searches).
Every URL pattern of the site is walked with ?q=a%00b; run this file on PostgreSQL too."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from fupin.registry.models import Household
from fupin.web.middleware import NUL_MESSAGE
from tests.conftest import TOWN_A, login

CJK = re.compile(r"[\u4e00-\u9fff]")
NUL_QUERY = {"q": "a\x00b"}
SAMPLE = {
    "int": "1",
    "str": "x",
    "slug": "x",
    "path": "x",
    "uuid": "0" * 8 + "-0000-0000-0000-" + "0" * 12,
}


def _urls(patterns=None, prefix=""):
    """One concrete URL for each route pattern of the site (regex patterns are skipped)."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        route = getattr(p.pattern, "_route", None)
        if route is None:
            continue
        part = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE.get(m.group(1) or "str", "1"), route)
        if isinstance(p, URLResolver):
            yield from _urls(p.url_patterns, prefix + part)
        elif isinstance(p, URLPattern):
            yield "/" + prefix + part


def site_urls():
    found = set()
    for url in _urls():
        try:
            resolve(url)
        except Resolver404:
            continue
        found.add(url)
    return sorted(found)


def test_the_walk_reaches_every_app_and_the_api():
    urls = site_urls()
    assert len(urls) > 200
    for url in ["/registry/households/", "/payments/", "/api/v1/households", "/appraisal/"]:
        assert url in urls, url


def test_every_route_refuses_a_nul_in_the_query_string_in_chinese(county_user):
    c = login(county_user)
    for url in site_urls():
        r = c.get(url, NUL_QUERY)
        assert r.status_code == 400, (url, r.status_code)
        if url.startswith("/api/"):
            assert r.json() == {"detail": NUL_MESSAGE}, url
        else:
            assert NUL_MESSAGE in r.content.decode(), url


@pytest.mark.parametrize("url", ["/registry/households/", "/payments/", "/api/v1/households"])
def test_the_searches_that_were_500_on_postgresql(county_user, make_household, url):
    make_household(TOWN_A, 1)
    c = login(county_user)
    assert c.get(url, {"q": "ab"}).status_code == 200  # the guard refuses NUL, nothing else
    for query in ["q=a%00b", "q=%00", "a%00=1", "page=1&q=x&q=%00"]:
        r = c.get(f"{url}?{query}")
        assert r.status_code == 400, (url, query)


def test_a_form_field_with_nul_is_refused_and_nothing_is_written(county_user):
    before = Household.objects.count()
    r = login(county_user).post("/registry/households/new/", {"address": "浮梁\x00镇"})
    assert r.status_code == 400 and NUL_MESSAGE in r.content.decode()
    assert Household.objects.count() == before


def test_json_bodies_are_left_to_the_apps_own_checks(county_user, make_household):
    """The appraisal API names the field itself (640bebf): the guard does not read JSON."""
    person = make_household(TOWN_A, 1).members.get()
    r = login(county_user).post(
        f"/api/v1/appraisal/persons/{person.pk}/notice",
        {"note": "已\x00通知"},
        content_type="application/json",
    )
    assert r.status_code == 422 and "空字符" in r.json()["detail"], r.content.decode()
    assert r.json()["detail"] != NUL_MESSAGE


def test_a_form_body_sent_to_a_json_route_is_still_answered_in_chinese(county_user):
    """The guard must not consume a multipart body a JSON route reads itself."""
    c = login(county_user)
    for data in [{"policy": "jilin"}, {"policy": "ji\x00lin"}]:
        r = c.post("/api/v1/settlements/quote", data)  # multipart/form-data
        assert 400 <= r.status_code < 500 and CJK.search(r.json()["detail"]), r.content.decode()
