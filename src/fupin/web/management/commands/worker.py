"""fupin worker: the background-job worker (后台任务) of the configured backend (RQ or the database)."""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from fupin.web.server import worker_arguments


class Command(BaseCommand):
    help = "运行后台任务 worker：FUPIN_TASKS=rq 时为 RQ（需 REDIS_URL），否则为数据库任务队列。"

    def handle(self, *args, **options) -> None:
        try:
            arguments = worker_arguments()
        except ValueError as e:
            raise CommandError(str(e)) from None
        call_command(*arguments)
