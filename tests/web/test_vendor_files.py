"""Every static file a template loads is found (a vendor file left out of VENDOR_FILES would 404), and
collectstatic gathers the vendor files the pages use — not the npm packages' whole dist folders."""

import re
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders

SRC = Path(__file__).resolve().parents[2] / "src" / "fupin"
STATIC_TAG = re.compile(r"""\{%\s*static\s+['"]([^'"]+)['"]""")


def template_static_paths() -> set[str]:
    return {
        m
        for t in SRC.rglob("templates/**/*.html")
        for m in STATIC_TAG.findall(t.read_text(encoding="utf-8"))
    }


def test_every_static_file_a_template_loads_is_found():
    paths = template_static_paths()
    assert "vendor/echarts/echarts.min.js" in paths and "vendor/htmx/htmx.min.js" in paths
    missing = sorted(p for p in paths if not finders.find(p))
    assert missing == []


def test_only_the_listed_vendor_files_are_collected():
    listed = {
        f"{prefix}/{path}"
        for finder in finders.get_finders()
        for path, storage in finder.list([])
        for prefix in [getattr(storage, "prefix", None)]
        if prefix and prefix.startswith("vendor/")
    }
    assert listed == {
        f"{prefix}/{name}" for prefix, (_, names) in settings.VENDOR_FILES.items() for name in names
    }
    assert "vendor/echarts/echarts.js" not in listed and not any(p.endswith(".map") for p in listed)
    assert finders.find("vendor/echarts/echarts.esm.js") is None
