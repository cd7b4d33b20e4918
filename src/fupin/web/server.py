"""服务进程 (the server processes): gunicorn for the pages, one task worker for background jobs.

Production runs the two as separate services (deploy/systemd/); `fupin serve` and `fupin demo`
run both under one parent that stops them together: on SIGTERM, SIGINT or SIGHUP the parent
asks each child to stop and waits for it, and on Linux each child is also told by the kernel
(PR_SET_PDEATHSIG) when the parent dies without a chance to do so (SIGKILL).
"""

import ctypes
import ctypes.util
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from types import FrameType

from django.conf import settings

GUNICORN_CONF = "python:fupin.web.gunicorn_conf"
STOP_GRACE_SECONDS = 20


def web_command(addr: str) -> list[str]:
    """gunicorn serving fupin.wsgi on `addr` (host:port) with fupin's gunicorn settings."""
    return [sys.executable, "-m", "gunicorn", "-c", GUNICORN_CONF, "--bind", addr, "fupin.wsgi"]


def worker_command() -> list[str]:
    """The worker of the configured task backend: RQ when FUPIN_TASKS=rq, else the database's."""
    return [sys.executable, "-m", "fupin.cli", "worker"]


def worker_arguments() -> list[str]:
    """`fupin worker`'s real command: RQ's worker on the configured queues, or the database's."""
    backend = settings.TASKS["default"]["BACKEND"]
    if backend.startswith("django_tasks_rq."):
        return [
            "rqworker",
            *settings.TASKS["default"].get("QUEUES", ["default"]),
            "--job-class",
            "django_tasks_rq.Job",
        ]
    if backend.startswith("django_tasks_db."):
        return ["db_worker"]
    raise ValueError(f"任务后端 {backend} 不需要 worker")


def _die_with_parent() -> None:
    """In the child, before exec: have the kernel send SIGTERM when the parent dies."""
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _start(cmd: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        cmd, env=env, preexec_fn=_die_with_parent if sys.platform == "linux" else None
    )


def stop(procs: list[subprocess.Popen], grace: float = STOP_GRACE_SECONDS) -> None:
    """SIGTERM to every child still running, wait up to `grace` seconds, then SIGKILL."""
    for p in procs:
        if p.poll() is None:
            p.terminate()
    deadline = time.monotonic() + grace
    for p in procs:
        try:
            p.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def serve(
    addr: str, *, env: dict[str, str] | None = None, say: Callable[[str], None] = print
) -> int:
    """Run the web server and a task worker until a stop signal or until either exits.

    Returns 0 after a stop signal, otherwise the exit code of the child that stopped first.
    """
    env = {**os.environ, **(env or {})}
    stopping: list[int] = []

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stopping.append(signum)

    previous = {
        s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
    }
    procs: list[subprocess.Popen] = []
    try:
        worker = _start(worker_command(), env)
        procs.append(worker)
        say(f"后台任务 worker 已启动（进程 {worker.pid}）")
        web = _start(web_command(addr), env)
        procs.append(web)
        say(f"网页服务已启动（进程 {web.pid}）：http://{addr}/ （Ctrl+C 退出）")
        while not stopping:
            time.sleep(0.2)
            for p, name in ((web, "网页服务"), (worker, "后台任务 worker")):
                if p.poll() is not None and not stopping:
                    say(f"{name}已退出（退出码 {p.returncode}），正在停止其余进程")
                    return p.returncode or 1
        say("收到停止信号，正在停止网页服务和后台任务 worker…")
        return 0
    finally:
        stop(procs)
        for s, handler in previous.items():
            signal.signal(s, handler)
