"""The bureau's letterhead names the county of settings.COUNTY_CODE: no county name is written into a template."""

import re
from pathlib import Path

from django.test import Client

from fupin.areas.models import Area, Level

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "fupin"
# a county's name written before the bureau's title, e.g. “某某县人力资源和社会保障局”
WRITTEN_IN = re.compile(r"[\u4e00-\u9fff]+[县市区]人力资源和社会保障局")


def test_no_template_writes_a_county_name_into_the_letterhead():
    found = [
        f"{path.relative_to(TEMPLATES)}: {m.group(0)}"
        for path in TEMPLATES.rglob("*.html")
        for m in WRITTEN_IN.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_letterhead_follows_the_configured_county(areas, settings):
    page = Client().get("/portal/login/").content.decode()
    assert "浮梁县人力资源和社会保障局" in page

    Area.objects.create(
        code="360281",
        name="乐平市",
        level=Level.COUNTY,
        parent=Area.objects.get(code="360222").parent,
    )
    settings.COUNTY_CODE = "360281"
    page = Client().get("/portal/login/").content.decode()
    assert "乐平市人力资源和社会保障局" in page and "浮梁县人力资源" not in page
