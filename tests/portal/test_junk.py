"""Every resident route, as a resident, survives junk (GET and POST, huge and hostile values): never a
500 (on PostgreSQL too: NUL characters never reach the database), nothing written but what a valid form
would write."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from fupin.portal.models import Assistance, ResidentRequest
from tests.conftest import TOWN_A
from tests.portal.clients import resident_client

JUNK = {
    "tier": "1e309",
    "wished_trade": "\x00" * 10,
    "wished_work": "'; DROP TABLE registry_person; --\x00",
    "disease": "<script>alert(1)</script>",
    "phone": "１３９００００１１１１１１１１",
    "note": "字" * 5000,
    "code": "9" * 200,
    "id_number": {"a": 1},
    "pk": "NaN",
    "page": "-1",
    "next": "//evil.example/",
}


def resident_routes():
    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
                yield from walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern) and getattr(p.callback, "resident_only", False):
                yield prefix + p.name, list(p.pattern.converters)

    return list(walk(get_resolver().url_patterns))


def test_there_are_resident_routes():
    names = {n for n, _ in resident_routes()}
    assert {"portal:home", "portal:me", "portal:claim", "portal:request_pension"} <= names


@pytest.fixture
def resident(make_household):
    return make_household(TOWN_A, members=2).members.order_by("id").first()


def test_junk_everywhere(resident):
    c = resident_client(resident)
    for name, converters in resident_routes():
        kwargs = {k: 2**62 for k in converters}
        url = reverse(name, kwargs=kwargs)
        for method in ("get", "post"):
            data = {k: str(v) for k, v in JUNK.items()}
            r = getattr(c, method)(url, data)
            assert r.status_code < 500, f"{method.upper()} {url} → {r.status_code}"
    assert not ResidentRequest.objects.exists()  # the 5000-character note refuses every form
    assert not Assistance.objects.exists()
    # NUL is refused before the view (fupin.web.middleware.NulGuardMiddleware); a valid job
    # request whose text carries control characters is stored as plain text
    r = c.post(reverse("portal:request_job"), {"wished_work": JUNK["wished_work"]})
    assert r.status_code == 400 and "空字符（NUL）" in r.content.decode()
    r = c.post(reverse("portal:request_job"), {"wished_work": JUNK["wished_work"][:-1] + "\x07"})
    assert r.status_code == 302
    stored = ResidentRequest.objects.get().detail["wished_work"]
    assert stored == "'; DROP TABLE registry_person; --"
