"""Error pages and refusals are Chinese and keep the site's look (issue 8, item 5)."""

import re

from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation

from tests.conftest import login


def chinese_page(response) -> str:
    page = response.content.decode()
    assert 'lang="zh-hans"' in page and "扶贫 · 就业社保精准扶贫平台" in page, page[:300]
    return page


def test_404_page_is_chinese(county_user):
    r = login(county_user).get("/no-such-page/")
    assert r.status_code == 404 and "页面不存在" in chinese_page(r)
    assert "Not Found" not in r.content.decode()


def test_400_page_is_chinese(county_user):
    r = login(county_user).get("/", HTTP_HOST="evil.example")
    assert r.status_code == 400 and "请求无效" in chinese_page(r)
    assert "Bad Request" not in r.content.decode()


def test_500_and_403_templates_are_chinese_without_a_request():
    for name, words in (
        ("500.html", "系统出错"),
        ("403.html", "无权访问"),
        ("400.html", "请求无效"),
    ):
        with translation.override("zh-hans"):
            html = render_to_string(name)
        assert words in html and "扶贫 · 就业社保精准扶贫平台" in html


def test_page_csrf_failure_is_chinese(county_user):
    c = Client(enforce_csrf_checks=True)
    c.force_login(county_user)
    r = c.post("/registry/households/new/", {"number": "H1"})
    assert r.status_code == 403 and "CSRF 校验失败" in chinese_page(r)


def test_wrong_method_is_chinese_on_pages_and_api(county_user, make_household):
    c = login(county_user)
    person = make_household(members=1).members.get()
    r = c.get(f"/training/technical/{person.pk}/grant/")
    assert r.status_code == 405 and "不支持 GET 请求" in chinese_page(r)
    r = c.delete("/api/v1/persons")
    assert r.status_code == 405 and r.json()["detail"].startswith("不支持 DELETE 请求")
    assert re.search("GET|POST", r["Allow"])


def test_too_large_form_post_is_chinese(county_user, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    r = login(county_user).post("/registry/households/new/", {"address": "址" * 2000})
    assert r.status_code == 413 and "提交的内容过大" in chinese_page(r)
