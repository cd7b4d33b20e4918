"""The alert workflow: 预警 → 核查中 → 纳入监测/不纳入 → 帮扶中 → 风险消除, in that order only;
the decider is never the checker; measures reach the assistance ledger; risk removal only
after two stable quarterly reviews (monitoring.removal_stable_quarters) at or above the line."""

import datetime as dt
import random

import pytest

from fupin.access.models import AuditEntry, Role
from fupin.assistance.models import LedgerEntry
from fupin.monitoring import services
from fupin.monitoring.models import Alert, MonitoredHousehold, Stage
from fupin.monitoring.services import WorkflowError, previous_quarter, quarter_of
from tests.conftest import TOWN_A, make_id_number

from .helpers import TODAY, exited, run


@pytest.fixture
def checker(make_user):
    return make_user("village-a", Role.VILLAGE, TOWN_A)


@pytest.fixture
def alerted(county_user, make_household):
    hh = exited(make_household, TOWN_A, income_yuan=3000)
    run(county_user)
    return MonitoredHousehold.objects.get(household=hh)


def _reviewed(m, user, day, *, stable=True, income=600000):
    return services.add_review(
        user=user,
        monitored=m,
        reviewed_on=day,
        income_per_capita_fen=income,
        stable=stable,
        note="回访",
    )


def test_whole_path(alerted, checker, town_a_user):
    m = alerted
    services.record_check(
        user=checker,
        monitored=m,
        checked_on=TODAY,
        findings="家中主要劳动力外出务工收入下降",
        income_per_capita_fen=300000,
    )
    m.refresh_from_db()
    assert m.stage == Stage.CHECKING and m.decision_due == TODAY + dt.timedelta(days=15)
    with pytest.raises(WorkflowError, match="核查人不能认定自己核查的户"):
        services.decide(user=checker, monitored=m, include=True, reason="收入低", day=TODAY)
    d = services.decide(
        user=town_a_user, monitored=m, include=True, reason="收入低于监测线", day=TODAY
    )
    m.refresh_from_db()
    assert (m.stage, m.identified_on, m.risk_types) == (Stage.MONITORED, TODAY, ["income"])
    assert list(Alert.objects.filter(monitored=m).values_list("decision", flat=True)) == [d.pk]
    services.add_measure(
        user=town_a_user, monitored=m, kind="job", description="推荐到县工业园区就业", day=TODAY
    )
    m.refresh_from_db()
    assert m.stage == Stage.ASSISTING
    entry = LedgerEntry.objects.get(person__household=m.household)
    assert (
        entry.kind == "recommend"
        and "推荐到县工业园区就业" in entry.summary
        and entry.person.relation == "head"
    )
    assert list(m.history.values_list("new_stage", flat=True)) == [
        "alert",
        "checking",
        "monitored",
        "assisting",
    ]
    assert AuditEntry.objects.filter(object_type="monitoredhousehold", action="status").count() == 3


def test_order_is_enforced(alerted, checker, town_a_user):
    m = alerted
    with pytest.raises(WorkflowError, match="认定须在“核查中”阶段"):
        services.decide(user=town_a_user, monitored=m, include=True, reason="x", day=TODAY)
    with pytest.raises(WorkflowError, match="登记帮扶措施须在"):
        services.add_measure(user=town_a_user, monitored=m, kind="job", description="x", day=TODAY)
    with pytest.raises(WorkflowError, match="季度回访须在"):
        _reviewed(m, town_a_user, TODAY)
    services.record_check(user=checker, monitored=m, checked_on=TODAY, findings="核查")
    services.decide(user=town_a_user, monitored=m, include=False, reason="收入已恢复", day=TODAY)
    m.refresh_from_db()
    assert m.stage == Stage.NOT_MONITORED
    with pytest.raises(WorkflowError, match="入户核查须在"):
        services.record_check(user=checker, monitored=m, checked_on=TODAY, findings="再查")


def test_future_dates_and_empty_text_refused(alerted, checker):
    with pytest.raises(WorkflowError, match="不能晚于今天"):
        services.record_check(
            user=checker, monitored=alerted, checked_on=TODAY + dt.timedelta(days=1), findings="x"
        )
    with pytest.raises(WorkflowError, match="请填写核查情况"):
        services.record_check(user=checker, monitored=alerted, checked_on=TODAY, findings="  ")


