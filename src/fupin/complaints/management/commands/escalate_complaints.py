"""fupin escalate_complaints — write down the escalations (升级督办) the time limits call for and text the contacts
set up for the level reached (run hourly by deploy/systemd/fupin-escalate-complaints.timer)."""

from django.core.management.base import BaseCommand

from fupin.complaints.services import escalate


class Command(BaseCommand):
    help = "诉求与投诉：超过受理或答复时限的升级（村 → 乡镇 → 县），记录升级原因，并短信通知该级设置的通知号码"

    def handle(self, *args, **options) -> None:
        moved = escalate()
        self.stdout.write(f"升级 {moved} 件诉求")
