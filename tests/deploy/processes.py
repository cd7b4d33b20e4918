"""Helpers for tests that run fupin's real server processes: a fresh database, a free port,
a small HTTP client with cookies and CSRF, and process bookkeeping through /proc."""

import http.cookiejar
import json
import os
import re
import socket
import sqlite3
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from contextlib import closing, contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PG_URL = os.environ.get("DATABASE_URL", "")
ON_PG = PG_URL.startswith(("postgres://", "postgresql://"))


@contextmanager
def fresh_database(tmp_path: Path, tag: str):
    """A database URL of its own: a PostgreSQL database on DATABASE_URL's server (created and
    dropped here) when DATABASE_URL is PostgreSQL, else an SQLite file in tmp_path."""
    if not ON_PG:
        yield f"sqlite:///{tmp_path / (tag + '.sqlite3')}"
        return
    import psycopg

    name = f"fupin_{tag}_{os.getpid()}"
    parts = urlsplit(PG_URL)
    server = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        con.execute(f"CREATE DATABASE {name}")
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(server, autocommit=True) as con:
            con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def query(url: str, sql: str):
    if url.startswith("sqlite:///"):
        with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as con:
            return con.execute(sql).fetchone()[0]
    import psycopg

    with psycopg.connect(url) as con:
        return con.execute(sql).fetchone()[0]


def base_env(**extra: str) -> dict[str, str]:
    """The test's environment without the test-runner's database and task settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in (
            "DATABASE_URL",
            "FUPIN_TEST_DB",
            "FUPIN_TASKS",
            "FUPIN_DEMO",
            "DJANGO_SETTINGS_MODULE",
        )
    }
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


def free_port() -> int:
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fupin(*args: str) -> list[str]:
    return [sys.executable, "-m", "fupin.cli", *args]


def alive(pid: int) -> bool:
    """Running (not merely a zombie waiting to be reaped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def descendants(pid: int) -> list[int]:
    out = []
    for c in children(pid):
        out += [c, *descendants(c)]
    return out


def wait_until(predicate, timeout: float, what: str, interval: float = 0.3):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


class Browser:
    """Just enough of a browser for Django pages: cookies, the CSRF token, forms, uploads."""

    def __init__(self, base: str):
        self.base = base.rstrip("/")
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        self.last_url = ""  # where the last request ended up, after redirects

    def get(self, path: str) -> tuple[int, dict, bytes]:
        return self._send(urllib.request.Request(self.base + path))

    def _send(self, request) -> tuple[int, dict, bytes]:
        try:
            with self.opener.open(request, timeout=30) as r:
                self.last_url = r.geturl()
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            self.last_url = e.geturl()
            return e.code, dict(e.headers), e.read()

    def up(self, path: str = "/login/") -> bool:
        try:
            return self.get(path)[0] == 200
        except OSError:
            return False

    def csrf(self) -> str:
        return next(c.value for c in self.cookies if c.name == "csrftoken")

    def post(
        self, path: str, fields: dict[str, str], files: dict[str, tuple[str, bytes]] | None = None
    ):
        fields = {"csrfmiddlewaretoken": self.csrf(), **fields}
        headers = {"Referer": self.base + path}
        if files:
            boundary = uuid.uuid4().hex
            parts = []
            for k, v in fields.items():
                parts.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                )
            for k, (filename, content) in files.items():
                parts.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"; filename="{filename}"\r\n'
                    f"Content-Type: application/octet-stream\r\n\r\n".encode()
                    + content
                    + b"\r\n"
                )
            body = b"".join(parts) + f"--{boundary}--\r\n".encode()
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        else:
            body = urllib.parse.urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        return self._send(
            urllib.request.Request(self.base + path, data=body, headers=headers, method="POST")
        )

    def login(self, username: str, password: str) -> str:
        """Logs in through the login form; returns the page it lands on."""
        status, _, _ = self.get("/login/")
        assert status == 200
        status, _, body = self.post("/login/", {"username": username, "password": password})
        assert status == 200, status
        page = body.decode()
        assert "退出" in page or "logout" in page, page[:500]
        return page

    def json(self, path: str):
        status, _, body = self.get(path)
        assert status == 200, (path, status, body[:300])
        return json.loads(body)


def pid_in(log: Path, label: str) -> int | None:
    m = re.search(label + r"[^\n]*?（进程 (\d+)）", log.read_text() if log.exists() else "")
    return int(m.group(1)) if m else None
