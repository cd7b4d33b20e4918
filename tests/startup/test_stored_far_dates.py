"""A loan stored before the input bounds existed (放款日期 9999-11-01) is shown with its reason on
the page, in the export and in the API — never a server error."""

import datetime as dt
from io import BytesIO

import pytest
from openpyxl import load_workbook

from fupin.access.models import ApiToken
from fupin.startup.models import Loan

pytestmark = pytest.mark.django_db


@pytest.fixture
def far_loan(make_household, town_a_user):
    household = make_household("360222100", 1)
    person = household.members.first()
    # Written straight to the table as an old row would be: the forms and API refuse this date now.
    return Loan.objects.create(
        person=person,
        village_code=person.village_code,
        project="养殖",
        principal_fen=5_000_000,
        annual_rate_bp=435,
        term_months=24,
        start_on=dt.date(9999, 11, 1),
        pack_id="fuliang-2018",
    )


def test_page_names_the_date_instead_of_failing(far_loan, client, town_a_user):
    client.force_login(town_a_user)
    response = client.get(f"/startup/loans/{far_loan.pk}/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "放款日期 9999-11-01 起 24 个月超出可计算的日期范围" in text


def test_export_carries_the_reason_in_the_row(far_loan, client, town_a_user):
    client.force_login(town_a_user)
    response = client.get("/startup/loans/export/")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert any("超出可计算的日期范围" in str(v) for v in rows[0])


def test_api_refuses_in_chinese(far_loan, client, town_a_user):
    raw, _ = ApiToken.issue(town_a_user)
    response = client.get(
        f"/api/v1/startup/loans/{far_loan.pk}/schedule", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert response.status_code == 422
    assert "超出可计算的日期范围" in response.json()["detail"]
