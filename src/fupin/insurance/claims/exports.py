"""Spreadsheets of stored claims (医疗费用结算单) that a page and an API route both offer: the
claims a 按新身份重算 changed, and every fault of a 低保/特困 list upload. One builder each, so the
page and the API hand out the same file."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from fupin.access.models import User
from fupin.appraisal.templatetags.appraisal import class_name
from fupin.areas.names import known_names as area_names
from fupin.policy.params import CATEGORY_NAMES
from fupin.registry.idnumber import mask
from fupin.web.xlsx import xlsx_response

from . import selectors
from .models import IdentityImport, OfficialResettlement

EXPORT_LIMIT = 1_100_000
PART_NAMES = {"basic_fen": "基本医保", "critical_fen": "大病保险", "assistance_fen": "医疗救助",
              "fallback_fen": "兜底保障", "self_fen": "个人自付"}  # fmt: skip


def official_changes_xlsx(
    request: HttpRequest, user: User, run: OfficialResettlement, *, unmasked: bool
) -> HttpResponse:
    """The claims `run` changed, before → after → difference of each part (元), one row per claim;
    ID numbers in full only when `unmasked` (the caller has checked `may_unmask`); audited."""
    show = (lambda v: v) if unmasked else mask
    changes = list(selectors.official_changes(user, run)[:EXPORT_LIMIT].iterator(chunk_size=5000))
    names = area_names({c.village_code for c in changes})
    rows = [
        [
            names.get(c.village_code, ""),
            show(c.claim.person.id_number),
            c.claim.person.name,
            c.claim.claim_no,
            c.claim.admission_date.isoformat(),
            c.claim.get_visit_type_display(),
            CATEGORY_NAMES.get(c.old_category, c.old_category),
            CATEGORY_NAMES.get(c.new_category, c.new_category),
            class_name(c.old_chronic_class),
            class_name(c.new_chronic_class),
            *(
                v
                for k in PART_NAMES
                for v in (
                    getattr(c, f"old_{k}") / 100,
                    getattr(c, k) / 100,
                    (getattr(c, k) - getattr(c, f"old_{k}")) / 100,
                )
            ),
        ]
        for c in changes
    ]
    header = [
        "区划",
        "身份证号",
        "姓名",
        "结算单号",
        "入院日期",
        "就诊类型",
        "原人员类别",
        "新人员类别",
        "原慢性病类别",
        "新慢性病类别",
        *(f"{n}{w}(元)" for n in PART_NAMES.values() for w in ("原", "新", "差额")),
    ]
    title = f"{run.year}年度按新身份重算{run.pk}的变化"
    return xlsx_response(user=user, request=request, filename=f"{title}.xlsx", unmasked=unmasked,
                         summary=f"导出{title} {len(rows)} 笔", sheets=[("有变化的结算单", header, rows)])  # fmt: skip


def identity_import_errors_xlsx(
    request: HttpRequest, user: User, job: IdentityImport
) -> HttpResponse:
    """Every fault of a 低保/特困 list upload, one line per fault: row, masked ID number, column,
    fault (Chinese); audited as an export."""
    job = selectors.identity_import(user, job.pk)
    faulty = job.rows.exclude(errors=[]).order_by("row_no")
    rows = [[r.row_no, mask(r.id_number) if r.id_number else "", column, reason]
            for r in faulty.iterator(chunk_size=5000) for column, reason in r.errors]  # fmt: skip
    title = f"低保特困名单导入{job.pk}的错误清单"
    return xlsx_response(user=user, request=request, filename=f"{title}.xlsx", unmasked=False,
                         summary=f"导出{title} {len(rows)} 处",
                         sheets=[("错误清单", ["行号", "身份证号（脱敏）", "列", "问题"], rows)])  # fmt: skip
