"""Fixtures of the browser tests: the demo store served on loopback, and Chromium pages that fail their
test when they reach outside the server's origin or hit a JavaScript error.

The store is built once (the real spaCy pipeline over ``examples/reports``, ~15 s) and shared by every
test: tests may add to it (an upload) but never rely on counts that another test could change.

The fixtures are package-scoped, not session-scoped: Playwright's sync API leaves its event loop marked
as running in the main thread while it is started, so it is stopped as soon as the browser tests are
done, before any later test calls ``asyncio.run``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Playwright, ViewportSize, sync_playwright

from liaison.settings import Settings
from tests.live_server import live_server
from tests.web.browser.demo_store import (
    HOSTILE_REPORT,
    PASSWORD,
    DemoStore,
    add_hostile_names,
    build_demo_store,
)
from tests.web.browser.support import LAPTOP, STEP_TIMEOUT_MS, OriginGuard, launch_chromium, log_in


@pytest.fixture(scope="package")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoStore]:
    directory = tmp_path_factory.mktemp("browser-demo")
    settings = Settings(database_url=f"sqlite:///{directory / 'liaison.db'}", data_dir=directory / "data")
    built = build_demo_store(settings, extras=[("hostile", HOSTILE_REPORT)])
    add_hostile_names(built)
    yield built
    built.close()


@pytest.fixture(scope="package")
def server_url(demo: DemoStore) -> Iterator[str]:
    with live_server(demo.settings, demo.store) as url:
        yield url


@pytest.fixture(scope="package")
def playwright_driver() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    launched = launch_chromium(playwright_driver)
    yield launched
    launched.close()


NewPage = Callable[..., Page]


@pytest.fixture
def new_page(browser: Browser, server_url: str) -> Iterator[NewPage]:
    """Open pages in fresh browser contexts (own cookies), each guarded by an ``OriginGuard``.

    ``new_page(user=None, viewport=LAPTOP)``: with a user name the page is already logged in as that user
    (the session cookie of one form login per user is reused). At teardown the test fails if any page
    requested something outside the server's origin, or hit a script error or a CSP violation.
    """
    guards: list[OriginGuard] = []
    contexts = []

    def open_page(user: str | None = None, viewport: ViewportSize = LAPTOP) -> Page:
        options: dict[str, Any] = {"base_url": server_url, "viewport": viewport}
        if user is not None:
            options["storage_state"] = _signed_in_state(browser, server_url, user)
        context = browser.new_context(**options)
        context.set_default_timeout(STEP_TIMEOUT_MS)
        guard = OriginGuard(server_url)
        guard.attach(context)
        guards.append(guard)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
    problems = [problem for guard in guards for problem in guard.problems()]
    if problems:
        pytest.fail("the browser went wrong:\n" + "\n".join(problems))


@pytest.fixture
def page(new_page: NewPage) -> Page:
    """A page with nobody logged in."""
    return new_page()


_signed_in: dict[tuple[str, str], Any] = {}


def _signed_in_state(browser: Browser, server_url: str, user: str) -> Any:
    """The cookies of a session opened by logging in through the form, once per user and server."""
    key = (server_url, user)
    if key not in _signed_in:
        context = browser.new_context(base_url=server_url)
        context.set_default_timeout(STEP_TIMEOUT_MS)
        guard = OriginGuard(server_url)
        guard.attach(context)
        try:
            login_page = context.new_page()
            log_in(login_page, user, PASSWORD)
            assert "/login" not in login_page.url, f"{user} could not log in"
            _signed_in[key] = context.storage_state()
        finally:
            context.close()
        assert not guard.problems(), guard.problems()
    return _signed_in[key]
