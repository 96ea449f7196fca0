"""Report text is untrusted: markup in a report renders as inert text, and no page reaches outside the
server's origin. The checks themselves are shown able to fail (a page that does run the payload, a page
that does reach out)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Dialog, Page, expect

from tests.web.browser.conftest import NewPage
from tests.web.browser.demo_store import ANALYST, PWNED_HANDLER, PWNED_SCRIPT, DemoStore
from tests.web.browser.support import LAPTOP, OriginGuard

pytestmark = [pytest.mark.model, pytest.mark.slow]

# Every attribute through which the hostile report's markup would run script, were it rendered as HTML.
HANDLER_ATTRIBUTES = (
    "[onerror], [onload], [onclick], [onmouseover], [onfocus], [srcdoc], a[href^='javascript:']"
)


def _pwned(page: Page) -> object:
    return page.evaluate("() => window.__pwned")


def _watch_dialogs(page: Page) -> list[str]:
    """Dialogs the page opens (an ``alert`` from a payload): recorded and dismissed."""
    seen: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        seen.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    return seen


def _exercise(page: Page) -> None:
    """Point at and focus what a reader would (mentions, links, chart marks), so that the popovers and
    tooltips the scripts build on those events are built. Events are dispatched rather than the mouse
    moved: chart marks overlap, and what matters is the page's handlers running."""
    page.locator("main").evaluate(
        """main => {
            const targets = main.querySelectorAll('a, [tabindex], .mention, svg *, img');
            for (const element of Array.from(targets).slice(0, 400)) {
                for (const type of ['mouseover', 'mouseenter', 'mousemove']) {
                    element.dispatchEvent(new MouseEvent(type, {bubbles: type !== 'mouseenter'}));
                }
                if (typeof element.focus === 'function') element.focus();
            }
        }"""
    )
    # And a real pointer and keyboard over the first mentions, in case a handler checks for trusted events.
    for mention in page.locator("main .mention").all()[:5]:
        mention.hover()
        mention.focus()


def test_a_hostile_report_renders_as_inert_text(new_page: NewPage, demo: DemoStore) -> None:
    page = new_page(ANALYST)
    dialogs = _watch_dialogs(page)
    response = page.goto(f"/reports/{demo.report_ids['hostile']}")
    assert response is not None and response.status == 200
    page.wait_for_load_state("networkidle")
    _exercise(page)
    # Shown as the characters it is made of ...
    text = page.locator("main").inner_text()
    assert PWNED_SCRIPT in text
    assert PWNED_HANDLER in text
    assert "Phishing kit seller arrested" in page.title() + text
    # ... and never as elements: nothing ran, no dialog opened, no element carries the handlers.
    assert _pwned(page) is None
    assert dialogs == []
    assert page.locator(f"main {HANDLER_ATTRIBUTES}").count() == 0
    assert page.locator("main iframe, main img[src='x']").count() == 0


@pytest.mark.parametrize("path", ["/", "/reports", "/search?q=phishing", "/sharing"])
def test_pages_listing_the_hostile_report_keep_it_inert(new_page: NewPage, path: str) -> None:
    page = new_page(ANALYST)
    dialogs = _watch_dialogs(page)
    response = page.goto(path)
    assert response is not None and response.status == 200, path
    page.wait_for_load_state("networkidle")
    _exercise(page)
    assert _pwned(page) is None
    assert dialogs == []
    assert page.locator(HANDLER_ATTRIBUTES).count() == 0


@pytest.mark.parametrize(
    ("kind", "tag"),
    [
        ("entities", "hostile-org"),
        ("entities", "hostile-person"),
        ("events", "hostile"),
        ("reports", "hostile-names"),
    ],
)
def test_names_drawn_by_the_page_scripts_stay_inert(
    new_page: NewPage, demo: DemoStore, kind: str, tag: str
) -> None:
    """Entity names carrying the payloads, in the timeline, map and graph labels and the mention popovers
    the scripts draw from JSON data."""
    ids = {"entities": demo.entity_ids, "events": demo.event_ids, "reports": demo.report_ids}[kind]
    page = new_page(ANALYST)
    dialogs = _watch_dialogs(page)
    response = page.goto(f"/{kind}/{ids[tag]}")
    assert response is not None and response.status == 200
    page.wait_for_load_state("networkidle")
    if kind == "entities" and tag == "hostile-org":
        # Every chart was drawn, with the names in it.
        expect(page.locator("[data-chart][data-rendered='true']")).to_have_count(3)
    _exercise(page)
    shown = page.locator("main").text_content() or ""
    assert PWNED_SCRIPT in shown or PWNED_HANDLER in shown
    assert _pwned(page) is None
    assert dialogs == []
    assert page.locator(HANDLER_ATTRIBUTES).count() == 0


def test_pages_are_served_with_a_strict_content_security_policy(new_page: NewPage, demo: DemoStore) -> None:
    page = new_page(ANALYST)
    response = page.goto(f"/reports/{demo.report_ids['hostile']}")
    assert response is not None
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "default-src 'self'" in policy
    assert "unsafe-inline" not in policy
    # The page itself carries no inline script: only JSON data blocks and same-origin modules.
    inline = page.locator("script:not([src]):not([type='application/json'])")
    assert inline.count() == 0


def test_the_checks_see_a_payload_that_runs(browser: Browser, server_url: str) -> None:
    """Without escaping, the same payloads do run: so the assertions above can fail."""
    context = browser.new_context(viewport=LAPTOP)
    try:
        page = context.new_page()
        dialogs = _watch_dialogs(page)
        page.set_content(f"<p>{PWNED_HANDLER}</p><button onclick=\"alert('x')\">b</button>")
        page.wait_for_function("() => window.__pwned === 1")
        page.click("button")
        assert _pwned(page) == 1
        assert dialogs == ["x"]
        assert page.locator(HANDLER_ATTRIBUTES).count() == 2
    finally:
        context.close()


def test_the_origin_guard_blocks_and_records_requests_elsewhere(browser: Browser, server_url: str) -> None:
    context = browser.new_context(base_url=server_url, viewport=LAPTOP)
    guard = OriginGuard(server_url)
    guard.attach(context)
    try:
        page = context.new_page()
        page.goto("/login")
        # A page of no origin (the server's CSP would stop this image before the guard saw it), asking
        # for an image on another loopback origin: never reached, since the guard aborts it.
        page.goto("about:blank")
        with page.expect_event("requestfailed"):
            page.set_content('<img src="http://127.0.0.2:9/elsewhere.png" alt="">')
    finally:
        context.close()
    assert any(url.startswith(server_url + "/login") for url in guard.requests)
    assert guard.offsite == ["http://127.0.0.2:9/elsewhere.png"]
    assert guard.problems() == [f"request outside {server_url}: http://127.0.0.2:9/elsewhere.png"]
