"""The event page: codes, date, place, participants, every readable source, figures side by side."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from liaison.domain import TLP
from liaison.publishing import publish
from liaison.settings import Settings
from liaison.store import Store
from tests.conftest import FIXED_TIME
from tests.live_server import live_server
from tests.sharing_factories import report_extraction, save
from tests.web.reading_world import (
    SCRIPT,
    UNKNOWN,
    Site,
    assert_inert,
    build_world,
    serving_world,
    sqlite_settings_in,
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """One site for the tests that only read."""
    with serving_world(sqlite_settings_in(tmp_path_factory.mktemp("events"))) as opened:
        yield opened


def test_an_event_page_gives_codes_participants_and_sources(site: Site) -> None:
    hostile = site.world.hostile
    event = hostile.events[0]
    page = site.get("cat", f"/events/{event.id}")
    assert_inert(page)
    assert '<span class="mono" id="plover">COERCE</span> <span class="muted">(arrest)</span>' in page
    assert '<span class="mono" id="cameo">173</span>' in page
    assert "2024-02-20" in page and ">France</a>" in page
    participants = page.split('id="participants"')[1].split("</table>")[0]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;</a></td><td>organization</td><td>actor</td>" in participants
    assert "LockBit</a></td><td>organization</td><td>recipient</td>" in participants
    sources = page.split('id="sources"')[1].split("</ol>")[0]
    assert f'<a href="/reports/{hostile.report.id}">Report hostile</a>' in sources
    sentence = "&lt;script&gt;alert(1)&lt;/script&gt; arrested LockBit members on Tuesday."
    assert f'<blockquote class="evidence">{sentence}</blockquote>' in sources
    assert "says “Tuesday”" in sources
    assert SCRIPT not in page


def test_sources_are_only_the_readable_ones(site: Site) -> None:
    # The CLEAR report's arrest is told by the off-topic AMBER report too, which Charlie may not read.
    clear = site.world.scenario.report("clear")
    offtopic = site.world.scenario.report("offtopic")
    event_id = site.store.readable_report(site.world.scenario.collections["Alpha"], clear).events[0].id  # type: ignore[union-attr]
    alpha_page = site.get("ann", f"/events/{event_id}")
    assert f'href="/reports/{clear}"' in alpha_page and f'href="/reports/{offtopic}"' in alpha_page
    charlie_page = site.get("cat", f"/events/{event_id}")
    assert f'href="/reports/{clear}"' in charlie_page and offtopic not in charlie_page
    assert "Offtopic" not in charlie_page


def test_an_unreadable_event_is_not_found_like_an_unknown_one(site: Site) -> None:
    alpha = site.world.scenario.collections["Alpha"]
    strict = site.store.readable_report(alpha, site.world.scenario.report("strict"))
    assert strict is not None
    event_id = strict.events[0].id
    site.get("ann", f"/events/{event_id}")
    for user in ("bob", "cat"):
        assert site.get(user, f"/events/{event_id}", status=404) == site.get(
            user, f"/events/{UNKNOWN}", status=404
        )


def test_conflicting_figures_are_side_by_side(settings: Settings, store: Store) -> None:
    world = build_world(store, settings)
    first = report_extraction("first", TLP.CLEAR, group="Figure Gang")
    second = report_extraction("second", TLP.CLEAR, group="Figure Gang")
    third = report_extraction("third", TLP.CLEAR, group="Figure Gang")
    # the second report says 60 servers were seized, the third 34 as the first does
    second = replace(second, claims=(replace(second.claims[0], value=60.0),))
    save(store, first)
    save(store, second, same_event_as=first)
    save(store, third, same_event_as=first)
    publish(store, settings, now=FIXED_TIME)
    with live_server(settings, store) as base_url:
        site = Site(base_url, world, store, {})
        page = site.get("bob", f"/events/{first.events[0].id}")
        for client in site.clients.values():
            client.close()
    groups = page.split('class="figure-group')[1:]
    assert len(groups) == 1
    assert 'data-conflicting="true"' in groups[0] and "conflict</span>" in groups[0]
    values = [v.split("<")[0] for v in groups[0].split('<p class="figure-value">')[1:]]
    assert sorted(values) == ["34 servers", "34 servers", "60 servers"]
    assert "1 figure the sources disagree on" in page
    assert page.count('<tr>\n            <td class="number">') == 3  # every figure in the table too
