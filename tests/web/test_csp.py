"""Content-Security-Policy: scripts and styles only from our own static files, nothing inline.

The header is asserted on the main pages; every template is read for what the policy would block
(inline event handlers, style attributes, javascript: links, inline scripts without a nonce).
tests/browser/test_csp_browser.py proves in Chromium that the pages work with it and break no rule.
"""

import re
from pathlib import Path

import pytest

import fupin
from fupin.access.models import Role
from tests.conftest import COUNTY, login

SRC = Path(fupin.__file__).parent
BLOCKED = [
    (
        re.compile(r"\son[a-z]+\s*=", re.I),
        "inline event handler (onclick=…): use data-action and web/fupin.js",
    ),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute: use a class in web/fupin.css"),
    (re.compile(r"javascript:", re.I), "javascript: link"),
    (re.compile(r"<style[\s>]", re.I), "inline <style>: use a static stylesheet"),
]
INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\s(src|nonce)=)(?![^>]*type=\"application/json\")[^>]*>", re.I
)


def directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_templates_have_nothing_the_policy_blocks():
    faults = []
    for path in sorted(SRC.rglob("templates/**/*.html")):
        text = path.read_text(encoding="utf-8")
        for n, line in enumerate(text.splitlines(), 1):
            faults += [
                f"{path.relative_to(SRC)}:{n}: {why}" for rx, why in BLOCKED if rx.search(line)
            ]
            if INLINE_SCRIPT.search(line):
                faults.append(f"{path.relative_to(SRC)}:{n}: inline <script> without nonce")
    assert not faults, "\n".join(faults)


@pytest.mark.parametrize("path", ["/login/", "/api/v1/docs"])
def test_public_pages_carry_the_policy(client, db, path):
    r = client.get(path)
    assert r.status_code == 200
    policy = directives(r["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"][0] == "'self'" and "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]


def test_api_docs_come_from_our_own_static_files(client, db):
    body = client.get("/api/v1/docs").content.decode()
    assert "cdn." not in body and "https://" not in body
    assert "/static/ninja/swagger-ui-bundle.js" in body


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/registry/households/",
        "/insurance/settlement/",
        "/admin/",
        "/admin/access/user/",
        "/employment/",
        "/exchange/imports/",
    ],
)
def test_staff_pages_carry_the_policy(make_user, path):
    admin = make_user("sysadmin", Role.ADMIN, COUNTY)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    r = login(admin).get(path)
    assert r.status_code == 200
    assert "'unsafe-inline'" not in r["Content-Security-Policy"]
    assert directives(r["Content-Security-Policy"])["script-src"][0] == "'self'"
    assert r["X-Frame-Options"] == "DENY" and r["X-Content-Type-Options"] == "nosniff"
