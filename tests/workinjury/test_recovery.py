"""向用人单位追偿 after a first payment: amounts recovered with dates, the outstanding sum, write-off
with a reason, the outstanding list (overdue after the pack's 10 days, read here by hand), pages,
exports and API as an attacker."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied

from fupin.access.models import AuditEntry, Role
from fupin.workinjury import selectors, services
from fupin.workinjury.models import InjuryCase, Recovery
from fupin.workinjury.rules import rules
from tests.conftest import TOWN_A, login
from tests.workinjury.test_cases import person, recognised  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()
DUE_DAYS = (
    10  # 《社会保险基金先行支付暂行办法》“责令用人单位在10日内偿还”, the pack's assumed value
)


@pytest.fixture
def paid(town_a_user, person):  # noqa: F811
    case = recognised(town_a_user, person)
    case = services.grant_first_payment(
        user=town_a_user, case=case, amount_fen=860_000, reason="用人单位拒付"
    )
    InjuryCase.objects.filter(pk=case.pk).update(first_payment_on=TODAY - dt.timedelta(days=30))
    case.refresh_from_db()
    return case


def test_pack_value_is_sourced_or_assumed():
    p = rules("fuliang-2018").recovery_due_days
    assert p.value == DUE_DAYS and "assumed" in str(p.source).lower() or "假设" in p.source.text
    assert rules("jilin-2017").recovery_due_days.value == DUE_DAYS


def test_recovered_in_parts_then_the_rest_written_off(town_a_user, paid):
    services.record_recovery(
        user=town_a_user, case=paid, amount_fen=300_000, received_on=TODAY - dt.timedelta(days=5)
    )
    services.record_recovery(
        user=town_a_user, case=paid, amount_fen=60_050, received_on=TODAY, note="第二笔"
    )
    assert services.recovered_totals(paid) == {
        "claimed": 860_000,
        "recovered": 360_050,
        "written_off": 0,
        "outstanding": 499_950,
    }
    with pytest.raises(services.WorkInjuryError, match="超过尚未追回的 4999.50 元"):
        services.record_recovery(user=town_a_user, case=paid, amount_fen=499_951, received_on=TODAY)
    with pytest.raises(services.WorkInjuryError, match="核销原因"):
        services.write_off_recovery(user=town_a_user, case=paid, reason="   ")
    entry = services.write_off_recovery(
        user=town_a_user, case=paid, reason="用人单位已注销，经法院强制执行无财产"
    )
    assert entry.amount_fen == 499_950 and entry.kind == "written_off"
    assert services.recovered_totals(paid)["outstanding"] == 0
    for step in (
        lambda: services.record_recovery(
            user=town_a_user, case=paid, amount_fen=1, received_on=TODAY
        ),
        lambda: services.write_off_recovery(user=town_a_user, case=paid, reason="再核销"),
    ):
        with pytest.raises(services.WorkInjuryError, match="全部追回或核销"):
            step()
    assert AuditEntry.objects.filter(summary__contains="先行支付追回").count() == 2
    assert AuditEntry.objects.filter(summary__contains="先行支付核销").count() == 1


def test_bad_amounts_dates_and_cases_are_refused(town_a_user, town_b_user, make_user, paid, person):  # noqa: F811
    for bad in (0, -5, True, "100", 1.5):
        with pytest.raises(services.WorkInjuryError, match="追回金额须大于 0"):
            services.record_recovery(user=town_a_user, case=paid, amount_fen=bad, received_on=TODAY)
    for day, fault in (
        (TODAY + dt.timedelta(days=1), "不能晚于今天"),
        (TODAY - dt.timedelta(days=31), "不能早于先行支付核定日期"),
        ("9999-01-01", "超出范围"),
        ("2018-02-30", "不存在"),
        ("昨天", "格式应为"),
    ):
        with pytest.raises(services.WorkInjuryError, match=fault):
            services.record_recovery(user=town_a_user, case=paid, amount_fen=1, received_on=day)
    with pytest.raises(services.WorkInjuryError, match="说明最多 300 个字"):
        services.record_recovery(
            user=town_a_user, case=paid, amount_fen=1, received_on=TODAY, note="长" * 301
        )
    with pytest.raises(PermissionDenied):
        services.record_recovery(user=town_b_user, case=paid, amount_fen=1, received_on=TODAY)
    with pytest.raises(PermissionDenied):
        services.record_recovery(
            user=make_user("auditor-a", Role.AUDITOR, TOWN_A),
            case=paid,
            amount_fen=1,
            received_on=TODAY,
        )
    unpaid = recognised(town_a_user, person)
    with pytest.raises(services.WorkInjuryError, match="没有先行支付"):
        services.record_recovery(user=town_a_user, case=unpaid, amount_fen=1, received_on=TODAY)
    assert not Recovery.objects.exists()


def test_outstanding_and_overdue_lists(town_a_user, town_b_user, paid, person):  # noqa: F811
    fresh = services.grant_first_payment(
        user=town_a_user, case=recognised(town_a_user, person), amount_fen=1000, reason="拒付"
    )
    ids = lambda shown, user=town_a_user: [  # noqa: E731
        c.pk for c in selectors.recoveries(user, shown=shown, today=TODAY)
    ]
    assert set(ids("outstanding")) == {paid.pk, fresh.pk}
    assert ids("overdue") == [paid.pk]  # 30 days ago > 10 days; today's is not yet due
    assert selectors.recovery_due_on(paid) == paid.first_payment_on + dt.timedelta(days=DUE_DAYS)
    InjuryCase.objects.filter(pk=fresh.pk).update(
        first_payment_on=TODAY - dt.timedelta(days=DUE_DAYS)
    )
    assert ids("overdue") == [paid.pk]  # the due day itself is not overdue
    services.record_recovery(user=town_a_user, case=fresh, amount_fen=1000, received_on=TODAY)
    assert ids("outstanding") == [paid.pk] and ids("settled") == [fresh.pk]
    assert set(ids("all")) == {paid.pk, fresh.pk}
    assert ids("all", town_b_user) == []
    row = selectors.recoveries(town_a_user, shown="all", today=TODAY).get(pk=fresh.pk)
    assert (row.recovered_fen, row.written_off_fen, row.outstanding_fen) == (1000, 0, 0)


def xlsx_rows(response):
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(r) for r in book.active.iter_rows(values_only=True)]


def test_pages_and_export(town_a_user, town_b_user, paid):
    a, b = login(town_a_user), login(town_b_user)
    page = a.get(f"/workinjury/{paid.pk}/").content.decode()
    assert "向用人单位追偿" in page and "尚欠 8600.00 元" in page and "逾期未偿还" in page
    for junk in ({"amount": "abc", "received_on": TODAY.isoformat()}, {"amount": "1e30"}, {}):
        r = a.post(f"/workinjury/{paid.pk}/recovery/", junk)
        assert r.status_code == 302
        assert "未保存" in a.get(r["Location"]).content.decode()
    a.post(
        f"/workinjury/{paid.pk}/recovery/",
        {"amount": "1000.50", "received_on": TODAY.isoformat(), "note": "转账"},
    )
    assert services.recovered_totals(paid)["recovered"] == 100_050
    assert (
        b.post(
            f"/workinjury/{paid.pk}/recovery/", {"amount": "1", "received_on": TODAY.isoformat()}
        ).status_code
        == 404
    )
    assert b.post(f"/workinjury/{paid.pk}/write-off/", {"reason": "x"}).status_code == 404
    page = a.get("/workinjury/recoveries/", {"shown": "overdue"}).content.decode()
    assert paid.worker_name in page and "7599.50" in page
    assert paid.worker_name not in b.get("/workinjury/recoveries/").content.decode()
    rows = xlsx_rows(a.get("/workinjury/recoveries/", {"shown": "outstanding", "format": "xlsx"}))
    assert rows[0][-4:] == ["应追偿(元)", "已追回(元)", "已核销(元)", "尚欠(元)"]
    assert rows[1][-4:] == ["8600.00", "1000.50", "0.00", "7599.50"]
    assert paid.worker_id_number not in str(rows)
    assert len(xlsx_rows(b.get("/workinjury/recoveries/", {"format": "xlsx"}))) == 1
    a.post(f"/workinjury/{paid.pk}/write-off/", {"reason": "用人单位注销"})
    assert services.recovered_totals(paid)["outstanding"] == 0
    assert "尚欠 0.00 元" in a.get(f"/workinjury/{paid.pk}/").content.decode()


def test_api_attacks(town_a_user, town_b_user, paid):
    a, b = login(town_a_user), login(town_b_user)
    url = f"/api/v1/workinjury/cases/{paid.pk}"
    for bad in (
        {"amount_fen": "100", "received_on": TODAY.isoformat()},
        {"amount_fen": 10**30, "received_on": TODAY.isoformat()},
        {"amount_fen": 0, "received_on": TODAY.isoformat()},
        {"amount_fen": 100, "received_on": "9999-12-31"},
        {"amount_fen": 100, "received_on": 20180101},
        {"amount_fen": 100, "received_on": (TODAY + dt.timedelta(days=1)).isoformat()},
        {"amount_fen": 900_000, "received_on": TODAY.isoformat()},
        {"amount_fen": 100, "received_on": TODAY.isoformat(), "note": ["x"]},
    ):
        r = a.post(f"{url}/recovery", bad, content_type="application/json")
        assert r.status_code == 422, (bad, r.content)
        assert not r.json()["detail"].isascii()
    assert not Recovery.objects.exists()
    assert (
        b.post(
            f"{url}/recovery",
            {"amount_fen": 1, "received_on": TODAY.isoformat()},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert b.get(f"{url}/recovery").status_code == 404
    assert a.get("/api/v1/workinjury/cases/999999999999/recovery").status_code == 404
    r = a.post(
        f"{url}/recovery",
        {"amount_fen": 60_000, "received_on": TODAY.isoformat()},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["outstanding_fen"] == 800_000
    assert r.json()["due_on"] == (paid.first_payment_on + dt.timedelta(days=DUE_DAYS)).isoformat()
    listed = a.get("/api/v1/workinjury/recoveries", {"shown": "overdue"}).json()
    assert [x["case_id"] for x in listed] == [paid.pk]
    assert b.get("/api/v1/workinjury/recoveries", {"shown": "all"}).json() == []
    assert a.get("/api/v1/workinjury/recoveries", {"shown": "x"}).status_code == 422
    assert (
        a.post(f"{url}/write-off", {"reason": 5}, content_type="application/json").status_code
        == 422
    )
    r = a.post(f"{url}/write-off", {"reason": "无财产可执行"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["outstanding_fen"] == 0
    assert r.json()["entries"][-1] == {
        "kind": "written_off",
        "amount_fen": 800_000,
        "on": TODAY.isoformat(),
        "note": "无财产可执行",
    }
