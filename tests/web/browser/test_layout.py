"""Every page works at laptop and tablet widths: nothing wider than the window (no sideways scrolling),
and the navigation stays reachable."""

from __future__ import annotations

import pytest
from playwright.sync_api import ViewportSize, expect

from tests.web.browser.conftest import NewPage
from tests.web.browser.demo_store import ANALYST, HOME, DemoStore
from tests.web.browser.support import LAPTOP, TABLET

pytestmark = [pytest.mark.model, pytest.mark.slow]


def _pages(demo: DemoStore) -> list[str]:
    collection = next(c.id for c in demo.store.collections() if c.organization == HOME)
    entity = demo.store.readable_entities(collection, query="Europol", limit=1).items[0]
    event = demo.store.readable_events(collection, entity=entity.id, limit=1).items[0]
    return [
        "/",
        "/reports",
        f"/reports/{demo.report_ids['amber']}",
        f"/entities/{entity.id}",
        f"/events/{event.id}",
        "/search?q=police&topic=cybercrime",
        "/sharing",
        "/ingest",
    ]


@pytest.mark.parametrize("viewport", [LAPTOP, TABLET], ids=["laptop", "tablet"])
def test_no_page_is_wider_than_the_window(new_page: NewPage, demo: DemoStore, viewport: ViewportSize) -> None:
    page = new_page(ANALYST, viewport=viewport)
    too_wide = []
    for path in _pages(demo):
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("networkidle")
        expect(page.get_by_role("navigation", name="Main")).to_be_visible()
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > viewport["width"]:
            too_wide.append((path, width))
    assert too_wide == []
