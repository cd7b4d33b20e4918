"""fupin escalate_complaints — write down the escalations the time limits call for (run hourly)."""

from django.core.management.base import BaseCommand

from fupin.complaints.services import escalate


class Command(BaseCommand):
    help = "诉求与投诉：超过受理或答复时限的升级（村 → 乡镇 → 县），并记录升级原因"

    def handle(self, *args, **options):
        moved = escalate()
        self.stdout.write(f"升级 {moved} 件诉求")
