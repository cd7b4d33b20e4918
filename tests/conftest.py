"""Shared fixtures: the real 浮梁县 area tree, staff users of each role, and small registries.

Tests run on SQLite by default and on PostgreSQL when DATABASE_URL is set (CI does).
"""

import datetime as dt
import itertools
import os
import shutil
from pathlib import Path

import hypothesis
import pytest
from django.test import Client

from fupin.access.models import Role, User
from fupin.areas.models import Area
from fupin.areas.services import load_divisions, read_bundled
from fupin.demo.people import id_number as make_id_number
from fupin.registry.models import Household, Person

# Hypothesis on a shared, loaded machine (CI, 2 cores): slow input generation or a slow example is
# not a failure of the property; the properties themselves stay as strict.
hypothesis.settings.register_profile(
    "fupin", suppress_health_check=[hypothesis.HealthCheck.too_slow], deadline=None
)
hypothesis.settings.load_profile("fupin")

COUNTY = "360222"
TOWN_A = "360222100"  # 浮梁镇
TOWN_B = "360222101"  # 鹅湖镇
PASSWORD = "test-pass-123"

_seq = itertools.count(1)

# The government documents the packs quote sit beside the repository, at ../shared/seeds, on every
# machine and in CI. FUPIN_SEEDS points elsewhere (a git worktree one level deeper, for instance).
REPO = Path(__file__).resolve().parents[1]


def seeds_path() -> Path:
    return Path(os.environ.get("FUPIN_SEEDS") or REPO.parent / "shared" / "seeds")


def seeds_required() -> bool:
    return bool(os.environ.get("CI") or os.environ.get("FUPIN_REQUIRE_SEEDS"))


@pytest.fixture(scope="session")
def seeds() -> Path:
    """The seeds folder; a test needing it fails in CI (CI or FUPIN_REQUIRE_SEEDS set) and skips elsewhere."""
    path = seeds_path()
    if not (path / "README.md").exists():
        if seeds_required():
            pytest.fail(
                f"source documents missing: {path} (expected at ../shared/seeds from the repository)"
            )
        pytest.skip(
            f"source documents not at {path} (set FUPIN_SEEDS, or put them at ../shared/seeds)"
        )
    return path


@pytest.fixture(autouse=True)
def _immediate_tasks(settings, tmp_path_factory):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = str(
        tmp_path_factory.getbasetemp() / "media"
    )  # uploaded evidence stays out of the work tree
    settings.WHITENOISE_AUTOREFRESH = True  # spares each new test Client whitenoise's start-up scan


@pytest.fixture(autouse=True)
def _on_commit_as_in_production(monkeypatch):
    """A `transaction.on_commit` callback registered outside any transaction of the code runs at once.

    Pages run in autocommit: a service that queues its job after its own transaction has
    committed sees the job queued at once. A test runs inside transactions of its own that never
    commit; those do not count here. A callback registered inside a transaction of the code
    stays deferred as Django defers it (`django_capture_on_commit_callbacks` runs those)."""
    from django.db.backends.base.base import BaseDatabaseWrapper

    on_commit = BaseDatabaseWrapper.on_commit

    def on_commit_now(self, func, robust=False):
        if self.in_atomic_block and all(
            getattr(block, "_from_testcase", False) for block in self.atomic_blocks
        ):
            return func()
        return on_commit(self, func, robust)

    monkeypatch.setattr(BaseDatabaseWrapper, "on_commit", on_commit_now)


@pytest.fixture(autouse=True)
def _no_lockout_carries_over(request):
    """Failed-login counts (django-axes) start from zero in every test that touches the database."""
    if {"db", "transactional_db"} & set(request.fixturenames):
        request.getfixturevalue("django_db_setup")  # the test database, never the real one
        from axes.utils import reset

        with request.getfixturevalue("django_db_blocker").unblock():
            reset()


@pytest.fixture
def areas(db):
    load_divisions(read_bundled(COUNTY))
    return Area.objects


def village_of(town: str) -> Area:
    return Area.objects.filter(code__startswith=town, level=5).order_by("code").first()


@pytest.fixture
def make_user(areas):
    def make(
        username: str, role: str = Role.TOWNSHIP, area: str | None = TOWN_A, unmask: bool = False
    ) -> User:
        user = User.objects.create_user(
            username=username,
            password=PASSWORD,
            role=role,
            can_unmask_id=unmask,
            area=Area.objects.get(code=area) if area else None,
        )
        return user

    return make


@pytest.fixture
def county_user(make_user):
    return make_user("county", Role.COUNTY, COUNTY, unmask=True)


@pytest.fixture
def town_a_user(make_user):
    return make_user("town-a", Role.TOWNSHIP, TOWN_A)


@pytest.fixture
def town_b_user(make_user):
    return make_user("town-b", Role.TOWNSHIP, TOWN_B)


def login(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def make_household(areas):
    """A household with members in the first village of `town` (direct ORM, for fixtures only)."""

    def make(town: str = TOWN_A, members: int = 2, **fields) -> Household:
        n = next(_seq)
        village = village_of(town)
        hh = Household.objects.create(
            number=f"T{town}{n:05d}",
            village=village,
            year_identified=2016,
            main_cause="illness",
            **fields,
        )
        used: set[str] = set(Person.objects.values_list("id_number", flat=True))
        import random

        rng = random.Random(n)
        for i in range(members):
            sex = "男" if i % 2 == 0 else "女"
            born = dt.date(1970 + i, 1 + n % 12, 1 + i)
            Person.objects.create(
                household=hh,
                id_number=make_id_number(rng, COUNTY, born, sex, used),
                name=f"测试{n}号{i}",
                sex=sex,
                birth_date=born,
                relation="head" if i == 0 else "child",
            )
        hh.member_count = members
        hh.head_name = f"测试{n}号0"
        hh.save()
        return hh

    return make


# Real headless Chromium (Debian's package) driven by Playwright for Python, one per session.
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        if os.environ.get("FUPIN_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing but FUPIN_REQUIRE_BROWSER=1 (run `make browser`)")
        pytest.skip(
            f"浏览器测试已跳过：未安装 {CHROMIUM}（Debian: apt-get install chromium，或运行 make browser）"
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM is still used synchronously.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()
