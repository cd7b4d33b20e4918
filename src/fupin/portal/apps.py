"""The app configuration of the resident service portal (居民服务门户)."""

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "fupin.portal"
    verbose_name = "居民服务门户"

    def ready(self) -> None:
        from . import menu

        menu.register(
            "我的信息", "portal:me", order=10, note="家庭状况、帮扶计划、养老医疗保险、慢性病证"
        )
        menu.register("就业与培训", "portal:jobs", order=20, note="推荐岗位、推荐就业、培训和证书")
        menu.register("补贴与贷款", "portal:money", order=30, note="各项补贴发放、创业贷款")
        menu.register("医疗费用", "portal:claims", order=40, note="每次看病报销了多少、为什么")
        menu.register(
            "我要申请",
            "portal:requests",
            order=60,
            note="选缴费档次、培训、就业、慢性病鉴定、改手机号",
        )
