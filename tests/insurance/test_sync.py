"""`fupin subsidy sync`: records from the imported insurance extract, set-based. Each case worked by
hand: what the extract says, what the record was, what it must become, and the history row."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from fupin.insurance import services
from fupin.insurance.models import EnrolmentRecord, InsuranceChange, MedicalEnrolment, PensionRecord
from tests.conftest import TOWN_A, TOWN_B

from .factories import person

pytestmark = pytest.mark.django_db


def extract(p, insurance, status="active", subsidy=True):
    EnrolmentRecord.objects.create(
        id_number=p.id_number,
        name=p.name,
        area_code=p.village_code,
        village_code=p.village_code,
        insurance=insurance,
        enrolment_status=status,
        premium_subsidy=subsidy,
    )


def test_sync_writes_what_differs_and_keeps_the_history(areas, town_a_user):
    new = person(TOWN_A)  # no record yet; the extract says paying, government-paid
    drawing = person(TOWN_A, born=dt.date(1950, 1, 1))  # drawing: the extract never sets it back
    PensionRecord.objects.create(
        person=drawing,
        village_code=drawing.village_code,
        status="drawing",
        drawing_since=dt.date(2015, 1, 1),
    )
    paid = person(TOWN_A)  # paying with a year already: status changes, year and payer stay
    PensionRecord.objects.create(
        person=paid,
        village_code=paid.village_code,
        status="suspended",
        tier_fen=10000,
        paid_year=2016,
        paid_by="self",
    )
    same = person(TOWN_A)  # already what the extract says: nothing written
    MedicalEnrolment.objects.create(
        person=same, year=2018, village_code=same.village_code, paid_by="government"
    )
    self_paid = person(TOWN_A)  # enrolled, government → self
    MedicalEnrolment.objects.create(
        person=self_paid, year=2018, village_code=self_paid.village_code, paid_by="government"
    )
    other_town = person(TOWN_B)
    for p in (new, drawing, paid):
        extract(p, "pension")
    extract(new, "medical")
    extract(same, "medical")
    extract(self_paid, "medical", subsidy=False)
    extract(other_town, "medical")
    extract(person(TOWN_A), "medical", status="suspended")  # not active: no medical record

    counts = services.sync_from_extract(user=town_a_user, year=2018)
    # pension: new (created) and paid (suspended → paying) = 2; medical: new (created), self_paid = 2.
    assert counts == {"pension": 2, "medical": 2}
    r = PensionRecord.objects.get(person=new)
    assert (r.status, r.paid_year, r.paid_by, r.updated_by_id) == (
        "paying",
        2018,
        "government",
        town_a_user.pk,
    )
    assert PensionRecord.objects.get(person=drawing).status == "drawing"
    r = PensionRecord.objects.get(person=paid)
    assert (r.status, r.paid_year, r.paid_by) == ("paying", 2016, "self")
    assert MedicalEnrolment.objects.get(person=new, year=2018).paid_by == "government"
    assert MedicalEnrolment.objects.get(person=self_paid, year=2018).paid_by == "self"
    assert not MedicalEnrolment.objects.filter(person=other_town).exists()
    history = {
        (h.person_id, h.insurance): (h.before, h.after, h.year, h.source, h.changed_by_id)
        for h in InsuranceChange.objects.all()
    }
    assert history == {
        (new.pk, "pension"): ({}, {"status": "paying"}, None, "extract", town_a_user.pk),
        (paid.pk, "pension"): (
            {"status": "suspended"},
            {"status": "paying"},
            None,
            "extract",
            town_a_user.pk,
        ),
        (new.pk, "medical"): ({}, {"paid_by": "government"}, 2018, "extract", town_a_user.pk),
        (self_paid.pk, "medical"): (
            {"paid_by": "government"},
            {"paid_by": "self"},
            2018,
            "extract",
            town_a_user.pk,
        ),
    }
    assert all(h.reason == "按参保数据（2018 年度）更新" for h in InsuranceChange.objects.all())
    # Again: nothing differs, nothing written.
    assert services.sync_from_extract(user=town_a_user, year=2018) == {"pension": 0, "medical": 0}
    assert InsuranceChange.objects.count() == 4


def test_sync_command_covers_the_county(areas):
    a, b = person(TOWN_A), person(TOWN_B)
    extract(a, "medical")
    extract(b, "medical", subsidy=False)
    extract(b, "pension", status="terminated")
    out = io.StringIO()
    call_command("subsidy", "sync", "--year", "2019", stdout=out)
    assert "已按参保数据更新：养老保险 1 人，医疗保险（2019 年度）2 人" in out.getvalue()
    assert MedicalEnrolment.objects.get(person=b, year=2019).paid_by == "self"
    assert PensionRecord.objects.get(person=b).status == "terminated"
    assert InsuranceChange.objects.filter(changed_by=None).count() == 3
    with pytest.raises(CommandError, match="年度应为四位数字年份"):
        call_command("subsidy", "sync", "--year", "明年", stdout=io.StringIO())
    assert InsuranceChange.objects.count() == 3
