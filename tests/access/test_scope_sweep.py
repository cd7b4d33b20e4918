"""The area-scope sweep: every URL pattern and every API route, as two township accounts
and the county account. No township account may read, list, search, export or change
anything outside its township.

Every model of every module has a marked record in each township (tests/access/marks.py): a
text only that record contains. No township page, API answer or export may contain another
township's marker; the county account must see every marker somewhere, or the sweep could not
tell a leak. A model without a marked record, and a URL taking an object id without a factory in
OBJECT_FACTORIES (keyed by URL name for pages, by path template for API routes), fail on purpose.
"""

import io
import json
from collections.abc import Callable

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from python_calamine import CalamineWorkbook

from fupin.access.audit import record
from fupin.access.models import ApiToken, AuditAction, AuditEntry, User
from fupin.api.api import api
from fupin.areas.models import Area, Level
from fupin.employment.models import Occupation
from fupin.registry.models import Household, Person, StatusChange
from tests.appraisal import sweep as appraisal_sweep
from tests.certification import sweep as certification_sweep
from tests.complaints import sweep as complaints_sweep
from tests.conftest import TOWN_A, TOWN_B, login
from tests.employment import sweep as employment_sweep
from tests.exchange import sweep as exchange_sweep
from tests.insurance import claims_sweep
from tests.insurance import sweep as insurance_sweep
from tests.management import sweep as management_sweep
from tests.monitoring import sweep as monitoring_sweep
from tests.payments import sweep as payments_sweep
from tests.portal import sweep as portal_sweep
from tests.portal.clients import resident_client
from tests.registration import sweep as registration_sweep
from tests.unemployment import sweep as unemployment_sweep
from tests.workinjury import sweep as workinjury_sweep

from .marks import (
    MARK,
    NOT_AREA_BOUND,
    NOT_SHOWN,
    leaks,
    marked_models,
    marker,
    missing_marked_records,
)

NOT_AREA_BOUND.update(
    {
        User: "staff accounts, kept by administrators in the Django admin",
        ApiToken: "a user's own bearer tokens, stored as hashes and never listed",
        Occupation: "reference data: the national occupational classification",
    }
)
NOT_SHOWN[AuditEntry] = (
    "read on /audit/ by auditors only: tests/access/test_audit_scope.py and "
    "test_auditors_see_only_their_townships_marker"
)
SKIP_PREFIXES = ("admin", "static", "i18n", "login", "logout", "api/v1")

Factory = Callable[..., dict]
OBJECT_FACTORIES: dict[str, Factory] = {}
# Objects every user may read: no area (policy packs, reference data) or shared-readable
# (postings, read county-wide and written only by their owner).
SHARED: set[str] = set()


def factory(*keys: str):
    def register(fn: Factory) -> Factory:
        for k in keys:
            OBJECT_FACTORIES[k] = fn
        return fn

    return register


@factory(
    "registry:household",
    "registry:household_edit",
    "registry:household_status",
    "/api/v1/households/{pk}",
    "/api/v1/households/{pk}/status",
)
def _household(world, town):
    return {"pk": world[town]["household"].pk}


@factory(
    "registry:person",
    "registry:person_edit",
    "registry:person_status",
    "registry:unmask",
    "/api/v1/persons/{pk}",
    "/api/v1/persons/{pk}/status",
)
def _person(world, town):
    return {"pk": world[town]["person"].pk}


@factory("/api/v1/areas/{code}")
def _area(world, town):
    return {"code": town}


@factory("/api/v1/policies/{policy_id}")
def _policy(world, town):
    return {"policy_id": "fuliang-2018"}


SHARED.add("/api/v1/policies/{policy_id}")


def _walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), (namespace + p.name) if p.name else None, p


def page_patterns():
    out = []
    for route, name, pattern in _walk(get_resolver().url_patterns):
        if route.startswith(SKIP_PREFIXES) or name is None:
            continue
        out.append((route, name, list(pattern.pattern.converters)))
        if getattr(pattern.callback, "resident_only", False):
            RESIDENT_ROUTES.add(name)
    return out


