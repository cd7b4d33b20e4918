"""Taking a batch through its steps, and return files written as a bank would."""

import datetime as dt

from fupin.payments import services
from tests.conftest import TOWN_A


def approved(kind_user, checker, approver, *, period="2018-03", area=TOWN_A):
    batch = services.prepare(user=kind_user, kind="t_post", period=period, area_code=area)
    services.review(user=checker, batch_id=batch.pk)
    services.approve(user=approver, batch_id=batch.pk)
    return batch


def paid(preparer, checker, approver, payer, **kw):
    from fupin.payments.exports import bank_csv_response

    batch = approved(preparer, checker, approver, **kw)
    bank_csv_response(user=payer, request=None, batch_id=batch.pk)
    services.mark_paid(
        user=payer, batch_id=batch.pk, reference="NS20180405-001", paid_on=dt.date.today()
    )
    batch.refresh_from_db()
    return batch


def csv_bytes(rows, header=("明细号", "身份证号", "姓名", "金额(元)", "结果", "说明")) -> bytes:
    lines = [",".join(header)] + [",".join(str(c) for c in r) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")
