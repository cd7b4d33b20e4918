"""The demo builders of issue 16 run on a small county and leave every stage to look at."""

import pytest

from fupin.demo import builder
from fupin.registration import demo as registration_demo
from fupin.unemployment import demo as unemployment_demo
from fupin.unemployment.models import PriceSubsidy, SubsidyRun
from fupin.workinjury import demo as workinjury_demo
from fupin.workinjury.models import InjuryCase

pytestmark = pytest.mark.django_db


def test_demo_builders(areas):
    builder.build(households=60)
    assert "工伤案件 8 件" in workinjury_demo.build()
    cases = InjuryCase.objects.all()
    assert cases.filter(person__isnull=True).count() == 2
    assert cases.filter(first_payment_fen__isnull=False).count() == 1
    paid = cases.get(first_payment_fen__isnull=False)
    # a part repaid by the employer, the rest outstanding on the recovery list
    assert paid.recoveries.get().amount_fen == paid.first_payment_fen * 3 // 10
    assert cases.filter(investigated_at__isnull=True).count() == 4
    assert "价格临时补贴" in unemployment_demo.build()
    assert SubsidyRun.objects.filter(triggered=False).count() == 1
    assert PriceSubsidy.objects.count() == 15 + 18  # the two months at or above the trigger
    assert "已参保" in registration_demo.build()