# Resident pages (fupin.portal.auth.resident_required): walked as a resident of each township's
# marked household instead of a staff account; another household's ids must answer 403/404.
RESIDENT_ROUTES: set[str] = set()


def api_routes():
    schema = api.get_openapi_schema()
    for path, methods in schema["paths"].items():
        for method in methods:
            yield path, method.upper()


@pytest.fixture
def world(make_household, town_a_user, town_b_user, county_user):
    """In each of two townships: a marked household with members, its history, a village and an
    audit entry; then every module's marked records (WORLD_EXTENSIONS)."""
    data = {}
    users = {TOWN_A: town_a_user, TOWN_B: town_b_user}
    for town in (TOWN_A, TOWN_B):
        hh = make_household(town, members=2, address=marker(town, Household))
        Household.objects.filter(pk=hh.pk).update(
            head_name=marker(town, Household), cadre_name=marker(town, Household)
        )
        Person.objects.filter(household=hh).update(name=marker(town, Person))
        data[town] = {
            "household": Household.objects.get(pk=hh.pk),
            "person": Person.objects.filter(household=hh).first(),
        }
        StatusChange.objects.create(
            household=hh,
            village_code=hh.village_code,
            old_status="",
            new_status="new",
            effective_date=hh.created_at.date(),
            reason=marker(town, StatusChange),
            changed_by=users[town],
        )
        Area.objects.create(
            code=town + "999",
            name=marker(town, Area),
            level=Level.VILLAGE,
            parent=Area.objects.get(code=town),
        )
        record(
            AuditAction.EXPORT,
            user=users[town],
            object_type="export",
            object_id="x.xlsx",
            summary=marker(town, AuditEntry),
        )
    for module_factory in WORLD_EXTENSIONS:
        module_factory(data, {TOWN_A: town_a_user, TOWN_B: town_b_user})
    data["users"] = {TOWN_A: town_a_user, TOWN_B: town_b_user, "county": county_user}
    return data


# Modules that need more objects in each township (postings, import jobs …) add a
# function(world, users_by_town) here that fills world[town][key].
WORLD_EXTENSIONS: list[Callable] = []

employment_sweep.install(factory, WORLD_EXTENSIONS, SHARED)  # 就业帮扶、培训、创业、台账
exchange_sweep.install(factory, WORLD_EXTENSIONS)  # 数据导入与信息比对
payments_sweep.install(factory, WORLD_EXTENSIONS)  # 资金发放
appraisal_sweep.install(factory, WORLD_EXTENSIONS, SHARED)  # 慢性病鉴定
management_sweep.install(factory, WORLD_EXTENSIONS, SHARED)  # 工作调度：指标、目标、台账、通报
insurance_sweep.install(factory, WORLD_EXTENSIONS)  # 社保扶贫代缴、补缴、参保记录
claims_sweep.install(factory, WORLD_EXTENSIONS)  # 医疗费用结算单入库、政策测算
monitoring_sweep.install(factory, WORLD_EXTENSIONS)  # 防止返贫监测
portal_sweep.install(factory, WORLD_EXTENSIONS)  # 居民服务门户、代办
certification_sweep.install(factory, WORLD_EXTENSIONS)  # 待遇领取资格认证
workinjury_sweep.install(factory, WORLD_EXTENSIONS)  # 工伤认定绿色通道
unemployment_sweep.install(factory, WORLD_EXTENSIONS)  # 价格临时补贴
registration_sweep.install(factory, WORLD_EXTENSIONS)  # 全民参保登记
complaints_sweep.install(factory, WORLD_EXTENSIONS)  # 诉求与投诉


