"""schemathesis over the whole OpenAPI schema, in process, on every test run (so in CI).

Every operation of /api/v1 gets generated requests — valid ones (positive) and ones that break
the schema (negative) — as the county account and as a township account, with bearer tokens,
through the WSGI application (no server, same test database). Every response must not be a
server error and every error body must say what is wrong in Chinese. Requests that break the
schema must change nothing in the registry; valid requests from a township account must change
nothing outside its township.

Bounded and derandomized: FUZZ_EXAMPLES examples per operation and mode, the same ones on every
run; raise it with FUPIN_FUZZ_EXAMPLES=200 to fuzz harder.
"""

import os
import re

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from ninja.errors import HttpError
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from fupin.access.models import ApiToken
from fupin.registry.models import Household, Person
from tests.access.test_scope_sweep import world  # noqa: F401  (the sweep's two marked townships)
from tests.conftest import TOWN_A, TOWN_B

FUZZ_EXAMPLES = int(os.environ.get("FUPIN_FUZZ_EXAMPLES", "10"))
CHINESE = re.compile(r"[\u4e00-\u9fff]")


SCHEMA = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
# Logging in is the one route without a token; its refusals are tested in tests/registry.
OPERATIONS = [
    result.ok() for result in SCHEMA.exclude(path="/api/v1/auth/token").get_all_operations()
]
FUZZ_SETTINGS = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def registry_state():
    return (
        sorted(
            Household.objects.values_list(
                "id", "status", "village_code", "number", "head_name", "address"
            )
        ),
        sorted(
            Person.objects.values_list("id", "status", "name", "id_number", "village_code", "phone")
        ),
    )


def township_state(town: str):
    return (
        sorted(
            Household.objects.filter(village_code__startswith=town).values_list(
                "id", "status", "number", "address", "phone", "cadre_name"
            )
        ),
        sorted(
            Person.objects.filter(village_code__startswith=town).values_list(
                "id", "status", "name", "id_number", "phone", "wished_trade"
            )
        ),
    )


@pytest.fixture
def tokens(world):  # noqa: F811
    return {who: ApiToken.issue(world["users"][who])[0] for who in ("county", TOWN_A)}


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Django closes a connection inside a transaction at the end of each WSGI request, which
    would drop the test's transaction on PostgreSQL; its test client unhooks that, and so do we."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def call(case, token: str):
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    case.validate_response(response, checks=[not_a_server_error])
    content_type = (response.headers.get("content-type") or [""])[0]  # lowercase keys, list values
    if response.status_code >= 400 and content_type.startswith("application/json"):
        detail = response.json().get("detail")
        words = detail if isinstance(detail, str) else str(detail)
        assert CHINESE.search(words), (
            f"{case.operation.label} → {response.status_code} without Chinese: {words!r}"
        )
    return response


def fuzz(mode: GenerationMode, check, operations=OPERATIONS) -> list[str]:
    """Run `check(case)` on FUZZ_EXAMPLES generated cases of every operation; the faults found."""
    faults = []
    for operation in operations:

        @FUZZ_SETTINGS
        @given(case=operation.as_strategy(generation_mode=mode))
        def run(case):
            check(case)

        try:
            run()
        except (
            Exception,
            BaseExceptionGroup,
        ) as exc:  # every operation is fuzzed; all faults reported together
            faults.append(f"{operation.label}: {exc}")
    return faults


def test_requests_that_break_the_schema_are_refused_in_chinese_and_change_nothing(tokens):
    before = registry_state()

    def check(case):
        for token in tokens.values():
            call(case, token)
        assert registry_state() == before, (
            f"{case.operation.label} changed the registry on schema-breaking input"
        )

    faults = fuzz(GenerationMode.NEGATIVE, check)
    assert not faults, "\n\n".join(faults)


def test_valid_requests_never_fail_and_stay_in_scope(tokens):
    def check(case):
        other = township_state(TOWN_B)
        call(case, tokens[TOWN_A])
        assert township_state(TOWN_B) == other, (
            f"{case.operation.label} by a {TOWN_A} account changed {TOWN_B}"
        )
        call(case, tokens["county"])

    faults = fuzz(GenerationMode.POSITIVE, check)
    assert not faults, "\n\n".join(faults)


@pytest.mark.parametrize(
    ("fault", "found"),
    [(ZeroDivisionError(), "Server error"), (HttpError(400, "Bad request"), "without Chinese")],
)
def test_the_fuzz_reports_a_server_error_and_an_english_refusal(tokens, monkeypatch, fault, found):
    """The harness itself can fail: a route made to break is reported."""

    def broken(*args, **kwargs):
        raise fault

    monkeypatch.setattr("fupin.registry.api.selectors.persons", broken)
    persons = [op for op in OPERATIONS if op.label == "GET /api/v1/persons"]
    faults = fuzz(GenerationMode.POSITIVE, lambda case: call(case, tokens["county"]), persons)
    assert len(faults) == 1 and found in faults[0], faults
