"""The shipped deployment files (deploy/) read as a county server would read them."""

import configparser
import shlex
import sys
from pathlib import Path

from .processes import fupin

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
INSTALL_BIN = "/opt/fupin/.venv/bin/"


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(DEPLOY / "systemd" / name, encoding="utf-8")
    return parser


def exec_start(name: str) -> list[str]:
    """The unit's ExecStart as a command for this checkout: the installed venv's scripts become
    this interpreter running the same module."""
    argv = shlex.split(unit(name)["Service"]["ExecStart"])
    program = argv[0]
    assert program.startswith(INSTALL_BIN), program
    script = program.removeprefix(INSTALL_BIN)
    if script == "gunicorn":
        return [sys.executable, "-m", "gunicorn", *argv[1:]]
    if script == "fupin":
        return fupin(*argv[1:])
    raise AssertionError(f"unexpected program {program}")


def env_example() -> dict[str, str]:
    """deploy/fupin.env.example as systemd's EnvironmentFile reads it."""
    out = {}
    for line in (DEPLOY / "fupin.env.example").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            out[key.strip()] = value.strip()
    return out
