"""An analyst's day in the browser, on the demo store: log in, upload a report, read it with what was found
highlighted, follow an entity to its timeline, map and graph, open an event and its sources, and search
with a facet. Every step goes through the page as a person would (links, labels, buttons)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.web.browser.conftest import NewPage
from tests.web.browser.demo_store import ANALYST, PASSWORD, DemoStore
from tests.web.browser.support import log_in

pytestmark = [pytest.mark.model, pytest.mark.slow]

UPLOADED_TITLE = "Lisbon arrest in the Emotet follow-up"
UPLOADED_TEXT = (
    "On 5 April 2024 the Portuguese Judiciary Police arrested Rui Santos in Lisbon. Investigators said he "
    "had rented servers to the operators of the Emotet botnet, and Europol supported the operation.\n\n"
    "Santos, 42, was charged with money laundering. The police seized 3 laptops and froze 2 bank accounts."
)
# The server extracts an upload with the real models, loaded on first use: allow for that.
INGEST_TIMEOUT_MS = 90_000


def _upload(page: Page, path: Path) -> None:
    page.get_by_role("link", name="Sharing", exact=True).click()
    page.get_by_role("link", name="Ingest a report").click()
    form = page.locator("#upload-form")
    form.get_by_label("File").set_input_files(path)
    form.get_by_label("Marking").select_option("clear")
    form.get_by_label("Title").fill(UPLOADED_TITLE)
    form.get_by_label("Source").fill("Browser test desk")
    form.get_by_label("Language").select_option("en")
    form.get_by_role("button", name="Ingest the file").click()
    expect(page.locator("#ingest-result")).to_contain_text("1 stored", timeout=INGEST_TIMEOUT_MS)


def _read_uploaded_report(page: Page) -> None:
    page.locator("#ingest-result a[data-ingested]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(UPLOADED_TITLE)
    text = page.locator("#report-text")
    expect(text).to_contain_text("arrested Rui Santos in Lisbon")
    # Highlighted by kind: entity mentions, time expressions, event triggers.
    person = text.locator("mark.mention", has_text="Rui Santos").first
    expect(person).to_have_attribute("data-entity-type", "person")
    assert text.locator(".mention").count() >= 4
    assert text.locator(".timex").count() >= 1
    assert text.locator(".trigger").count() >= 1
    expect(text.locator(".timex", has_text="5 April 2024")).to_have_count(1)
    # Pointing at a mention shows its canonical entity.
    europol = text.locator("mark.mention", has_text="Europol").first
    europol.hover()
    popover = page.locator("#mention-popover")
    expect(popover).to_be_visible()
    expect(popover).to_contain_text("Europol")
    expect(popover).to_contain_text("organization")
    # The side panel lists what was found.
    expect(page.locator("#report-entities")).to_contain_text("Rui Santos")
    expect(page.locator("#report-events")).to_contain_text("arrest")


def _follow_entity(page: Page) -> None:
    page.locator("#report-entities").get_by_role("link", name="Europol", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Europol")
    timeline = page.locator("#timeline")
    places = page.locator("#map")
    graph = page.locator("#graph")
    for chart in (timeline, places, graph):
        expect(chart).to_have_attribute("data-rendered", "true")
    assert int(timeline.get_attribute("data-points") or 0) >= 2
    assert (
        int(places.get_attribute("data-countries") or 0) + int(places.get_attribute("data-points") or 0) >= 1
    )
    assert int(graph.get_attribute("data-nodes") or 0) >= 3
    # Drawn, not only counted: marks are in the SVG.
    for chart in (timeline, places, graph):
        assert chart.locator("svg *").count() > 3
    page.get_by_text("Events as a table").click()
    expect(page.locator("#entity-events tbody tr").first).to_be_visible()


def _open_uploaded_event(page: Page) -> None:
    """From the reader's side panel to the event the upload reports, and back through its source."""
    page.locator("#report-events").get_by_role("link", name="arrest").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Arrest")
    expect(page.locator("#plover")).to_have_text("COERCE")
    expect(page.locator("#cameo")).to_have_text(re.compile(r"^17\d$"))
    expect(page.locator("#participants")).to_contain_text("Rui Santos")
    ours = page.locator("#sources .event-source").filter(has_text=UPLOADED_TITLE)
    expect(ours).to_have_count(1)
    expect(ours.locator("blockquote.evidence").first).to_contain_text("arrested Rui Santos in Lisbon")
    ours.get_by_role("link", name=UPLOADED_TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(UPLOADED_TITLE)


def _open_event_with_most_sources(page: Page) -> None:
    """From the entity's events to the one most reported, where every source shows its sentence."""
    rows = page.locator("#entity-events tbody tr")
    counts = [int(row.locator("td").last.inner_text()) for row in rows.all()]
    most = max(counts)
    assert most >= 2
    rows.nth(counts.index(most)).get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    sources = page.locator("#sources .event-source")
    expect(sources).to_have_count(most)
    for source in sources.all():
        expect(source.locator("blockquote.evidence").first).not_to_be_empty()
    first = sources.first
    sentence = first.locator("blockquote.evidence").first.inner_text().strip()
    first.locator("h3 a").click()
    expect(page.locator("#report-text")).to_contain_text(sentence[:60])


def _search_with_a_facet(page: Page) -> None:
    page.get_by_role("link", name="Search", exact=True).click()
    page.get_by_label("Words").fill("ransomware")
    page.get_by_role("button", name="Search", exact=True).click()
    count = page.locator("#result-count")
    before = int(count.inner_text())
    assert before >= 3
    topic = page.locator("#facet-topic a[data-facet='topic']", has_text="cybercrime").first
    topic.click()
    query = parse_qs(urlsplit(page.url).query)
    assert query.get("topic") == ["cybercrime"] and query.get("q") == ["ransomware"]
    expect(page.get_by_role("list", name="Active filters")).to_contain_text("topic: cybercrime")
    after = int(count.inner_text())
    assert 1 <= after <= before
    hits = page.locator("#search-results .search-hit")
    expect(hits).to_have_count(min(after, hits.count()))
    for hit in hits.all():
        expect(hit).to_contain_text("cybercrime")
    # And a facet from the form: the TLP select narrows to CLEAR reports only.
    page.get_by_role("search").get_by_label("TLP").select_option("clear")
    page.get_by_role("button", name="Search", exact=True).click()
    assert parse_qs(urlsplit(page.url).query).get("tlp") == ["clear"]
    for hit in page.locator("#search-results .search-hit").all():
        expect(hit.locator(".tlp")).to_have_text("TLP:CLEAR")


def test_an_analyst_uploads_reads_follows_and_searches(new_page: NewPage, tmp_path: Path) -> None:
    page = new_page()
    log_in(page, ANALYST, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    upload = tmp_path / "lisbon-arrest.txt"
    upload.write_text(UPLOADED_TEXT, encoding="utf-8")
    _upload(page, upload)
    _read_uploaded_report(page)
    _open_uploaded_event(page)
    _follow_entity(page)
    _open_event_with_most_sources(page)
    _search_with_a_facet(page)


def test_the_dashboard_shows_the_demo_store(new_page: NewPage, demo: DemoStore) -> None:
    page = new_page(ANALYST)
    page.goto("/")
    assert int(page.locator("#count-reports").inner_text()) >= 20
    expect(page.locator("#recent-reports li").first).to_be_visible()
    expect(page.locator("#active-entities")).to_contain_text("Europol")
    for chart in ("#events-by-type", "#events-by-topic"):
        expect(page.locator(chart)).to_have_attribute("data-rendered", "true")
        assert int(page.locator(chart).get_attribute("data-points") or 0) > 0
