"""Failure messages of the stored-claims runs (政策测算, 按新身份重算) and of a merge read in the
users' words: the claim by its number and the column by its Chinese name (就诊类型), never a
column code (visit_type) or a row position of a frame the user never saw.

The fault is real: 住院分娩 settled under a county pack that admits it (吉林 003), then settled
again officially under a county pack that has no maternity rule (浮梁) — while 政策测算 under such
a policy (济宁) leaves the stay out, counted, rather than failing."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from fupin.insurance.claims import imports, official, resettle
from fupin.insurance.claims.models import OfficialResettlement, Resettlement
from fupin.policy.claims import COLUMNS, OPTIONAL_COLUMNS
from fupin.registry.models import Person
from tests.conftest import TOWN_A, login
from tests.insurance.claims_factories import csv, run_import

CODES = re.compile("|".join(sorted((*COLUMNS, *OPTIONAL_COLUMNS), key=len, reverse=True)))


@pytest.fixture
def stored_maternity(make_household, town_a_user, settings):
    """Two stays of 2018 of one person stored under 吉林 (the county pack of the day): an inpatient
    one and a maternity one (M1)."""
    settings.COUNTY_POLICY_PACK = "jilin-2017"
    person = Person.objects.get(household=make_household(TOWN_A, members=1))
    job = run_import(
        town_a_user,
        csv(
            f"Z1,{person.id_number},,一院,住院,一级,,2018-03-01,10000.00,8000.00",
            f"M1,{person.id_number},,二院,住院分娩,二级,,2018-05-01,5000.00,4000.00",
        ),
    )
    assert job.rows_rejected == 0, [(r.row_no, r.errors) for r in job.rows.all()]
    imports.merge(job, user=town_a_user)
    return person


def _speaks_chinese(message: str) -> None:
    assert "M1" in message and "“就诊类型”" in message, message
    assert "未规定住院分娩" in message, message
    assert not CODES.search(message), message
    assert "第 " not in message, message  # no row position


def test_policy_trial_leaves_out_maternity_the_trial_policy_has_no_rule_for(
    stored_maternity, town_a_user
):
    """政策测算 under 济宁 (no maternity rule): the 住院分娩 stay is left out, counted and said, as a
    chronic class the trial policy does not know would be; the inpatient stay is settled. The whole
    run does not fail on one such stay."""
    run = resettle.start(user=town_a_user, year=2018, policy="jining")  # runs at once in tests
    run.refresh_from_db()
    assert run.state == "done", run.message
    assert run.skipped == 1
    assert "1 笔住院分娩因测算政策未规定住院分娩的结算办法，未测算" in run.message, run.message
    assert not CODES.search(run.message), run.message
    stored = Resettlement.objects.get(pk=run.pk).claims.values_list("claim__claim_no", flat=True)
    assert list(stored) == ["Z1"]
    client = login(town_a_user)
    page = client.get(reverse("insurance:claims_resettlement", args=[run.pk])).content.decode()
    assert "未规定住院分娩的结算办法" in page and not CODES.search(page.split("<main", 1)[-1])
    api = client.get(f"/api/v1/insurance/resettlements/{run.pk}").json()
    assert api["message"] == run.message


def test_official_resettle_failure_names_the_claim_and_column_in_chinese(
    stored_maternity, town_a_user, settings
):
    settings.COUNTY_POLICY_PACK = "fuliang-2018"  # the county's pack changed: no maternity rule
    run = official.start(user=town_a_user, year=2018, area_code=TOWN_A)
    run.refresh_from_db()
    assert run.state == "failed"
    assert run.message.startswith("重算未完成，正式结算未改动：结算单 M1，“就诊类型”："), (
        run.message
    )
    _speaks_chinese(run.message)
    client = login(town_a_user)
    page = client.get(reverse("insurance:claims_official_run", args=[run.pk]))
    _speaks_chinese(page.content.decode())
    api = client.get(f"/api/v1/insurance/official-resettlements/{run.pk}").json()
    _speaks_chinese(api["message"])
    assert OfficialResettlement.objects.get(pk=run.pk).changes.count() == 0


def test_merge_refusal_names_the_claim_and_column_in_chinese(
    stored_maternity, town_a_user, settings
):
    """A new claim of the person's year settles the whole person-year again: the stored maternity
    stay is refused under the new county pack, by number."""
    settings.COUNTY_POLICY_PACK = "fuliang-2018"
    job = run_import(
        town_a_user,
        csv(f"Z2,{stored_maternity.id_number},,一院,住院,一级,,2018-06-01,1000.00,800.00"),
    )
    assert job.rows_rejected == 0, [(r.row_no, r.errors) for r in job.rows.all()]
    with pytest.raises(imports.ImportRefused) as refused:
        imports.merge(job, user=town_a_user)
    assert str(refused.value).startswith("结算未通过，未入库：结算单 M1，“就诊类型”：")
    _speaks_chinese(str(refused.value))
