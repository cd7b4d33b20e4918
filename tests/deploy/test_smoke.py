"""Production smoke test: the web and worker services exactly as deploy/systemd/ starts them
(gunicorn with fupin's config; `fupin worker`), with deploy/fupin.env.example's settings, on a
database of their own that `fupin migrate`, `load_divisions`, `collectstatic` and `fupin user add`
prepared. A staff member logs in with the printed password, static files come from whitenoise,
an upload is staged by the worker, and both services stop on SIGTERM as systemd stops them.

Runs on PostgreSQL when DATABASE_URL is PostgreSQL (a fresh database on that server), else SQLite.
"""

import gzip
import re
import shutil
import signal
import socket
import subprocess
import uuid
from types import SimpleNamespace

import pytest

from tests.exchange.files import ROSTER_HEADER, VILLAGE_A, person_id, roster_rows, xlsx

from .processes import (
    ON_PG,
    Browser,
    alive,
    base_env,
    descendants,
    free_port,
    fresh_database,
    fupin,
    pid_in,
    query,
    wait_until,
)
from .units import REPO, env_example, exec_start

RQ_DB = "redis://127.0.0.1:6379/13"


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), 1).close()
        return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("smoke")
    with fresh_database(tmp, "smoke") as url:
        env = base_env(**env_example())
        env.update(
            DATABASE_URL=url,
            FUPIN_DATA_DIR=str(tmp / "data"),
            FUPIN_SECRET_KEY=f"smoke-{uuid.uuid4().hex}",
            FUPIN_ALLOWED_HOSTS="127.0.0.1",
            FUPIN_WEB_WORKERS="2",
        )

        def run(*args: str) -> str:
            done = subprocess.run(
                fupin(*args), env=env, capture_output=True, text=True, timeout=300, cwd=REPO
            )
            assert done.returncode == 0, (args, done.stdout, done.stderr)
            return done.stdout

        run("migrate", "--noinput")
        run("load_divisions", "360222")
        run("collectstatic", "--noinput")
        out = run(
            "user",
            "add",
            "smoke",
            "--name",
            "冒烟测试",
            "--role",
            "county",
            "--area",
            "浮梁县",
            "--generate-password",
        )
        password = re.search(r"初始密码：(\S+)", out).group(1)
        yield SimpleNamespace(env=env, url=url, password=password, tmp=tmp)


