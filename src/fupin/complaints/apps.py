"""The app configuration of residents' requests and complaints (诉求与投诉)."""

from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "fupin.complaints"
    verbose_name = "诉求与投诉"

    def ready(self) -> None:
        from fupin.portal import menu

        menu.register(
            "我要反映问题", "portal:complaints:home", order=60, note="诉求、投诉，查看答复并评价"
        )
