"""Browser tests: Debian's Chromium, driven by Playwright's sync API, against pytest-django's
`live_server` (a thread in this process, sharing the in-memory SQLite test database).

Never downloads a browser: Chromium is launched from /usr/bin/chromium, and the tests are
skipped (with the reason) where it is missing. Every test here carries the `browser` mark, so
`pytest -m "not browser"` leaves them out.
"""

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API keeps an asyncio loop running on the test thread from the moment it
# starts until it stops, and Django refuses ORM calls (factories, refresh_from_db) from a
# thread with a running loop. Set before any test touches the database; it stays set for the
# session because the browser does.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
NO_CHROMIUM = f"needs Debian's Chromium at {CHROMIUM} (apt-get install chromium)"
HERE = Path(__file__).resolve().parent

# A visitor from Zhengzhou: Chinese browser, China time. Tests override per context.
DEFAULT_CONTEXT = {"locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
TIMEOUT_MS = 10_000


def results_dir(config: pytest.Config) -> Path:
    path = Path(config.rootpath) / "test-results"
    path.mkdir(exist_ok=True)
    return path


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # This hook sees the whole session's items, not only this folder's.
    skip = pytest.mark.skip(reason=NO_CHROMIUM)
    chromium_missing = not os.path.exists(CHROMIUM)
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)
            if chromium_missing:
                item.add_marker(skip)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the item so fixtures can tell, at teardown, whether
    the test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser(browser_name: str) -> Iterator[Any]:
    """One headless Chromium for the session.

    Overrides pytest-playwright's `browser`, which would launch a browser Playwright
    downloaded; `browser_name` is pytest-playwright's `--browser` (default chromium).
    """
    if browser_name != "chromium":
        pytest.skip(f"only Debian's Chromium is available here, not {browser_name}")
    if not os.path.exists(CHROMIUM):
        pytest.skip(NO_CHROMIUM)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_page(browser: Any, live_server: Any, request: pytest.FixtureRequest) -> Iterator[Callable]:
    """Open a page in a fresh browser context (its own cookies: one person each).

    Keyword arguments go to `browser.new_context` (viewport, locale, is_mobile …); relative
    URLs resolve against the live server. If the test fails, every page it opened is saved
    to test-results/<test-name>[-N].png before the contexts close.
    """
    contexts: list[Any] = []
    pages: list[Any] = []

    def make(**context_options: Any) -> Any:
        context = browser.new_context(
            base_url=live_server.url, **{**DEFAULT_CONTEXT, **context_options}
        )
        context.set_default_timeout(TIMEOUT_MS)
        # Chromium fetches /favicon.ico on its own schedule; answered by the server, its
        # session lookup could meet the test thread on the SQLite connection they share.
        context.route("**/favicon.ico", lambda route: route.fulfill(status=204))
        contexts.append(context)
        page = context.new_page()
        pages.append(page)
        return page

    yield make

    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        # test_x[chromium-zh] → test_x-chromium-zh
        name = re.sub(r"[^\w.-]+", "-", request.node.name).strip("-")
        directory = results_dir(request.config)
        for number, page in enumerate(pages, start=1):
            suffix = "" if number == 1 else f"-{number}"
            try:
                page.screenshot(path=directory / f"{name}{suffix}.png", full_page=True)
            except Exception as error:  # a dead page must not hide the test's own failure
                print(f"could not save a screenshot of page {number}: {error}")
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable) -> Any:
    """A page for one anonymous visitor with a Chinese browser."""
    return new_page()


@pytest.fixture
def screenshots(request: pytest.FixtureRequest) -> Path:
    """Where review screenshots go (test-results/, next to failure screenshots)."""
    return results_dir(request.config)
