"""确认导入 as the clerk sees it: once confirmed, the page says the merge is coming and keeps polling
(no 待确认 with the button still active), a second confirmation does nothing, and the finished page
counts the rows actually merged (not the rejected ones)."""

import pytest

from fupin.exchange import imports
from fupin.exchange.models import ImportJob, JobState

from .files import ROSTER_HEADER, VILLAGE_A, person_id, xlsx

pytestmark = pytest.mark.django_db

ROWS = [
    ["C0001", VILLAGE_A, 2016, "因病", person_id(41), "甲一", "户主"],
    ["C0001", None, None, None, person_id(42, 2005, "女"), "甲二", "子女"],
    ["C0002", VILLAGE_A, 2016, "因病", person_id(43), "乙一", "户主"],
    ["C0003", VILLAGE_A, 2016, "因懒", person_id(44), "丙一", "户主"],  # rejected: unknown cause
    ["C0004", None, None, None, person_id(45), "丁一", "子女"],  # rejected: no head row
]


@pytest.fixture
def staged(areas, county_user):
    job = imports.create_job(
        user=county_user,
        kind="roster",
        filename="名单.xlsx",
        content=xlsx(ROWS, header=ROSTER_HEADER),
    )
    imports.stage(job, user=county_user)
    assert job.counts["rejected"] == 2 and job.rows_total == 5
    return job


def test_confirmed_job_polls_and_offers_no_second_confirmation(staged, client, county_user):
    client.force_login(county_user)
    assert "确认导入" in client.get(f"/exchange/imports/{staged.pk}/").content.decode()
    assert imports.confirm(staged) is True
    assert imports.confirm(staged) is False  # a second click confirms nothing
    staged.refresh_from_db()
    assert staged.state == JobState.CONFIRMED and not staged.finished
    fragment = client.get(
        f"/exchange/imports/{staged.pk}/progress/", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "已确认，等待合并" in fragment and 'hx-trigger="every 1s"' in fragment
    assert "确认导入（" not in fragment
    # the queued merge still runs from the confirmed state
    imports.merge(staged, user=county_user)
    staged.refresh_from_db()
    assert staged.state == JobState.DONE


def test_finished_job_counts_the_rows_merged(staged, county_user, client):
    client.force_login(county_user)
    response = client.post(f"/exchange/imports/{staged.pk}/confirm/")  # tasks run at once in tests
    assert response.status_code == 302
    job = ImportJob.objects.get(pk=staged.pk)
    assert job.state == JobState.DONE
    assert job.rows_merged == 3  # five rows read, two rejected
    page = client.get(f"/exchange/imports/{staged.pk}/").content.decode()
    assert "已合并 3 行" in page
    again = client.post(f"/exchange/imports/{staged.pk}/confirm/", follow=True).content.decode()
    assert "不能确认" in again
