"""The nightly statistics snapshot as shipped: a oneshot service building today's snapshot and
then pruning old ones, started by a timer systemd accepts."""

import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from .units import DEPLOY, INSTALL_BIN, REPO, env_example, unit

NAMES = ["fupin-snapshot.service", "fupin-snapshot.timer"]


def test_the_service_snapshots_then_prunes_as_the_other_units_run():
    service = unit(NAMES[0])["Service"]
    assert service["Type"] == "oneshot"
    assert service["User"] == "fupin" and service["EnvironmentFile"] == "/etc/fupin/fupin.env"
    assert service["ReadWritePaths"] == env_example()["FUPIN_DATA_DIR"]
    text = (DEPLOY / "systemd" / NAMES[0]).read_text(encoding="utf-8")
    commands = [
        shlex.split(line.partition("=")[2])
        for line in text.splitlines()
        if line.startswith("ExecStart=")
    ]
    assert commands == [
        [f"{INSTALL_BIN}fupin", "snapshot"],
        [f"{INSTALL_BIN}fupin", "prune_snapshots"],
    ]
    timer = unit(NAMES[1])
    assert timer["Timer"]["Unit"] == NAMES[0] and timer["Timer"]["Persistent"] == "true"
    assert timer["Timer"]["OnCalendar"] == "*-*-* 23:30:00"
    assert timer["Install"]["WantedBy"] == "timers.target"


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_systemd_accepts_the_timer_and_its_service(tmp_path):
    venv_bin = Path(shutil.which("fupin", path=str(REPO / ".venv" / "bin")) or "").parent
    assert venv_bin.name == "bin"
    for name in NAMES:
        text = (DEPLOY / "systemd" / name).read_text(encoding="utf-8")
        (tmp_path / name).write_text(text.replace(INSTALL_BIN, f"{venv_bin}/"), encoding="utf-8")
    done = subprocess.run(
        ["systemd-analyze", "verify", *[str(tmp_path / n) for n in NAMES]],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr
    done = subprocess.run(
        ["systemd-analyze", "calendar", unit(NAMES[1])["Timer"]["OnCalendar"]],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and "23:30:00" in done.stdout
