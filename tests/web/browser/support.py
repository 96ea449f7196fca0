"""Helpers for driving the web UI in Chromium: the system browser, the origin guard, logging in."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    Request,
    Route,
    ViewportSize,
)

# Debian's build (scripts/ensure-test-services installs it); Playwright's own browsers are never installed.
CHROMIUM = Path("/usr/bin/chromium")
LAPTOP: ViewportSize = {"width": 1366, "height": 900}
TABLET: ViewportSize = {"width": 768, "height": 1024}
# Schemes that never leave the browser: the CSP allows data: images.
LOCAL_SCHEMES = ("data:", "blob:", "about:")
# A failing page shows within a few seconds on the demo store; a broken selector should not wait 30 s.
STEP_TIMEOUT_MS = 10_000


# Even with Playwright's --disable-background-networking, Debian's Chromium looks up Google's update
# servers in the background. With every host but loopback mapped to "not found", the browser sends
# nothing, not even a DNS query, anywhere but to the test server (checked under strace).
NO_NAME_RESOLVES = "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1"


def launch_chromium(playwright: Playwright) -> Browser:
    """Debian's Chromium, headless, kept off the network but for loopback."""
    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} is missing: run `bash scripts/ensure-test-services` as root")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=[NO_NAME_RESOLVES])


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@dataclass
class OriginGuard:
    """Records every request a browser context makes and blocks those leaving ``origin``.

    Blocking (not only recording) means a page that would reach out never does, even from a test run;
    the requests blocked are kept in ``offsite`` for the test to fail on. JavaScript errors and
    Content-Security-Policy violations are kept too: each is a page that does not work as written.
    """

    origin: str
    requests: list[str] = field(default_factory=list)
    offsite: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def allows(self, url: str) -> bool:
        return url.startswith(LOCAL_SCHEMES) or origin_of(url) == self.origin

    def attach(self, context: BrowserContext) -> None:
        context.route(re.compile(r".*"), self._route)
        context.on("request", self._record)
        context.on("page", self._watch)

    def _watch(self, page: Page) -> None:
        page.on("pageerror", lambda error: self.page_errors.append(f"{page.url}: {error}"))
        page.on("console", lambda message: self._console(page, message))
        page.on("websocket", lambda socket: self._record_url(socket.url))

    def _console(self, page: Page, message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.page_errors.append(f"{page.url}: {message.text}")

    def _record(self, request: Request) -> None:
        self._record_url(request.url)

    def _record_url(self, url: str) -> None:
        self.requests.append(url)
        if not self.allows(url) and url not in self.offsite:
            self.offsite.append(url)

    def _route(self, route: Route) -> None:
        if self.allows(route.request.url):
            route.continue_()
        else:
            route.abort("blockedbyclient")

    def problems(self) -> list[str]:
        return [f"request outside {self.origin}: {url}" for url in self.offsite] + self.page_errors


def log_in(page: Page, name: str, password: str, path: str = "/login") -> None:
    """Log in through the form at ``path``, as a person would, and wait for the page it leads to."""
    page.goto(path)
    page.get_by_label("User name", exact=True).fill(name)
    page.get_by_label("Password", exact=True).fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
