"""Logging in and out through the form, in the browser."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.web.browser.conftest import NewPage
from tests.web.browser.demo_store import ANALYST, HOME, PASSWORD, DemoStore
from tests.web.browser.support import log_in

pytestmark = [pytest.mark.model, pytest.mark.slow]


def test_a_visitor_is_sent_to_the_login_form(page: Page) -> None:
    page.goto("/")
    assert page.url.endswith("/login")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Log in")
    expect(page.get_by_label("User name", exact=True)).to_be_focused()
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(page: Page) -> None:
    log_in(page, ANALYST, "not the password at all")
    assert "/login" in page.url
    expect(page.get_by_role("alert")).to_contain_text("Wrong user name or password")
    expect(page.get_by_label("User name", exact=True)).to_have_value(ANALYST)
    log_in(page, "nobody-by-that-name", PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text("Wrong user name or password")
    assert not [c for c in page.context.cookies() if c["name"] == "liaison_session"]


def test_logging_in_leads_to_the_dashboard_and_logging_out_ends_the_session(page: Page) -> None:
    log_in(page, ANALYST, PASSWORD)
    assert urlsplit(page.url).path == "/"  # the dashboard
    account = page.locator(".account")
    expect(account).to_contain_text(ANALYST)
    expect(account).to_contain_text(HOME)
    session = next(c for c in page.context.cookies() if c["name"] == "liaison_session")
    assert session["httpOnly"] and session["sameSite"] == "Strict"
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")
    page.goto("/reports")
    assert "/login" in page.url


def test_logging_in_returns_to_the_page_asked_for(page: Page, demo: DemoStore) -> None:
    wanted = f"/reports/{demo.report_ids['amber']}"
    page.goto(wanted)
    assert "/login?next=" in page.url
    page.get_by_label("User name", exact=True).fill(ANALYST)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    assert page.url.endswith(wanted)


def test_the_layout_is_keyboard_navigable(new_page: NewPage) -> None:
    page = new_page(ANALYST)
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    nav = page.get_by_role("navigation", name="Main")
    for name in ("Dashboard", "Reports", "Search", "Sharing"):
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
