"""fupin serve: the web server (网页服务, gunicorn) and a task worker in one go, stopped together."""

import sys

from django.core.management.base import BaseCommand, CommandParser

from fupin.web.server import serve


class Command(BaseCommand):
    help = (
        "启动网页服务（gunicorn）和后台任务 worker，收到 Ctrl+C 或 SIGTERM 时一并停止。"
        "生产环境请用 deploy/systemd/ 中的两个服务分别运行。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--addr",
            default="127.0.0.1:8000",
            help="监听地址与端口，默认 127.0.0.1:8000；局域网访问用 0.0.0.0:8000",
        )

    def handle(self, *args, addr: str, **options) -> None:
        sys.exit(serve(addr, say=self.stdout.write))
