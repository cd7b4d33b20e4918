"""The two clocks of the green channel (003：接到事故报告后48小时之内工伤调查，无争议案件五日内作出
认定决定), pinned with frozen time. The 48 hours and five days are written here from the document,
not read from the pack; the warning windows are the pack's assumed 12 and 24 hours."""

import datetime as dt

import pytest
from django.utils import timezone

from fupin.registry.models import Person
from fupin.workinjury import selectors, services
from fupin.workinjury.clocks import clock, decision_clock, investigation_clock
from fupin.workinjury.rules import rules
from tests.conftest import login

T0 = dt.datetime(2018, 5, 7, 9, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)
S = dt.timedelta(seconds=1)


class Case:
    """Just the fields the clocks read."""

    def __init__(self, investigated_at=None, decided_at=None, decision="pending"):
        self.reported_at = T0
        self.investigated_at = investigated_at
        self.decided_at = decided_at
        self.decision = decision


def test_the_pack_says_48_hours_and_five_days():
    r = rules()
    assert r.investigation_hours.value == 48
    assert r.decision_days.value == 5
    assert "48小时之内工伤调查" in r.investigation_hours.source.quote
    assert r.investigation_warning_hours.source.is_assumed


@pytest.mark.parametrize(
    "elapsed, state",
    [
        (35 * H + 59 * 60 * S, "running"),
        (36 * H, "warning"),  # 12 hours before the 48 run out
        (48 * H, "warning"),  # due instant: still on time
        (48 * H + S, "late"),
        (100 * H, "late"),
    ],
)
def test_investigation_clock(elapsed, state):
    c = investigation_clock(Case(), rules(), T0 + elapsed)
    assert c.state == state
    assert c.due == T0 + 48 * H


@pytest.mark.parametrize(
    "elapsed, state",
    [
        (4 * 24 * H - S, "running"),
        (4 * 24 * H, "warning"),  # a day before the five days run out
        (5 * 24 * H, "warning"),
        (5 * 24 * H + S, "late"),
    ],
)
def test_decision_clock(elapsed, state):
    assert decision_clock(Case(), rules(), T0 + elapsed).state == state


def test_done_on_time_late_and_disputed():
    r = rules()
    now = T0 + 300 * H
    assert investigation_clock(Case(investigated_at=T0 + 48 * H), r, now).state == "done"
    assert investigation_clock(Case(investigated_at=T0 + 49 * H), r, now).state == "done_late"
    assert decision_clock(Case(decided_at=T0 + 119 * H), r, now).state == "done"
    assert decision_clock(Case(decided_at=T0 + 121 * H), r, now).state == "done_late"
    disputed = Case(decided_at=T0 + 200 * H, decision="disputed")
    assert decision_clock(disputed, r, now).state == "stopped"


def test_remaining_text():
    c = clock(label="x", start=T0, limit=48 * H, warn_before=12 * H, done_at=None, now=T0 + 50 * H)
    assert c.remaining_text == "已超2小时0分钟"


@pytest.mark.django_db
def test_lists_move_with_frozen_time(make_household, town_a_user, monkeypatch):
    """The clock of the whole site stands still at T0 and moves only when the test moves it."""
    clock_now = [T0]
    monkeypatch.setattr(timezone, "now", lambda: clock_now[0])

    def tick(delta):
        clock_now[0] += delta

    hh = make_household()
    person = Person.objects.filter(household=hh).first()
    case = services.report_case(
        user=town_a_user,
        person=person,
        employer_name="某建设工程有限公司",
        accident_on=T0.date(),
        accident_place="城南安置房工地",
        injury="右手骨折",
    )

    def listed(kind):
        return set(
            selectors.filtered(town_a_user, clock=kind, now=timezone.now()).values_list(
                "pk", flat=True
            )
        )

    tick(35 * H)
    assert listed("warning") == set() and listed("late") == set()
    tick(1 * H)  # 36 h
    assert listed("warning") == {case.pk}
    tick(12 * H + S)  # 48 h + 1 s
    assert listed("late") == {case.pk} and listed("warning") == set()
    page = login(town_a_user).get("/workinjury/?clock=late")
    assert "已超期" in page.content.decode() and person.name in page.content.decode()
    services.investigate(user=town_a_user, case=case, note="现场调查")
    case.refresh_from_db()
    assert investigation_clock(case, rules(), timezone.now()).state == "done_late"
    assert listed("late") == set()  # the decision's five days are not out yet
    tick(3 * 24 * H)  # 5 days + 1 s after the report, still undecided
    assert listed("late") == {case.pk}
    assert decision_clock(case, rules(), timezone.now()).state == "late"