def _start(cmd, env, log):
    return subprocess.Popen(
        cmd,
        env=env,
        cwd=REPO,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def test_web_and_worker_services(site, tmp_path):
    """With the example's RQ when Redis answers (as in production), else the database queue
    (`fupin serve` and `fupin demo` below and in test_demo.py run the database queue too)."""
    port = free_port()
    env = {**site.env, "FUPIN_BIND": f"127.0.0.1:{port}"}
    assert env["FUPIN_TASKS"] == "rq"
    if _redis_up():
        import redis
        from rq import Queue

        env["REDIS_URL"] = RQ_DB
        Queue("default", connection=redis.Redis.from_url(RQ_DB)).empty()
    else:
        env.pop("FUPIN_TASKS")
    web = _start(exec_start("fupin-web.service"), env, tmp_path / "web.log")
    worker = _start(exec_start("fupin-worker.service"), env, tmp_path / "worker.log")
    procs = [web, worker]
    try:
        site_url = f"http://127.0.0.1:{port}"
        browser = Browser(site_url)
        wait_until(lambda: browser.up() or web.poll() is not None, 180, f"gunicorn on {site_url}")
        assert web.poll() is None, (tmp_path / "web.log").read_text()[-3000:]
        status, _, body = browser.get("/login/")
        assert status == 200 and "登录" in body.decode()

        # Static files from whitenoise, as collected, gzipped for browsers that take it.
        css = (REPO / "src/fupin/web/static/web/fupin.css").read_bytes()
        status, headers, body = browser.get("/static/web/fupin.css")
        assert status == 200 and body == css
        assert "max-age" in headers.get("Cache-Control", "")
        gz = Browser(site_url)
        gz.opener.addheaders = [("Accept-Encoding", "gzip")]
        for url, original in (
            ("/static/vendor/htmx/htmx.min.js", "node_modules/htmx.org/dist/htmx.min.js"),
            # echarts ships no .gz of its own: this one is collectstatic's, served from STATIC_ROOT
            ("/static/vendor/echarts/echarts.min.js", "node_modules/echarts/dist/echarts.min.js"),
        ):
            status, headers, body = gz.get(url)
            assert status == 200 and headers.get("Content-Encoding") == "gzip", url
            assert gzip.decompress(body) == (REPO / original).read_bytes()
        # Only the files the pages load are served: not the package's other builds.
        assert browser.get("/static/vendor/echarts/echarts.esm.js")[0] == 404
        assert browser.get("/static/web/no-such-file.css")[0] == 404

        # The account `fupin user add` made logs in with the password it printed once.
        page = browser.login("smoke", site.password)
        assert "冒烟测试" in page or "smoke" in page

        # An upload on the import page is staged by the worker service, not the web process.
        rows = []
        for h in range(3):
            rows += roster_rows(f"S{h:03d}", VILLAGE_A, [(person_id(400 + h), f"冒烟{h}", "户主")])
        status, headers, body = browser.post(
            "/exchange/imports/",
            {"kind": "roster"},
            files={"file": ("花名册.xlsx", xlsx(rows, header=ROSTER_HEADER))},
        )
        assert status == 200, body[:500]
        pk = int(re.search(r"/exchange/imports/(\d+)/$", browser.last_url).group(1))
        job = wait_until(
            lambda: (j := browser.json(f"/api/v1/exchange/imports/{pk}"))["state"] == "ready" and j,
            180,
            "the worker to stage the upload",
        )
        assert job["counts"]["new"] == 3 and job["counts"]["rejected"] == 0
        assert (
            query(
                site.url,
                "SELECT COUNT(*) FROM access_auditentry WHERE action = 'create' AND object_type = 'user'",
            )
            == 1
        )

        # systemd stops a service with SIGTERM to its main process (KillMode=mixed: then the rest).
        pids = [web.pid, *descendants(web.pid), worker.pid, *descendants(worker.pid)]
        assert len(pids) >= 4  # gunicorn master + 2 workers, the task worker
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            assert p.wait(timeout=45) == 0, (tmp_path / "web.log").read_text()[-2000:]
        assert not [pid for pid in pids if alive(pid)]
        assert not browser.up()
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()


def test_serve_children_end_with_it_even_when_killed(site, tmp_path):
    """`fupin serve` killed outright (SIGKILL, no chance to clean up): the kernel tells its
    gunicorn and worker (PR_SET_PDEATHSIG), and they stop."""
    port = free_port()
    env = {**site.env}
    env.pop("FUPIN_TASKS")
    log = tmp_path / "serve.log"
    serve = _start(fupin("serve", "--addr", f"127.0.0.1:{port}"), env, log)
    try:
        browser = Browser(f"http://127.0.0.1:{port}")
        wait_until(lambda: browser.up() or serve.poll() is not None, 180, "fupin serve")
        assert serve.poll() is None, log.read_text()[-3000:]
        worker, web = pid_in(log, "worker 已启动"), pid_in(log, "网页服务已启动")
        assert worker and web and alive(worker) and alive(web)
        pids = [worker, web, *descendants(web)]
        serve.kill()
        serve.wait(timeout=10)
        wait_until(lambda: not [pid for pid in pids if alive(pid)], 60, f"{pids} to stop")
        assert not browser.up()
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait()


@pytest.mark.postgres
@pytest.mark.skipif(not ON_PG, reason="DATABASE_URL is not PostgreSQL")
@pytest.mark.skipif(not shutil.which("pg_dump"), reason="pg_dump is not installed")
def test_backup_restores_into_an_empty_database(site, tmp_path):
    """The README's backup: `pg_dump -Fc`, then `pg_restore` into a new database, gives back every
    account and audit entry."""
    dump = tmp_path / "fupin.dump"
    subprocess.run(["pg_dump", "-Fc", "-d", site.url, "-f", str(dump)], check=True, timeout=300)
    with fresh_database(tmp_path, "restore") as restored:
        subprocess.run(
            ["pg_restore", "--no-owner", "-d", restored, str(dump)], check=True, timeout=300
        )
        for table in ("access_user", "access_auditentry", "areas_area", "django_migrations"):
            sql = f"SELECT COUNT(*) FROM {table}"
            assert query(restored, sql) == query(site.url, sql) > 0, table
