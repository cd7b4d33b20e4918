"""发放批次 workflow: prepare, maker–checker review and approval, edits refused after approval."""

import pytest
from django.http import Http404

from fupin.access.models import AuditEntry, Role
from fupin.payments import services
from fupin.payments.models import Batch, BatchLine, BatchState, LineStatus
from fupin.payments.services import PaymentError
from tests.conftest import COUNTY, TOWN_A, TOWN_B

from .conftest import MONTHLY_FEN

pytestmark = pytest.mark.django_db


def _prepare(user, period="2018-03", area=TOWN_A):
    return services.prepare(user=user, kind="t_post", period=period, area_code=area)


def test_prepare_takes_every_entitlement_of_the_area_with_totals_per_township(
    kind, two_towns, town_a_user
):
    batch = _prepare(town_a_user)
    # 浮梁镇: 2 households × 2 persons = 4 lines × 500.00 元 = 2,000.00 元 = 200,000 fen.
    assert (batch.line_count, batch.total_fen) == (4, 200_000)
    assert batch.town_totals == {TOWN_A: [4, 200_000]}
    assert batch.state == BatchState.PREPARED and batch.area_code == TOWN_A + "000"
    assert set(batch.lines.values_list("amount_fen", flat=True)) == {MONTHLY_FEN}
    assert AuditEntry.objects.filter(
        object_type="batch", object_id=str(batch.pk), action="create"
    ).exists()


def test_county_batch_totals_per_township(kind, two_towns, county_user):
    batch = _prepare(county_user, area=COUNTY)
    # 浮梁镇 4 × 500 元 = 200,000 fen; 鹅湖镇 3 × 500 元 = 150,000 fen; together 7 lines, 350,000 fen.
    assert batch.town_totals == {TOWN_A: [4, 200_000], TOWN_B: [3, 150_000]}
    assert (batch.line_count, batch.total_fen) == (7, 350_000)


def test_an_entitlement_already_in_a_batch_is_not_taken_again(
    kind, two_towns, town_a_user, county_user
):
    _prepare(town_a_user)
    with pytest.raises(
        PaymentError, match="没有待发放的“测试岗位补贴”，其中 4 条已在其他发放批次中"
    ):
        _prepare(town_a_user)
    # The county batch takes only 鹅湖镇's three: 浮梁镇's four are in the township's batch.
    county = _prepare(county_user, area=COUNTY)
    assert county.town_totals == {TOWN_B: [3, 150_000]}
    assert Batch.objects.count() == 2
    # Another month is another entitlement.
    assert _prepare(town_a_user, period="2018-04").line_count == 4


def test_bad_kind_period_or_area_is_refused_in_chinese(kind, two_towns, town_a_user):
    with pytest.raises(PaymentError, match="没有发放项目"):
        services.prepare(user=town_a_user, kind="nope", period="2018-03", area_code=TOWN_A)
    with pytest.raises(PaymentError, match="按月份发放，期间应写作 2018-03"):
        _prepare(town_a_user, period="2018")
    with pytest.raises(PaymentError, match="发放区划应为本县乡镇或县的代码"):
        _prepare(town_a_user, area="99")
    with pytest.raises(PaymentError, match="不在本辖区"):
        _prepare(town_a_user, area=TOWN_B)
    with pytest.raises(PaymentError, match="不在本辖区"):
        _prepare(town_a_user, area=COUNTY)
    assert not Batch.objects.exists()


