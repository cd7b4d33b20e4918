"""`fupin demo` as `make demo` runs it, on a small county in a temporary data directory and a free
port: it serves (with the demo's sample import files offered on the import page) until SIGTERM,
and SIGTERM stops the web server and the task worker with it."""

import signal
import subprocess
import urllib.request
from urllib.parse import quote

from fupin.exchange.demo import SAMPLE_FILES

from .processes import Browser, alive, base_env, descendants, free_port, fupin, pid_in, wait_until
from .units import REPO


def test_demo_serves_until_sigterm_and_stops_its_worker(tmp_path):
    port = free_port()
    data = tmp_path / "var"
    log = tmp_path / "demo.log"
    env = base_env(FUPIN_DATA_DIR=str(data), FUPIN_WEB_WORKERS="2")
    env.pop("FUPIN_ALLOWED_HOSTS", None)
    demo = subprocess.Popen(
        fupin("demo", "--households", "20", "--addr", f"127.0.0.1:{port}"),
        env=env,
        cwd=REPO,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        browser = Browser(f"http://127.0.0.1:{port}")
        wait_until(lambda: browser.up() or demo.poll() is not None, 300, "the demo to serve")
        assert demo.poll() is None, log.read_text()[-3000:]
        worker, web = pid_in(log, "worker 已启动"), pid_in(log, "网页服务已启动")
        assert worker and web and alive(worker) and alive(web), log.read_text()[-3000:]

        # Demo mode reaches the web processes: any host name, demo accounts, sample files.
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/login/", headers={"Host": "fupin-demo.lan"}
        )
        with urllib.request.urlopen(request, timeout=30) as r:
            assert r.status == 200 and "fupin-demo" in r.read().decode()
        browser.login("county", "fupin-demo")
        page = browser.get("/exchange/imports/")[2].decode()
        assert "示例文件" in page
        for kind, name in SAMPLE_FILES.items():
            assert f"?kind={kind}" in page and name in page
            status, headers, body = browser.get(f"/exchange/imports/sample.xlsx?kind={kind}")
            assert status == 200 and body == (data / "demo" / name).read_bytes()
            assert quote(name) in headers["Content-Disposition"]
            assert body[:2] == b"PK"  # an xlsx (zip) file

        pids = [worker, web, *descendants(web), *descendants(worker)]
        demo.send_signal(signal.SIGTERM)
        assert demo.wait(timeout=60) == 0, log.read_text()[-3000:]
        assert not [pid for pid in pids if alive(pid)], log.read_text()[-3000:]
        assert not browser.up()
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()
