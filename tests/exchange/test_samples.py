"""The demo's sample import files (示例文件) on the import page: offered in demo mode only, each by
its import kind, only to users who may import that kind, and never any other file on the disk."""

from urllib.parse import quote

import pytest
from django.urls import reverse

from fupin.exchange.demo import SAMPLE_FILES
from tests.conftest import login


@pytest.fixture
def samples(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.DEMO_MODE = True
    folder = tmp_path / "demo"
    folder.mkdir()
    contents = {}
    for i, (kind, name) in enumerate(SAMPLE_FILES.items()):
        contents[kind] = f"sample {i} for {kind}".encode()
        (folder / name).write_bytes(contents[kind])
    (folder / "secret.xlsx").write_bytes(b"not a demo file")
    (tmp_path / "fupin.sqlite3.bak").write_bytes(b"database copy")
    return contents


def test_county_sees_and_downloads_every_sample(samples, county_user):
    client = login(county_user)
    page = client.get(reverse("exchange:imports")).content.decode()
    assert "示例文件" in page and "secret.xlsx" not in page
    for kind, name in SAMPLE_FILES.items():
        assert name in page
        r = client.get(reverse("exchange:sample"), {"kind": kind})
        assert r.status_code == 200
        assert b"".join(r.streaming_content) == samples[kind]
        assert f"filename*=utf-8''{quote(name)}" in r["Content-Disposition"]


def test_township_gets_the_roster_sample_only(samples, town_a_user):
    """Enrolment extracts are imported by the county and the insurance agency only."""
    client = login(town_a_user)
    page = client.get(reverse("exchange:imports")).content.decode()
    assert SAMPLE_FILES["roster"] in page
    assert SAMPLE_FILES["medical"] not in page and SAMPLE_FILES["pension"] not in page
    assert client.get(reverse("exchange:sample"), {"kind": "roster"}).status_code == 200
    assert client.get(reverse("exchange:sample"), {"kind": "medical"}).status_code == 404


@pytest.mark.parametrize(
    "kind",
    [
        "secret",
        "secret.xlsx",
        "../secret.xlsx",
        "../fupin.sqlite3.bak",
        "/etc/passwd",
        "roster/../../fupin.sqlite3.bak",
        "",
        "dibao",
    ],
)
def test_nothing_else_is_served(samples, county_user, kind):
    r = login(county_user).get(reverse("exchange:sample"), {"kind": kind})
    assert r.status_code == 404


def test_outside_demo_mode_nothing_is_offered(samples, settings, county_user):
    settings.DEMO_MODE = False
    client = login(county_user)
    assert "示例文件" not in client.get(reverse("exchange:imports")).content.decode()
    assert client.get(reverse("exchange:sample"), {"kind": "roster"}).status_code == 404


def test_a_sample_the_demo_did_not_write_is_not_offered(samples, settings, county_user):
    (settings.DATA_DIR / "demo" / SAMPLE_FILES["pension"]).unlink()
    client = login(county_user)
    assert SAMPLE_FILES["pension"] not in client.get(reverse("exchange:imports")).content.decode()
    assert client.get(reverse("exchange:sample"), {"kind": "pension"}).status_code == 404


def test_login_required(samples, client):
    r = client.get(reverse("exchange:sample"), {"kind": "roster"})
    assert r.status_code == 302 and "/login/" in r["Location"]
