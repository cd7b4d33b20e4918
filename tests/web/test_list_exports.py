"""Every list exports the set it shows: the page's 导出Excel link is its own address with format=xlsx,
so the export carries the filter and the scope of the page; areas are written as names."""

import re
from io import BytesIO
from urllib.parse import parse_qs, urlsplit

import pytest
from openpyxl import load_workbook

from fupin.access.models import AuditAction, AuditEntry
from tests.employment import factories

pytestmark = pytest.mark.django_db

TOWN_A, TOWN_B = "360222100", "360222101"
LISTS = [
    "/employment/employers/",
    "/employment/postings/",
    "/employment/fairs/",
    "/training/",
    "/training/coverage/",
    "/training/technical/",
    "/startup/subsidies/",
    "/registry/areas/",
]


def _rows(response) -> list[list]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats"), response[
        "Content-Type"
    ]
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


def _export_link(html: str) -> str:
    href = re.search(r'href="([^"]*format=xlsx[^"]*)"', html)
    assert href, "no 导出Excel link on the page"
    return href.group(1).replace("&amp;", "&")


@pytest.mark.parametrize("url", LISTS)
def test_each_list_offers_its_export_with_chinese_headers(url, client, town_a_user):
    client.force_login(town_a_user)
    page = client.get(url)
    assert page.status_code == 200
    link = _export_link(page.content.decode())
    assert urlsplit(link).path == url
    rows = _rows(client.get(link))
    assert rows and all(isinstance(h, str) and not re.fullmatch(r"[A-Za-z_]+", h) for h in rows[0])


def test_export_keeps_the_filter_and_the_scope_and_names_areas(client, town_a_user):
    factories.employer(TOWN_A, name="浮梁茶厂")
    factories.employer(TOWN_A, name="瓷都陶瓷")
    factories.employer(TOWN_B, name="鹅湖茶厂")  # another township's: never in A's export
    client.force_login(town_a_user)
    page = client.get("/employment/employers/", {"q": "茶厂"})
    link = _export_link(page.content.decode())
    assert parse_qs(urlsplit(link).query)["q"] == ["茶厂"]
    rows = _rows(client.get(link))
    assert rows[0][:4] == ["名称", "统一社会信用代码", "类型", "登记区划"]
    assert [r[0] for r in rows[1:]] == ["浮梁茶厂"]
    assert rows[1][3] == "浮梁镇" and not re.search(r"\d{9}", rows[1][3])
    assert AuditEntry.objects.filter(
        action=AuditAction.EXPORT, summary__contains="用人单位"
    ).exists()


def test_the_list_page_names_areas_instead_of_codes(client, town_a_user):
    factories.employer(TOWN_A, name="浮梁茶厂")
    client.force_login(town_a_user)
    html = client.get("/employment/employers/").content.decode()
    assert "浮梁镇" in html and "360222100000" not in html


def test_long_lists_are_paged_and_the_export_holds_them_all(client, town_a_user):
    import datetime as dt

    from fupin.training.models import Course

    for n in range(55):
        Course.objects.create(
            title=f"茶叶加工班{n:02d}",
            trade="茶叶加工",
            provider="县职校",
            area_code=TOWN_A + "000",
            place="镇文化站",
            starts_on=dt.date(2018, 3, 1),
            ends_on=dt.date(2018, 3, 10),
        )
    Course.objects.create(
        title="鹅湖班",
        trade="茶叶加工",
        provider="县职校",
        area_code=TOWN_B + "000",
        place="鹅湖",
        starts_on=dt.date(2018, 3, 1),
        ends_on=dt.date(2018, 3, 10),
    )
    client.force_login(town_a_user)
    first = client.get("/training/").content.decode()
    assert first.count("茶叶加工班") == 50 and "第 1 / 2 页，共 55 条" in first
    second = client.get("/training/", {"page": 2}).content.decode()
    assert second.count("茶叶加工班") == 5
    rows = _rows(client.get(_export_link(second)))
    assert len(rows) - 1 == 55 and "鹅湖班" not in {r[0] for r in rows}
