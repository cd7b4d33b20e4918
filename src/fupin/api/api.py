"""/api/v1 — django-ninja assembly (API 总装). Each app owns its router in `<app>/api.py` and is added here;
this package holds only the assembly: authentication (`auth`), error shapes (`errors`), schema helpers (`schemas`)."""

import json

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from fupin.appraisal import api as appraisal_api
from fupin.assistance import api as assistance_api
from fupin.certification import api as certification_api
from fupin.complaints import api as complaints_api
from fupin.employment import api as employment_api
from fupin.exchange import api as exchange_api
from fupin.insurance import api as insurance_api
from fupin.insurance import subsidy_api
from fupin.insurance.claims import api as claims_api
from fupin.management import api as management_api
from fupin.monitoring import api as monitoring_api
from fupin.payments import api as payments_api
from fupin.registration import api as registration_api
from fupin.registry import api as registry_api
from fupin.startup import api as startup_api
from fupin.training import api as training_api
from fupin.unemployment import api as unemployment_api
from fupin.workinjury import api as workinjury_api

from . import errors
from .auth import STAFF_AUTH, auth_router


class ChineseJSONRenderer(JSONRenderer):
    """JSON with Chinese characters as they are, not \\u escapes."""

    def render(self, request: HttpRequest, data: object, *, response_status: int) -> str:
        return json.dumps(data, cls=self.encoder_class, ensure_ascii=False)


api = NinjaAPI(
    renderer=ChineseJSONRenderer(),
    title="fupin 扶贫 API",
    version="1",
    description="建档立卡、比对、医疗结算、就业帮扶。认证：会话或 Bearer 令牌（POST /api/v1/auth/token）。",
    auth=STAFF_AUTH,
    urls_namespace="api",
)
errors.install(api)


api.add_router("/auth", auth_router)
api.add_router("", registry_api.router)  # 建档立卡
api.add_router("", exchange_api.router)  # 数据导入与信息比对
api.add_router("", employment_api.router)  # 就业帮扶
api.add_router("", training_api.router)  # 技能培训
api.add_router("", startup_api.router)  # 创业扶持
api.add_router("", assistance_api.router)  # 帮扶计划与台账
api.add_router("", insurance_api.router)  # 医疗结算与政策包
api.add_router("", payments_api.router)  # 资金发放
api.add_router("", subsidy_api.router)  # 社保扶贫代缴、补缴、应保尽保
api.add_router("", claims_api.router)  # 医疗费用结算单入库、政策测算
api.add_router("", appraisal_api.router)  # 慢性病鉴定
api.add_router("", management_api.router)  # 工作调度：指标、目标、台账、通报
api.add_router("", monitoring_api.router)  # 防止返贫监测
api.add_router("", certification_api.router)  # 待遇领取资格认证
api.add_router("", workinjury_api.router)  # 工伤认定绿色通道
api.add_router("", unemployment_api.router)  # 价格临时补贴
api.add_router("", registration_api.router)  # 全民参保登记
api.add_router("", complaints_api.router)  # 诉求与投诉