def text_of(response) -> str:
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    if body[:2] == b"PK":  # xlsx
        book = CalamineWorkbook.from_filelike(io.BytesIO(body))
        return "\n".join(
            str(c)
            for name in book.sheet_names
            for row in book.get_sheet_by_name(name).to_python()
            for c in row
        )
    return body.decode("utf-8", errors="replace")


def snapshot():
    return (
        sorted(
            Household.objects.values_list("id", "status", "address", "head_name", "village_code")
        ),
        sorted(Person.objects.values_list("id", "status", "name", "village_code")),
        StatusChange.objects.count(),
    )


def test_every_page_is_scoped(world):
    town_a, town_b = world["users"][TOWN_A], world["users"][TOWN_B]
    county = login(world["users"]["county"])
    before = snapshot()
    missing = []
    for _route, name, converters in page_patterns():
        for user, own, other in ((town_a, TOWN_A, TOWN_B), (town_b, TOWN_B, TOWN_A)):
            client = login(user)
            if name in RESIDENT_ROUTES:
                client = resident_client(world[own]["person"])
            if converters:
                if name not in OBJECT_FACTORIES:
                    missing.append(name)
                    break
                url = reverse(name, kwargs=OBJECT_FACTORIES[name](world, other))
                if (
                    name in SHARED
                ):  # shared-readable (a posting): readable county-wide, its edit page is not
                    r = client.get(url)
                    assert r.status_code == 200, f"GET {url} as {user} → {r.status_code}"
                    assert not (found := leaks(text_of(r), other)), f"{url} leaks {found} to {user}"
                    continue
                for method in ("get", "post"):
                    r = getattr(client, method)(url)
                    assert r.status_code in (403, 404, 405), (
                        f"{method.upper()} {url} as {user} → {r.status_code}"
                    )
                    assert not (found := leaks(text_of(r), other)), f"{url} leaks {found} to {user}"
                own_url = reverse(name, kwargs=OBJECT_FACTORIES[name](world, own))
                r = client.get(own_url)
                assert r.status_code in (200, 302, 405), f"own object {own_url} not reachable"
                assert not (found := leaks(text_of(r), other)), f"{own_url} leaks {found} to {user}"
            else:
                url = reverse(name)
                for params in ({}, {"q": MARK[other]}, {"area": other}):
                    r = client.get(url, params)
                    assert r.status_code < 500, f"GET {url} {params} → {r.status_code}"
                    assert not (found := leaks(text_of(r), other)), (
                        f"{url} {params} leaks {found} to {user}"
                    )
    assert not missing, f"add OBJECT_FACTORIES entries for: {sorted(set(missing))}"
    assert snapshot() == before, "a township account changed data outside its township"
    # The county sees both townships: the sweep can fail.
    text = text_of(county.get(reverse("registry:households")))
    assert leaks(text, TOWN_A) and leaks(text, TOWN_B)
    export = text_of(county.get(reverse("registry:households_export")))
    assert leaks(export, TOWN_A) and leaks(export, TOWN_B)
    found = text_of(county.get(reverse("registry:households"), {"q": MARK[TOWN_B]}))
    assert marker(TOWN_B, Household) in found and marker(TOWN_A, Household) not in found


