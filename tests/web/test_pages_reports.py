"""The report pages: the list and the reader show exactly what the caller may read, escaped everywhere."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from tests.web.reading_world import (
    IMAGE,
    UNKNOWN,
    Site,
    assert_inert,
    serving_world,
    sqlite_settings_in,
    tags_of,
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """One site for the tests that only read."""
    with serving_world(sqlite_settings_in(tmp_path_factory.mktemp("reports"))) as opened:
        yield opened


def listed_reports(html: str) -> set[str]:
    if 'id="reports-table"' not in html:
        return set()
    return set(re.findall(r'<a href="/reports/([0-9a-f-]{36})">', html.split('id="reports-table"')[1]))


def test_pages_need_a_login(site: Site) -> None:
    with httpx.Client(base_url=site.base_url) as anonymous:
        for path in ("/reports", f"/reports/{site.world.report('clear')}"):
            response = anonymous.get(path)
            assert response.status_code == 303
            assert response.headers["location"].startswith("/login?next=/reports")


def test_the_list_holds_exactly_the_readable_reports(site: Site) -> None:
    expected = {
        "ann": {"clear", "green", "amber", "strict", "offtopic", "hostile"},
        "bob": {"clear", "green", "red", "hostile"},
        "cat": {"clear", "green", "amber", "hostile"},
    }
    for user, tags in expected.items():
        page = site.get(user, "/reports")
        assert listed_reports(page) == {site.world.report(tag) for tag in tags}, user
        assert f"{len(tags)} reports you may read" in page
        assert_inert(page)


def test_the_list_filters_by_marking_and_topic(site: Site) -> None:
    amber = site.get("ann", "/reports?tlp=amber")
    assert listed_reports(amber) == {site.world.report("amber"), site.world.report("offtopic")}
    assert '<option value="amber" selected>' in amber
    terrorism = site.get("ann", "/reports?topic=terrorism")
    assert listed_reports(terrorism) == {site.world.report("offtopic")}
    # a level that is no level filters nothing rather than failing
    assert len(listed_reports(site.get("ann", "/reports?tlp=purple"))) == 6
    assert "No report you may read matches" in site.get("ann", "/reports?language=xx")
    # the form as sent with its fields left empty, and values that mean nothing, filter nothing
    for query in (
        "language=&tlp=&topic=&since=",
        "since=yesterday&page=x",
        "page=99999999999&since=2024-13-45",
    ):
        assert len(listed_reports(site.get("ann", f"/reports?{query}"))) == 6, query
    assert len(listed_reports(site.get("ann", "/reports?since=2024-02-21"))) == 0


def test_the_reader_highlights_what_was_read_and_stays_inert(site: Site) -> None:
    hostile = site.world.hostile
    page = site.get("bob", f"/reports/{hostile.report.id}")
    assert_inert(page)
    text = page.split('id="report-text"')[1].split("</div>")[0]
    marks = [
        (tag, attrs) for tag, attrs in tags_of('<div id="report-text"' + text) if tag in ("mark", "span")
    ]
    mentions = [attrs for tag, attrs in marks if tag == "mark"]
    person, agency = hostile.entities[0], hostile.entities[1]
    assert {m["data-entity-id"] for m in mentions} == {e.id for e in hostile.entities}
    named = {m["data-entity-id"]: m for m in mentions}
    assert named[person.id]["data-entity-name"] == IMAGE
    assert named[agency.id]["class"] == "mention mention-organization"
    assert all(m["tabindex"] == "0" for m in mentions)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;</mark>" in text
    spans = {attrs["class"]: attrs for tag, attrs in marks if tag == "span"}
    assert spans["timex"]["data-value"] == "2024-02-20"
    assert spans["trigger trigger-coerce"]["data-event-id"] == hostile.events[0].id
    # the side panel: entities, role, event, figure, and the report's facts
    assert f'href="/entities/{person.id}"' in page
    assert f'href="/events/{hostile.events[0].id}"' in page
    assert "director" in page and "34 servers" in page
    assert 'data-dct="2024-02-20"' in page and ">inferred</span>" in page
    assert 'class="tlp tlp-clear"' in page
    assert '<a href="https://wire.example/hostile" rel="noopener noreferrer nofollow">Wire</a>' in page
    assert '<script type="module" src="/static/js/mentions.js"></script>' in page


def test_an_unreadable_report_is_not_found_like_an_unknown_one(site: Site) -> None:
    for user, tag in (
        ("bob", "strict"),
        ("bob", "amber"),
        ("cat", "red"),
        ("ann", "red"),
        ("cat", "offtopic"),
    ):
        withheld = site.get(user, f"/reports/{site.world.report(tag)}", status=404)
        unknown = site.get(user, f"/reports/{UNKNOWN}", status=404)
        assert withheld == unknown, (user, tag)
        assert "Report " + tag not in withheld


def test_a_red_report_shows_its_marking_but_not_its_other_recipients_to_a_partner(site: Site) -> None:
    page = site.get("bob", f"/reports/{site.world.report('red')}")
    assert 'class="tlp tlp-red"' in page and "TLP:RED" in page
    assert "for bravo" not in page


def test_near_duplicates_are_linked_when_both_are_readable(site: Site) -> None:
    amber, green = site.world.report("amber"), site.world.report("green")
    copy = site.get("ann", f"/reports/{green}")
    assert f'A copy of <a href="/reports/{amber}">this report</a>' in copy and "93% alike" in copy
    original = site.get("ann", f"/reports/{amber}")
    assert f'<a href="/reports/{green}">A copy of this report</a>' in original
    # Bravo reads the copy but not the original: the original is not named
    bravo_copy = site.get("bob", f"/reports/{green}")
    assert amber not in bravo_copy and 'id="near-duplicates"' not in bravo_copy


def test_page_views_are_audited(site: Site) -> None:
    site.get("cat", f"/reports/{site.world.report('clear')}")
    site.get("cat", f"/reports/{site.world.report('red')}", status=404)
    entries = [e for e in site.store.audit_entries(actor="cat") if e.action == "web.read"]
    assert [(e.target.split("/")[1], e.detail.get("found")) for e in entries[-2:]] == [
        ("reports", True),
        ("reports", False),
    ]
