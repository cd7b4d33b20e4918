"""`fupin demo`: build the demo county (演示县) and serve it with its background-job worker, stopped
together."""

import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from fupin.demo import builder
from fupin.web.server import serve


class Command(BaseCommand):
    help = (
        "构建演示县（浮梁县）并启动网页服务和后台任务 worker：默认 http://127.0.0.1:8000 ，"
        "演示账号密码均为 fupin-demo；Ctrl+C 或 SIGTERM 同时停止两者。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-serve", action="store_true", help="只构建，不启动服务")
        parser.add_argument("--households", type=int, default=4000)
        parser.add_argument(
            "--addr",
            default="127.0.0.1:8000",
            help="监听地址与端口，默认 127.0.0.1:8000；局域网访问用 0.0.0.0:8000",
        )

    def handle(self, *args, no_serve: bool, households: int, addr: str, **options) -> None:
        db = settings.DATABASES["default"]
        if db["ENGINE"] != "django.db.backends.sqlite3":
            raise CommandError("演示县只构建在内嵌 SQLite 上：请不要设置 DATABASE_URL")
        connections.close_all()
        path = str(db["NAME"])
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
        call_command("migrate", verbosity=0)
        self.stdout.write("正在构建演示县 浮梁县（360222）…")
        n_hh, n_people = builder.build(households=households)
        for hook in getattr(settings, "DEMO_BUILDERS", []):
            from django.utils.module_loading import import_string

            self.stdout.write(import_string(hook)() or "")
        self.stdout.write(self.style.SUCCESS(f"已构建：{n_hh} 户、{n_people} 人，数据库 {path}"))
        self.stdout.write(
            "演示账号（密码 fupin-demo）：admin、county、insurance、poverty-office、auditor、town-<9位乡镇代码>"
        )
        if no_serve:
            return
        call_command("collectstatic", interactive=False, verbosity=0)
        connections.close_all()
        # Demo data only: reachable under any host name (make demo ADDR=0.0.0.0:8000 for the LAN).
        env = {"FUPIN_DEMO": "1", "FUPIN_ALLOWED_HOSTS": os.environ.get("FUPIN_ALLOWED_HOSTS", "*")}
        sys.exit(serve(addr, env=env, say=self.stdout.write))