def test_every_api_route_is_scoped(world):
    before = snapshot()
    missing = []
    for path, method in api_routes():
        if path.endswith("/auth/token"):
            continue
        params = [seg[1:-1] for seg in path.split("/") if seg.startswith("{")]
        for user, own, other in (
            (world["users"][TOWN_A], TOWN_A, TOWN_B),
            (world["users"][TOWN_B], TOWN_B, TOWN_A),
        ):
            client = login(user)
            if params:
                if path not in OBJECT_FACTORIES:
                    missing.append(path)
                    break
                kwargs = OBJECT_FACTORIES[path](world, other)
                url = path.format(**kwargs)
                r = client.generic(method, url, "{}", content_type="application/json")
                if (
                    path in SHARED
                ):  # readable by every user of the county (a policy pack, a posting)
                    assert r.status_code == 200 if method == "GET" else r.status_code < 500, (
                        f"{method} {url} as {user} → {r.status_code}"
                    )
                    assert not (found := leaks(text_of(r), other)), (
                        f"{method} {url} leaks {found} to {user}"
                    )
                    continue
                assert r.status_code in (403, 404, 422), (
                    f"{method} {url} as {user} → {r.status_code}"
                )
                assert not (found := leaks(text_of(r), other)), (
                    f"{method} {url} leaks {found} to {user}"
                )
                if method == "GET":
                    own_url = path.format(**OBJECT_FACTORIES[path](world, own))
                    r = client.get(own_url)
                    assert r.status_code == 200, f"own object {own_url} not reachable"
                    assert not (found := leaks(text_of(r), other)), (
                        f"{own_url} leaks {found} to {user}"
                    )
            elif method == "GET":
                for query in ("", f"?q={MARK[other]}", f"?area={other}"):
                    r = client.get(path + query)
                    assert r.status_code < 500, f"GET {path}{query} → {r.status_code}"
                    assert not (found := leaks(text_of(r), other)), (
                        f"{path}{query} leaks {found} to {user}"
                    )
    assert not missing, f"add OBJECT_FACTORIES entries for API paths: {sorted(set(missing))}"
    assert snapshot() == before
    county = login(world["users"]["county"])
    body = county.get("/api/v1/households?limit=200").content.decode()
    assert leaks(body, TOWN_A) and leaks(body, TOWN_B)


def test_every_model_has_a_marked_record_in_each_township(world):
    """A new model (of any module) joins the sweep with a marked record in each township, made by
    its module's world factory (tests/<app>/sweep.py) with `marks.marker(town, Model)`."""
    missing = missing_marked_records()
    assert not missing, "no marked record of: " + "; ".join(missing)


def test_the_county_sees_every_marker(world):
    """Every marker turns up somewhere for the county account — else the sweep could not notice
    that model leaking — except the NOT_SHOWN ones, which must indeed turn up nowhere."""
    county = login(world["users"]["county"])
    texts = []
    for _route, name, converters in page_patterns():
        for kwargs in (
            [OBJECT_FACTORIES[name](world, town) for town in (TOWN_A, TOWN_B)]
            if converters
            else [{}]
        ):
            texts.append(text_of(county.get(reverse(name, kwargs=kwargs))))
    for path, method in api_routes():
        if method == "GET":
            params = "{" in path
            for town in (TOWN_A, TOWN_B) if params else (None,):
                texts.append(
                    text_of(
                        county.get(
                            path.format(**OBJECT_FACTORIES[path](world, town)) if params else path
                        )
                    )
                )
    seen = "\n".join(texts)
    unseen = [
        f"{m._meta.label} {town}"
        for m in marked_models()
        if m not in NOT_SHOWN
        for town in (TOWN_A, TOWN_B)
        if marker(town, m) not in seen
    ]
    assert not unseen, (
        "no page, API route or export shows these markers to the county (list them in NOT_SHOWN "
        f"with the test that covers them): {unseen}"
    )
    shown = [
        m._meta.label for m in NOT_SHOWN if marker(TOWN_A, m) in seen or marker(TOWN_B, m) in seen
    ]
    assert not shown, f"shown after all — remove from NOT_SHOWN: {shown}"


def test_auditors_see_only_their_townships_marker(world, make_user):
    for own, other in ((TOWN_A, TOWN_B), (TOWN_B, TOWN_A)):
        client = login(make_user(f"auditor-{own}", "auditor", own))
        for params in ({}, {"object": MARK[other]}, {"user": world["users"][other].username}):
            text = text_of(client.get(reverse("audit"), params))
            assert not (found := leaks(text, other)), f"/audit/ {params} leaks {found}"
        assert marker(own, AuditEntry) in text_of(client.get(reverse("audit")))


