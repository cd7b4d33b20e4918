"""The modules in the top navigation bar (导航栏); each module adds its own line here."""

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

MODULES: list[tuple[str, str]] = [
    ("医疗结算测算", "insurance:settlement"),
    ("医疗结算单", "insurance:claims_home"),
    ("社保代缴", "insurance:subsidy_home"),
    ("数据导入", "exchange:imports"),
    ("信息比对", "exchange:comparisons"),
    ("就业帮扶", "employment:home"),
    ("工作调度", "management:plans"),
    ("资金发放", "payments:batches"),
    ("防止返贫监测", "monitoring:home"),
    ("慢性病鉴定", "appraisal:home"),
    ("资格认证", "certification:pensioners"),
    ("工伤与参保登记", "workinjury:cases"),
    ("诉求投诉", "complaints:list"),
    ("居民申请", "portal:staff_requests"),
    ("代办服务", "portal:assist_records"),
]


def nav_modules(request: HttpRequest) -> dict[str, list[dict[str, str]]]:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    items = []
    for label, name in MODULES:
        try:
            items.append({"label": label, "url": reverse(name)})
        except NoReverseMatch:
            continue
    return {"nav_modules": items}
