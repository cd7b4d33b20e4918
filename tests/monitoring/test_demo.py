"""The demo county: households tripping each signal, alerts at each stage, measures in the
ledger, one risk removed — on a small registry with the employment demo before it."""

import pytest

from fupin.demo import builder, hooks
from fupin.monitoring import demo
from fupin.monitoring.models import Alert, MonitoredHousehold, Signal, Stage


@pytest.fixture
def demo_county(db):
    builder.build(households=300)
    hooks.run(*hooks.EMPLOYMENT_APPS)
    return demo.build()


def test_demo_has_every_signal_and_stage(demo_county):
    assert "防止返贫监测" in demo_county
    signals = set(Alert.objects.values_list("signal", flat=True))
    assert set(Signal.values) - {"civil"} <= signals, (
        signals
    )  # 民政导入: tests/monitoring/test_civil.py
    assert {"income", "medical", "insurance", "labourer", "disaster", "reported"} <= signals
    assert {"job_lost", "welfare_post_ended"} & signals
    stages = set(MonitoredHousehold.objects.values_list("stage", flat=True))
    assert set(Stage.values) - {Stage.NOT_MONITORED} <= stages and Stage.NOT_MONITORED in stages
    removed = MonitoredHousehold.objects.get(stage=Stage.REMOVED)
    assert removed.reviews.filter(stable=True).count() == 2 and removed.measures.exists()
    assert MonitoredHousehold.objects.filter(household__isnull=True, category="edge").exists()