def test_township_cannot_create_outside_its_township(world):
    client = login(world["users"][TOWN_A])
    other_hh = world[TOWN_B]["household"]
    r = client.post(
        "/api/v1/persons",
        {
            "household": other_hh.pk,
            "id_number": "360222198001010014",
            "name": "越界者",
            "relation": "child",
        },
        content_type="application/json",
    )
    assert r.status_code == 422 and "不在本辖区" in r.content.decode()
    village_b = Household.objects.get(pk=other_hh.pk).village_code
    r = client.post(
        "/api/v1/households",
        {"number": "X1", "village": village_b, "year_identified": 2016, "main_cause": "illness"},
        content_type="application/json",
    )
    assert r.status_code == 422 and "不在本辖区" in r.json()["errors"]["village"][0]
    assert not Person.objects.filter(name="越界者").exists()
    assert not Household.objects.filter(number="X1").exists()


JUNK = {
    "page": "-1",
    "after": "abc",
    "area": "36022210000x",
    "year": "0",
    "month": "13",
    "q": "'; drop table --",
    "status": "nope",
    "kind": "??",
    "category": "x" * 300,
    "pk": "NaN",
    "date": "2020-02-30",
    "limit": "-5",
}
# Out of every range: far-future dates, numbers past bigint, NaN amounts, text past every column.
HUGE = "99999999999999999999999"
FAR_JUNK = {
    "page": HUGE,
    "after": HUGE,
    "year": HUGE,
    "month": "9999-12",
    "day": "9999-12-31",
    "date": "0001-01-01",
    "start_on": "9999-11-01",
    "founded_on": "9999-12-31",
    "due_on": "9999-12-31",
    "held_on": "9999-12-31",
    "visited_on": "0001-01-01",
    "effective_date": "9999-12-31",
    "person": HUGE,
    "posting": HUGE,
    "household": HUGE,
    "employer": HUGE,
    "principal": "NaN",
    "wage": "1e999999",
    "wage_min": "-1",
    "subsidy": "Infinity",
    "limit": HUGE,
    "offset": HUGE,
    "note": "长" * 5000,
    "school": "校" * 5000,
    "certificate_no": "证" * 5000,
    "description": "述" * 5000,
    "outcome": "o" * 5000,
    "reason": "因" * 5000,
    "name": "名" * 5000,
    "term_months": HUGE,
    "positions": HUGE,
}


def test_every_page_survives_junk_input(world):
    """Never a 500: every page, GET with nonsense parameters and POST with a nonsense form."""
    county = login(world["users"]["county"])

    # Statuses and identities only: a parameterless action (start a comparison) may rightly
    # recompute derived columns such as head_name.
    def registry_state():
        return (
            sorted(Household.objects.values_list("id", "status", "village_code")),
            sorted(Person.objects.values_list("id", "status", "name", "id_number", "village_code")),
        )

    before = registry_state()
    for _route, name, converters in page_patterns():
        kwargs = OBJECT_FACTORIES[name](world, TOWN_A) if converters else {}
        url = reverse(name, kwargs=kwargs)
        for method in ("get", "post"):
            for junk in (JUNK, FAR_JUNK):
                r = getattr(county, method)(url, junk)
                assert r.status_code < 500, f"{method.upper()} {url} with junk → {r.status_code}"
    for path, method in api_routes():
        params = [seg[1:-1] for seg in path.split("/") if seg.startswith("{")]
        url = path.format(**OBJECT_FACTORIES[path](world, TOWN_A)) if params else path
        for junk in (JUNK, FAR_JUNK):
            query = "&".join(f"{k}={v}" for k, v in junk.items() if len(v) < 100)
            for body in ('{"x": [1, {"y": null}], "pk": "NaN"}', json.dumps(junk)):
                r = county.generic(method, f"{url}?{query}", body, content_type="application/json")
                assert r.status_code < 500, f"{method} {url} with junk → {r.status_code}"
    assert registry_state() == before, "junk input changed the registry"
