"""Handling rules in the browser: a partner user of a GREEN agreement never sees a RED (or AMBER) report
nor what was read only in it, on any page; a page for something withheld is the same 404 page as for
something that does not exist. The home organisation's users, the RED report's recipient, do see it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.web.browser.conftest import NewPage
from tests.web.browser.demo_store import (
    AMBER_REPORT,
    ANALYST,
    HOME,
    PARTNER,
    PARTNER_USER,
    READER,
    RED_REPORT,
    DemoStore,
)

pytestmark = [pytest.mark.model, pytest.mark.slow]

UNKNOWN_ID = "00000000-0000-5000-8000-000000000000"
RED_ONLY_NAME = "Viktor Lang"  # read only in the RED report
RED_TITLE = RED_REPORT.title or ""
AMBER_TITLE = AMBER_REPORT.title or ""


def _home_collection(demo: DemoStore) -> str:
    return next(c.id for c in demo.store.collections() if c.organization == HOME)


def _red_only(demo: DemoStore) -> tuple[str, str]:
    """The entity read only in the RED report, and the RED report's event, as the home organisation
    reads them (ids the partner must get nothing for)."""
    collection = _home_collection(demo)
    entity = demo.store.readable_entities(collection, query=RED_ONLY_NAME, limit=1).items[0]
    report = demo.store.readable_report(collection, demo.report_ids["red"])
    assert report is not None and report.events
    return entity.id, report.events[0].id


def _not_found_page(page: Page, path: str) -> str:
    response = page.goto(path)
    assert response is not None and response.status == 404, path
    return page.locator("main").inner_text()


def test_a_partner_gets_the_same_404_for_a_red_report_as_for_none(new_page: NewPage, demo: DemoStore) -> None:
    page = new_page(PARTNER_USER)
    red_entity, red_event = _red_only(demo)
    for kind, withheld in [
        ("reports", demo.report_ids["red"]),
        ("reports", demo.report_ids["amber"]),
        ("entities", red_entity),
        ("events", red_event),
    ]:
        unknown = _not_found_page(page, f"/{kind}/{UNKNOWN_ID}")
        shown = _not_found_page(page, f"/{kind}/{withheld}")
        assert shown.replace(withheld, UNKNOWN_ID) == unknown, kind
        assert RED_ONLY_NAME not in shown and RED_TITLE not in shown


def test_a_partner_finds_no_trace_of_the_red_report(new_page: NewPage, demo: DemoStore) -> None:
    page = new_page(PARTNER_USER)
    page.goto("/")
    expect(page.locator(".account")).to_contain_text(PARTNER)
    withheld = [RED_TITLE, AMBER_TITLE, RED_ONLY_NAME, "Grey Wolf"]
    for path in ["/", "/reports", "/sharing", "/search?q=police", "/search?q=ransomware"]:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        html = page.content()
        for text in withheld:
            assert text not in html, (path, text)
        assert demo.report_ids["red"] not in html and demo.report_ids["amber"] not in html, path
    # Searching for what only the RED report says finds nothing (the words asked for are echoed, only).
    for words in (RED_ONLY_NAME, "Vienna cryptocurrency", "Grey Wolf", "Black Anchor"):
        page.goto(f"/search?q={words}")
        expect(page.locator("#result-count")).to_have_text("0")
        expect(page.locator("#search-results")).to_have_count(0)
    # Nor counted in the facets: every level the partner's results have is one it may read.
    page.goto("/search?q=police")
    levels = page.locator("#facet-tlp a[data-facet='tlp']").all_inner_texts()
    assert levels and not [level for level in levels if "RED" in level or "AMBER" in level]


def test_a_partner_cannot_ingest(new_page: NewPage) -> None:
    page = new_page(PARTNER_USER)
    page.goto("/sharing")
    expect(page.get_by_role("link", name="Ingest a report")).to_have_count(0)
    response = page.goto("/ingest")
    assert response is not None and response.status in (403, 404)
    expect(page.locator("#upload-form")).to_have_count(0)


@pytest.mark.parametrize("user", [ANALYST, READER])
def test_the_home_organisation_reads_the_red_report(new_page: NewPage, demo: DemoStore, user: str) -> None:
    """The control: the same pages do show it to its recipient, so the partner's 404 is the rules."""
    page = new_page(user)
    response = page.goto(f"/reports/{demo.report_ids['red']}")
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text(RED_TITLE)
    expect(page.locator(".page-header .tlp")).to_have_text("TLP:RED")
    expect(page.locator("#report-text")).to_contain_text(RED_ONLY_NAME)
    red_entity, red_event = _red_only(demo)
    for path in (f"/entities/{red_entity}", f"/events/{red_event}"):
        response = page.goto(path)
        assert response is not None and response.status == 200, path
    page.goto(f"/search?q={RED_ONLY_NAME}")
    expect(page.locator("#search-results")).to_contain_text(RED_TITLE)
