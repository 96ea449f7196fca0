"""The brief in Chromium: made from the entity page's Brief form, drawn with nothing requested outside the
server and no script run (the hostile names' payloads stay text), and refused to a partner for a subject
only a RED report names, as for an unknown one."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.web.browser.conftest import NewPage
from tests.web.browser.demo_store import ANALYST, HOME, PARTNER_USER, DemoStore

pytestmark = [pytest.mark.model, pytest.mark.slow]


def test_the_entity_pages_brief_form_makes_the_brief(new_page: NewPage, demo: DemoStore) -> None:
    page = new_page(ANALYST)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"/entities/{demo.entity_ids['hostile-person']}")
    form = page.locator("#brief-entity")
    form.locator("select[name=tlp_max]").select_option("green")
    form.get_by_role("button", name="Brief").click()
    page.wait_for_url("**/brief/document?**")
    expect(page.locator(".tlp.screen").first).to_have_text("TLP:CLEAR")
    expect(page.locator("h1")).to_contain_text("Eve <img")  # the name, shown as text
    # the person and the organisation of their role, its hostile name drawn as text too
    assert page.locator("svg.graph").get_attribute("data-points") == "2"
    expect(page.locator("svg.graph")).to_contain_text("<script>window.__pwned=1</script> Bureau")
    assert page.evaluate("() => window.__pwned") is None
    assert page.locator("script, img, iframe").count() == 0
    assert dialogs == []
    assert f"Prepared for{HOME}" in page.locator("dl.header").inner_text().replace("\n", "").replace("\t", "")


def test_a_partner_brief_on_a_red_subject_is_the_unknown_page(new_page: NewPage, demo: DemoStore) -> None:
    home = demo.store.collection_for(demo.store.organization(HOME).id).id
    red_names = {
        e.id
        for e in demo.store.readable_entities(home, entity_type="person", query="Viktor Lang").items
        if e.name == "Viktor Lang"
    }
    assert len(red_names) == 1
    page = new_page(PARTNER_USER)
    withheld = page.goto(f"/brief/document?entity={red_names.pop()}")
    assert withheld is not None and withheld.status == 404
    withheld_text = page.locator("main").inner_text()
    unknown = page.goto("/brief/document?entity=" + "0" * 36)
    assert unknown is not None and unknown.status == 404
    assert page.locator("main").inner_text() == withheld_text
