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