def test_other_township_cannot_touch(alerted, make_user):
    from fupin.access.scope import OutOfScope

    other = make_user("town-b2", Role.TOWNSHIP, "360222101")
    with pytest.raises(OutOfScope):
        services.record_check(user=other, monitored=alerted, checked_on=TODAY, findings="x")


def test_risk_removed_only_after_two_stable_quarters(alerted, checker, town_a_user):
    m = alerted
    services.record_check(user=checker, monitored=m, checked_on=TODAY, findings="核查")
    services.decide(user=town_a_user, monitored=m, include=True, reason="收入低", day=TODAY)
    m.refresh_from_db()
    # Reviews: the quarter before and this one. Backdate identification so the earlier review is allowed.
    prev_q = previous_quarter(quarter_of(TODAY))
    prev_day = dt.date(int(prev_q[:4]), 3 * int(prev_q[-1]), 1)
    MonitoredHousehold.objects.filter(pk=m.pk).update(identified_on=prev_day - dt.timedelta(days=1))
    m.refresh_from_db()
    with pytest.raises(WorkflowError, match="没有回访"):
        services.remove_risk(user=town_a_user, monitored=m, day=TODAY, reason="稳定")
    _reviewed(
        m, town_a_user, prev_day, stable=True, income=530000 - 1
    )  # 5299.99 元: below the line
    _reviewed(m, town_a_user, TODAY, stable=True)
    with pytest.raises(WorkflowError, match="低于监测线"):
        services.remove_risk(user=town_a_user, monitored=m, day=TODAY, reason="稳定")
    with pytest.raises(WorkflowError, match="已回访过"):
        _reviewed(m, town_a_user, TODAY)
    from fupin.monitoring.models import Review

    Review.objects.filter(monitored=m, quarter=prev_q).update(
        income_per_capita_fen=530000
    )  # at the line: enough
    services.remove_risk(user=town_a_user, monitored=m, day=TODAY, reason="连续两季稳定")
    m.refresh_from_db()
    assert (m.stage, m.removed_on) == (Stage.REMOVED, TODAY)


def test_disaster_entered_by_hand_and_off_list_household(town_a_user, make_household, areas):
    hh = make_household(TOWN_A, status="exited")
    a = services.report_event(
        user=town_a_user, household=hh, signal="disaster", day=TODAY, description="暴雨冲毁住房"
    )
    assert (
        a.monitored.category == "sudden"
        and a.monitored.stage == Stage.ALERT
        and a.rule == "人工录入"
    )
    with pytest.raises(WorkflowError, match="不重复登记"):
        services.report_event(
            user=town_a_user, household=hh, signal="disaster", day=TODAY, description="暴雨冲毁住房"
        )
    idn = make_id_number(random.Random(7), "360222", dt.date(1980, 5, 6), "男", set())
    m = services.enter_household(
        user=town_a_user,
        village_code=hh.village_code,
        head_name="王五",
        head_id_number=idn,
        member_count=3,
        income_per_capita_fen=450000,
        category="edge",
        description="收入略高于贫困线，因病支出大",
        day=TODAY,
    )
    assert (m.household_id, m.origin, m.stage, m.alerts.get().signal) == (
        None,
        "township",
        Stage.ALERT,
        "reported",
    )
    with pytest.raises(WorkflowError, match="已是监测对象"):
        services.enter_household(
            user=town_a_user,
            village_code=hh.village_code,
            head_name="王五",
            head_id_number=idn,
            member_count=3,
            income_per_capita_fen=None,
            category="edge",
            description="重复",
            day=TODAY,
        )
    with pytest.raises(WorkflowError, match="户主身份证号"):
        services.enter_household(
            user=town_a_user,
            village_code=hh.village_code,
            head_name="赵六",
            head_id_number="123",
            member_count=3,
            income_per_capita_fen=None,
            category="edge",
            description="x",
            day=TODAY,
        )
    with pytest.raises(WorkflowError, match="请选择一个村"):
        services.enter_household(
            user=town_a_user,
            village_code=TOWN_A,
            head_name="赵六",
            head_id_number=idn,
            member_count=3,
            income_per_capita_fen=None,
            category="edge",
            description="x",
            day=TODAY,
        )


def test_never_deleted(alerted):
    with pytest.raises(PermissionError):
        alerted.delete()
    with pytest.raises(PermissionError):
        Alert.objects.all().delete()
