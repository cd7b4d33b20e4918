"""The management demo on a small generated county: the past months' snapshots for the trends, the
published bulletin with its village ranking, and a 约谈 of a lagging township."""

import pytest

from fupin.demo import builder
from fupin.management import demo
from fupin.management.models import Bulletin, Interview, SnapshotRun

pytestmark = pytest.mark.django_db


def test_demo_builds_snapshots_bulletin_and_an_interview():
    builder.build(households=40)
    summary = demo.build()
    assert SnapshotRun.objects.count() >= 12
    b = Bulletin.objects.get(published_at__isnull=False)
    assert b.data["sections"][0]["villages"]
    i = Interview.objects.get()
    assert i.bulletin == b and i.interviewee in summary
    assert i.area_code[9:] == "000" and b.data["laggards"]
    # The first township split its 脱贫人口 target among its villages; the bulletin ranks them by it.
    from fupin.management.models import Target

    village = Target.objects.filter(indicator__code="persons_out").exclude(
        area_code__endswith="000"
    )
    town = Target.objects.get(
        plan=b.plan, indicator__code="persons_out", area_code=village.first().area_code[:9] + "000"
    )
    assert village.exists() and sum(t.value for t in village) == town.value
    section = next(s for s in b.data["sections"] if s["code"] == "persons_out")
    assert section["village_by_target"]
