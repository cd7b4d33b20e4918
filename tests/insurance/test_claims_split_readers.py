"""One source of truth for a stored claim's split: after `store.write_back` settles a year again
with other figures, the readers outside the claims module — the monitoring's high medical
self-pay signal and the resident portal's claim explanation — show the new split, not the one
the import once wrote."""

from __future__ import annotations

import polars as pl
from django.db import transaction

from fupin.insurance.claims import imports, store
from fupin.insurance.claims.models import ClaimSplit, MedicalClaim
from fupin.portal import selectors as portal
from tests.conftest import TOWN_A
from tests.insurance.claims_factories import csv, run_import
from tests.monitoring.helpers import TODAY, alerts, exited, run


def test_monitoring_and_portal_follow_the_written_back_split(county_user, make_household):
    # 2 persons × 8000 元 = 16000 元 household income; 40% (catastrophic_share) = 6400 元 = 640000 fen.
    hh = exited(make_household, TOWN_A, income_yuan=8000)
    head = hh.members.order_by("id").first()
    year = TODAY.year - 1  # the signal looks at this year and last year
    job = run_import(
        county_user, csv(f"W1,{head.id_number},,县医院,住院,二级,,{year}-03-02,10000.00,8000.00")
    )
    assert job.rows_rejected == 0, [r.errors for r in job.rows.all()]
    imports.merge(job, user=county_user)
    c = MedicalClaim.objects.with_split().get(claim_no="W1")
    imported = ClaimSplit.objects.get(pk=c.pk)
    assert imported.self_fen < 640000  # a 10000 元 stay, mostly reimbursed: below the line
    run(county_user)
    assert not alerts(hh, "medical").exists()

    # The year settled again with other figures (hand-chosen, adding up to the 10000 元 total).
    new = {
        "basic_fen": 150000,
        "critical_fen": 0,
        "assistance_fen": 50000,
        "fallback_fen": 0,
        "self_fen": 800000,
    }
    results = pl.DataFrame(
        {
            "id": [c.pk],
            "person_id": [head.pk],
            "village_code": [c.village_code],
            **{k: [v] for k, v in new.items()},
            # The identity it was settled with, as stored (the settlement time as the database's text).
            **{k: [getattr(imported, k)] for k in store.IDENTITY_COLUMNS[:-1]},
            "settled_at": [store.settled_text(imported.settled_at)],
        }
    )
    with transaction.atomic():
        assert store.write_back(year, results) == 1

    run(county_user)
    [a] = alerts(hh, "medical")
    assert (a.value, a.threshold, a.cause_key) == (800000, 640000, f"medical:{year}")

    [claim] = portal.claims(list(hh.members.order_by("id")))
    told = portal.explain(claim)
    assert "最后您自己付 8000.00 元。" in told["sentences"]
    assert any(
        "各项报销合计 2000.00 元" in s and "医疗救助 500.00 元" in s for s in told["sentences"]
    )
    assert told["parts"] == [("基本医疗保险报销", "1500.00"), ("大病保险报销", "0.00"), ("医疗救助", "500.00"),
                             ("兜底保障（政府再补）", "0.00"), ("个人自付", "8000.00")]  # fmt: skip
    # A claim read without the annotation is explained from the same table.
    plain = MedicalClaim.objects.get(pk=c.pk)
    assert portal.explain(plain)["parts"] == told["parts"]
