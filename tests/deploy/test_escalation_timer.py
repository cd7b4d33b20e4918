"""The hourly complaints escalation (deploy/systemd/fupin-escalate-complaints.{service,timer}): units
systemd accepts, the timer starting the one-shot service, and the service's command a real command."""

import shutil
import subprocess
from pathlib import Path

import pytest

from .processes import base_env
from .units import DEPLOY, INSTALL_BIN, REPO, env_example, exec_start, unit

SERVICE, TIMER = "fupin-escalate-complaints.service", "fupin-escalate-complaints.timer"


def test_timer_starts_the_oneshot_service_hourly_and_catches_up():
    timer, service = unit(TIMER), unit(SERVICE)
    assert timer["Timer"]["Unit"] == SERVICE and timer["Timer"]["Persistent"] == "true"
    assert timer["Timer"]["OnCalendar"] == "*-*-* *:05:00"
    assert timer["Install"]["WantedBy"] == "timers.target"
    assert "Install" not in service  # started by the timer, never enabled by itself
    s = service["Service"]
    assert s["Type"] == "oneshot" and s["User"] == "fupin"
    assert s["EnvironmentFile"] == "/etc/fupin/fupin.env" and s["WorkingDirectory"] == "/opt/fupin"
    assert s["ReadWritePaths"] == env_example()["FUPIN_DATA_DIR"]
    assert exec_start(SERVICE)[-1] == "escalate_complaints"


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_systemd_accepts_the_timer_and_service(tmp_path):
    venv_bin = Path(shutil.which("fupin", path=str(REPO / ".venv" / "bin")) or "").parent
    assert venv_bin.name == "bin"
    for name in (SERVICE, TIMER):
        text = (DEPLOY / "systemd" / name).read_text(encoding="utf-8")
        (tmp_path / name).write_text(text.replace(INSTALL_BIN, f"{venv_bin}/"), encoding="utf-8")
    done = subprocess.run(
        ["systemd-analyze", "verify", str(tmp_path / TIMER), str(tmp_path / SERVICE)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr


def test_the_service_command_exists(tmp_path):
    done = subprocess.run(
        [*exec_start(SERVICE), "--help"],
        env=base_env(FUPIN_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="fupin.settings"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "短信通知" in done.stdout
