"""Background prepare and reconcile (payments.jobs): checked at once, run on commit as the user who
asked, the outcome on the job; a refused job changes nothing and says why in Chinese."""

import pytest
from django.urls import reverse

from fupin.payments import jobs
from fupin.payments.models import Batch, BatchJob
from fupin.payments.services import PaymentError
from tests.conftest import TOWN_A, TOWN_B, login

from .helpers import approved, csv_bytes, paid

pytestmark = pytest.mark.django_db


def test_a_prepare_job_with_nothing_to_pay_fails_in_chinese(
    kind, two_towns, town_a_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.start_prepare(
            user=town_a_user, kind="t_post", period="2018-03", area_code=TOWN_A
        )
    job.refresh_from_db()
    assert job.state == "done" and Batch.objects.get().pk == job.batch_id
    # The same month again: every entitlement is in the first batch already.
    with django_capture_on_commit_callbacks(execute=True):
        again = jobs.start_prepare(
            user=town_a_user, kind="t_post", period="2018-03", area_code=TOWN_A
        )
    again.refresh_from_db()
    assert again.state == "failed" and again.batch_id is None
    assert "没有待发放的“测试岗位补贴”" in again.message and "已在其他发放批次中" in again.message
    assert Batch.objects.count() == 1
    r = login(town_a_user).get(reverse("payments:job", args=[again.pk]))
    assert "没有待发放的" in r.content.decode() and "重新编制" in r.content.decode()


def test_jobs_refuse_at_once_what_can_be_checked(
    kind, two_towns, town_a_user, town_a_checker, county_user, county_approver
):
    with pytest.raises(PaymentError, match="不在本辖区"):
        jobs.start_prepare(user=town_a_user, kind="t_post", period="2018-03", area_code=TOWN_B)
    with pytest.raises(PaymentError, match="期间|月份"):
        jobs.start_prepare(user=town_a_user, kind="t_post", period="2018-13", area_code=TOWN_A)
    batch = approved(town_a_user, town_a_checker, county_user)
    with pytest.raises(PaymentError, match="导入回盘文件须由县级"):
        jobs.start_reconcile(user=town_a_user, batch_id=batch.pk, data=b"x", filename="a.csv")
    with pytest.raises(PaymentError, match="须先登记支付再导入回盘文件"):
        jobs.start_reconcile(user=county_approver, batch_id=batch.pk, data=b"x", filename="a.csv")
    other = paid(town_a_user, town_a_checker, county_user, county_approver, period="2018-04")
    with pytest.raises(PaymentError, match="回盘文件是空的"):
        jobs.start_reconcile(user=county_approver, batch_id=other.pk, data=b"", filename="a.csv")
    assert not BatchJob.objects.exists()


def test_a_reconcile_job_records_the_faults_and_changes_nothing(
    kind,
    two_towns,
    town_a_user,
    town_a_checker,
    county_user,
    county_approver,
    django_capture_on_commit_callbacks,
):
    batch = paid(town_a_user, town_a_checker, county_user, county_approver)
    line = batch.lines.order_by("id").select_related("person").first()
    data = csv_bytes([(line.pk, "123", "", "500.00", "成功", "")])
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.start_reconcile(
            user=county_approver, batch_id=batch.pk, data=data, filename="回盘.csv"
        )
    job.refresh_from_db()
    assert job.state == "failed" and job.data == b"" and "未导入" in job.message
    assert job.faults and job.faults[0][0] == 2 and "身份证号" in job.faults[0][1]
    batch.refresh_from_db()
    assert batch.state == "paid" and not batch.differences.exists()


def test_a_job_left_running_by_a_dead_worker_fails_on_its_page(kind, two_towns, town_a_user):
    job = BatchJob.objects.create(
        job="prepare",
        state="running",
        area_code=TOWN_A.ljust(12, "0"),
        params={"kind": "t_post", "period": "2018-03", "area": TOWN_A, "note": ""},
        created_by=town_a_user,
    )
    # Nobody holds the job's lock: the worker that took it is gone.
    r = login(town_a_user).get(reverse("payments:job", args=[job.pk]))
    job.refresh_from_db()
    assert job.state == "failed" and "后台进程意外退出" in job.message
    assert "后台进程意外退出" in r.content.decode() and not Batch.objects.exists()
