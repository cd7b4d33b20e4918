"""Real headless Chromium (Debian's package) driven by Playwright for Python."""

import os
import shutil

import pytest

CHROMIUM = "/usr/bin/chromium"
# Playwright's sync API runs an event loop in this thread; Django's ORM is still used synchronously.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        if os.environ.get("FUPIN_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing but FUPIN_REQUIRE_BROWSER=1 (run `make browser`)")
        pytest.skip(f"浏览器测试已跳过：未安装 {CHROMIUM}（Debian: apt-get install chromium，或运行 make browser）")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
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
