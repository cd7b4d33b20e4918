"""审计日志 as an auditor reads it: Chinese names for what was touched and for each change, the area
by name, and the filtered entries exported to xlsx (the export itself audited)."""

import datetime as dt
from io import BytesIO

import pytest
from openpyxl import load_workbook

from fupin.access.models import AuditAction, AuditEntry, Role
from fupin.registry.services import change_status

pytestmark = pytest.mark.django_db

TOWN_A, TOWN_B = "360222100", "360222101"


def _xlsx_rows(response) -> list[list]:
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


@pytest.fixture
def changed(make_household, make_user):
    """A household of each township moved from 新识别 to 未脱贫 by its township clerk."""
    out = {}
    for town in (TOWN_A, TOWN_B):
        clerk = make_user(f"clerk{town}", Role.TOWNSHIP, town)
        household = make_household(town, 2, status="new")
        change_status(
            user=clerk,
            subject=household,
            new_status="poor",
            effective_date=dt.date(2018, 3, 1),
            reason="识别",
        )
        out[town] = household
    return out


def test_page_reads_in_chinese_with_the_area_by_name(changed, make_user, client):
    auditor = make_user("auditor_a", Role.AUDITOR, TOWN_A)
    client.force_login(auditor)
    household = changed[TOWN_A]
    text = client.get("/audit/", {"object": str(household.pk)}).content.decode()
    assert f"贫困户 {household.pk}" in text
    assert "状态：新识别 → 未脱贫" in text
    assert "浮梁镇" in text or household.village.name in text
    assert f"household {household.pk}" not in text and "new → poor" not in text


def test_export_holds_the_filtered_entries_of_the_auditors_area(changed, make_user, client):
    auditor = make_user("auditor_a", Role.AUDITOR, TOWN_A)
    client.force_login(auditor)
    mine = AuditEntry.objects.filter(
        area_code__startswith=TOWN_A, action=AuditAction.STATUS
    ).count()
    assert mine >= 1
    response = client.get("/audit/export/", {"action": AuditAction.STATUS})
    assert response.status_code == 200
    rows = _xlsx_rows(response)
    assert rows[0] == ["时间", "用户", "操作", "对象", "区划", "摘要", "变更", "IP"]
    assert len(rows) - 1 == mine
    assert all(r[2] == AuditAction.STATUS.label for r in rows[1:])
    other = changed[TOWN_B]
    assert not any(r[3] == f"贫困户 {other.pk}" for r in rows[1:])
    assert any("状态：新识别 → 未脱贫" in (r[6] or "") for r in rows[1:])
    assert AuditEntry.objects.filter(
        action=AuditAction.EXPORT, username="auditor_a", summary__contains="审计日志"
    ).exists()


def test_only_auditors_export(changed, town_a_user, client):
    client.force_login(town_a_user)
    assert client.get("/audit/export/").status_code == 403