def test_maker_checker_the_preparer_never_reviews_or_approves(
    kind, two_towns, county_user, county_approver, make_user
):
    third = make_user("county-3", Role.COUNTY, COUNTY)
    batch = _prepare(county_user, area=COUNTY)
    with pytest.raises(PaymentError, match="编制人不能复核本人编制的批次"):
        services.review(user=county_user, batch_id=batch.pk)
    with pytest.raises(PaymentError, match="不能审批"):  # not reviewed yet
        services.approve(user=county_approver, batch_id=batch.pk)
    services.review(user=county_approver, batch_id=batch.pk)
    with pytest.raises(PaymentError, match="编制人不能审批本人编制的批次"):
        services.approve(user=county_user, batch_id=batch.pk)
    with pytest.raises(PaymentError, match="复核人不能再审批同一批次"):
        services.approve(user=county_approver, batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.state == BatchState.REVIEWED and batch.approver is None
    services.approve(user=third, batch_id=batch.pk)
    batch.refresh_from_db()
    assert (batch.state, batch.preparer, batch.reviewer, batch.approver) == (
        BatchState.APPROVED,
        county_user,
        county_approver,
        third,
    )
    actions = list(
        AuditEntry.objects.filter(object_type="batch", object_id=str(batch.pk)).values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["create", "decision", "decision"]


def test_township_prepares_a_colleague_reviews_only_the_county_approves(
    kind, two_towns, town_a_user, town_a_checker, county_user
):
    batch = _prepare(town_a_user)
    services.review(user=town_a_checker, batch_id=batch.pk)
    with pytest.raises(PaymentError, match="审批发放批次须由县级人社局办理"):
        services.approve(user=town_a_checker, batch_id=batch.pk)
    services.approve(user=county_user, batch_id=batch.pk)
    assert Batch.objects.get(pk=batch.pk).state == BatchState.APPROVED


def test_read_only_and_village_roles_take_no_part(kind, two_towns, town_a_user, make_user):
    from django.core.exceptions import PermissionDenied

    auditor = make_user("aud", Role.AUDITOR, TOWN_A)
    village = make_user("vil", Role.VILLAGE, TOWN_A)
    with pytest.raises(PermissionDenied):
        _prepare(auditor)
    with pytest.raises(PaymentError, match="村协理员不能编制发放批次"):
        _prepare(village)
    batch = _prepare(town_a_user)
    with pytest.raises(PaymentError, match="村协理员不能复核"):
        services.review(user=village, batch_id=batch.pk)


def test_another_townships_batch_is_missing(kind, two_towns, town_a_user, town_b_user):
    batch = _prepare(town_a_user)
    with pytest.raises(Http404):
        services.review(user=town_b_user, batch_id=batch.pk)
    with pytest.raises(Http404):
        services.cancel(user=town_b_user, batch_id=batch.pk, reason="x")
    assert Batch.objects.get(pk=batch.pk).state == BatchState.PREPARED


def _snapshot(batch_id):
    b = Batch.objects.get(pk=batch_id)
    lines = sorted(
        BatchLine.objects.filter(batch_id=batch_id).values_list(
            "id", "live", "status", "amount_fen"
        )
    )
    return (b.state, b.version, b.line_count, b.total_fen, b.town_totals, lines)


def test_a_batch_cannot_be_edited_after_approval(
    kind, two_towns, town_a_user, town_a_checker, county_user
):
    batch = _prepare(town_a_user)
    line = batch.lines.first()
    services.review(user=town_a_checker, batch_id=batch.pk)
    with pytest.raises(PaymentError, match="批次已复核，不能再修改"):
        services.remove_line(user=town_a_user, batch_id=batch.pk, line_id=line.pk, reason="重复")
    services.approve(user=county_user, batch_id=batch.pk)
    before = _snapshot(batch.pk)
    audits = AuditEntry.objects.count()
    with pytest.raises(PaymentError, match="批次已审批，不能再修改"):
        services.remove_line(user=town_a_user, batch_id=batch.pk, line_id=line.pk, reason="重复")
    with pytest.raises(PaymentError, match="批次已审批，不能再修改"):
        services.cancel(user=county_user, batch_id=batch.pk, reason="重复")
    with pytest.raises(PaymentError, match="不能复核"):
        services.review(user=town_a_checker, batch_id=batch.pk)
    assert _snapshot(batch.pk) == before
    assert AuditEntry.objects.count() == audits


def test_removing_a_line_before_review_frees_its_entitlement(kind, two_towns, town_a_user):
    batch = _prepare(town_a_user)
    line = batch.lines.order_by("id").first()
    with pytest.raises(PaymentError, match="请填写剔除原因"):
        services.remove_line(user=town_a_user, batch_id=batch.pk, line_id=line.pk, reason="  ")
    services.remove_line(user=town_a_user, batch_id=batch.pk, line_id=line.pk, reason="本月已离岗")
    batch.refresh_from_db()
    # 3 lines left × 50,000 fen = 150,000 fen.
    assert (batch.line_count, batch.total_fen, batch.version) == (3, 150_000, 2)
    assert BatchLine.objects.get(pk=line.pk).status == LineStatus.REMOVED
    again = _prepare(town_a_user)
    assert list(again.lines.values_list("person_id", flat=True)) == [line.person_id]


def test_a_stale_version_is_refused(kind, two_towns, town_a_user, town_a_checker):
    batch = _prepare(town_a_user)
    with pytest.raises(PaymentError, match="已被他人处理"):
        services.review(user=town_a_checker, batch_id=batch.pk, version=batch.version + 1)
    services.review(user=town_a_checker, batch_id=batch.pk, version=batch.version)


def test_cancelling_frees_every_entitlement(kind, two_towns, town_a_user):
    batch = _prepare(town_a_user)
    services.cancel(user=town_a_user, batch_id=batch.pk, reason="期间填错")
    assert not BatchLine.objects.filter(batch=batch, live=True).exists()
    assert _prepare(town_a_user).line_count == 4
