"""Watching and being alerted, in the browser: an administrator watches a person through the watch form,
a report naming that person is ingested through the upload form, and the alert shows in the top bar's
badge and on the alerts page, with what matched and why; marking it read clears the badge."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from tests.web.browser.conftest import NewPage
from tests.web.browser.demo_store import ADMIN, PASSWORD
from tests.web.browser.support import LAPTOP, TABLET, log_in

pytestmark = [pytest.mark.model, pytest.mark.slow]

WATCHED = "Tomas Reyes"  # in the demo store's AMBER report
NEW_TITLE = "Reyes seen again in Seville"
NEW_TEXT = (
    "On 12 May 2024 Tomas Reyes was seen in Seville, three months after his arrest in Valencia. "
    "Investigators believe Tomas Reyes travelled from Panama with forged documents."
)
# The server extracts an upload with the real models, loaded on first use: allow for that.
INGEST_TIMEOUT_MS = 90_000


def _unread(page: Page) -> int:
    return int(page.locator("#nav-alerts").get_attribute("data-unread") or "0")


def _watch(page: Page) -> None:
    page.get_by_role("link", name=re.compile(r"^Alerts")).click()
    page.get_by_role("link", name=re.compile(r"your \d+ watch")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Watches")
    form = page.locator("#add-watch-form")
    form.get_by_role("radio", name=re.compile(r"^Entity")).check()
    form.get_by_label("What to watch").fill(WATCHED)
    form.get_by_role("button", name="Watch", exact=True).click()
    expect(page.locator("#watch-created")).to_contain_text(f"Now watching {WATCHED}")
    expect(page.locator("#watches-table")).to_contain_text(WATCHED)


def _upload(page: Page, path: Path) -> None:
    page.goto("/ingest")
    form = page.locator("#upload-form")
    form.get_by_label("File").set_input_files(path)
    form.get_by_label("Marking").select_option("green")
    form.get_by_label("Title").fill(NEW_TITLE)
    form.get_by_label("Language").select_option("en")
    form.get_by_role("button", name="Ingest the file").click()
    expect(page.locator("#ingest-result")).to_contain_text("1 stored", timeout=INGEST_TIMEOUT_MS)


def test_a_watch_added_in_the_browser_raises_an_alert_shown_in_the_badge(
    new_page: NewPage, tmp_path: Path
) -> None:
    page = new_page()
    log_in(page, ADMIN, PASSWORD)
    before = _unread(page)
    _watch(page)
    upload = tmp_path / "seville.txt"
    upload.write_text(NEW_TEXT, encoding="utf-8")
    _upload(page, upload)

    badge = page.locator("#nav-alerts")
    expect(badge).to_have_attribute("data-unread", str(before + 1))
    expect(badge.locator(".nav-badge")).to_have_text(str(before + 1))
    expect(page.get_by_role("link", name=f"Alerts {before + 1} unread")).to_be_visible()

    badge.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Alerts")
    alert = page.locator("#unread-alerts .alert-item").filter(has_text=NEW_TITLE)
    expect(alert).to_have_count(1)
    expect(alert.locator(".tlp")).to_have_text("TLP:GREEN")
    expect(alert.locator(".alert-reason")).to_contain_text(WATCHED)
    expect(alert.locator(".alert-matches a[href^='/entities/']").first).to_contain_text(WATCHED)
    expect(alert.locator(".alert-evidence").first).to_contain_text("Seville")

    alert.get_by_role("button", name=re.compile(r"^Mark read")).click()
    expect(page.locator("#nav-alerts")).to_have_attribute("data-unread", str(before))
    expect(page.locator("#read-alerts .alert-item").filter(has_text=NEW_TITLE)).to_have_count(1)

    expect(alert).to_have_count(0)
    page.locator("#read-alerts .alert-item").filter(has_text=NEW_TITLE).locator("a.alert-title").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NEW_TITLE)


@pytest.mark.parametrize("viewport", [LAPTOP, TABLET], ids=["laptop", "tablet"])
def test_the_watch_and_alert_pages_fit_the_window(new_page: NewPage, viewport: ViewportSize) -> None:
    page = new_page(ADMIN, viewport=viewport)
    for path in ("/watches", "/alerts"):
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        expect(page.get_by_role("navigation", name="Main")).to_be_visible()
        expect(page.get_by_role("link", name=re.compile(r"^Alerts"))).to_be_visible()
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= viewport["width"], (path, width)
