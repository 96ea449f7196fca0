"""The entity page and the analysts' merge and split: only readable entities, changed only by analysts."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest

from liaison.domain import EntityType, entity_id_for
from liaison.settings import Settings
from liaison.store import Store
from liaison.store.readable_records import ReadableEntitySummary, ReadableEventSummary, ReadableParticipant
from liaison.store.readable_records import ReadableRole as Role
from liaison.web.pages_entities import neighbourhood_graph
from tests.store.test_readable import organization, person
from tests.web.browsing import csrf_token_in
from tests.web.reading_world import (
    IMAGE,
    SCRIPT,
    UNKNOWN,
    Site,
    assert_inert,
    serving_world,
    sqlite_settings_in,
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """One site for the tests that only read."""
    with serving_world(sqlite_settings_in(tmp_path_factory.mktemp("entities"))) as opened:
        yield opened


@pytest.fixture
def fresh_site(settings: Settings, store: Store) -> Iterator[Site]:
    """A site of its own, on SQLite and PostgreSQL, for the tests that change the store."""
    with serving_world(settings, store) as opened:
        yield opened


def json_block(page: str, block_id: str) -> dict[str, object]:
    found = re.search(rf'<script type="application/json" id="{block_id}">(.*?)</script>', page, re.S)
    assert found is not None, block_id
    data: dict[str, object] = json.loads(found.group(1))
    return data


def test_an_entity_page_shows_names_roles_and_the_data_of_its_pictures(site: Site) -> None:
    hostile = site.world.hostile
    agency = hostile.entities[1]
    page = site.get("bob", f"/entities/{agency.id}")
    assert_inert(page)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <span" in page  # the name, escaped, in the heading
    assert f'<a href="/reports/{hostile.report.id}">Report hostile</a>' in page  # an alias's source
    timeline = json_block(page, "timeline-data")
    assert timeline["events"] == [
        {
            "id": hostile.events[0].id,
            "date": "2024-02-20",
            "precision": "day",
            "type": "arrest",
            "plover": "COERCE",
            "place": "France",
        }
    ]
    where = json_block(page, "map-data")
    assert where["countries"] == [
        {"id": "250", "name": "France", "entity": entity_id_for(EntityType.COUNTRY, "France"), "linked": True}
    ]
    graph = json_block(page, "graph-data")
    names = {node["name"] for node in graph["nodes"]}  # type: ignore[attr-defined]
    assert names == {SCRIPT, "LockBit"}
    # JSON blocks cannot close their script element: "<" is written as \u003c
    assert "\\u003cscript\\u003e" in page
    for chart, script in (("timeline", "timeline"), ("map", "map"), ("graph", "graph")):
        assert f'data-chart="{chart}"' in page
        assert f'<script type="module" src="/static/js/{script}.js"></script>' in page


def test_a_person_page_lists_roles_over_time_and_organisations_as_neighbours(site: Site) -> None:
    clara = person("Clara Clear")
    page = site.get("ann", f"/entities/{clara}")
    roles = page.split('id="roles"')[1].split("</table>")[0]
    assert "Offtopic Agency" in roles and "Clear Agency" in roles
    graph = json_block(page, "graph-data")
    neighbours = {node["name"] for node in graph["nodes"] if not node["centre"]}  # type: ignore[attr-defined]
    assert neighbours == {"Clear Agency", "Offtopic Agency"}
    assert 'id="aliases"' in page and "Clara the Secret" in page
    # Charlie may not read the off-topic report: neither its alias nor its agency shows
    seen_by_charlie = site.get("cat", f"/entities/{clara}")
    assert "Clara the Secret" not in seen_by_charlie and "Offtopic Agency" not in seen_by_charlie


def test_a_place_page_has_its_events_and_its_country_on_the_map(site: Site) -> None:
    france = entity_id_for(EntityType.COUNTRY, "France")
    page = site.get("cat", f"/entities/{france}")
    events = json_block(page, "timeline-data")["events"]
    assert [e["id"] for e in events] == [site.world.hostile.events[0].id]  # type: ignore[attr-defined]
    assert json_block(page, "map-data")["countries"][0]["id"] == "250"  # type: ignore[index]


def test_an_unreadable_entity_is_not_found_like_an_unknown_one(site: Site) -> None:
    cases = [
        ("bob", person("Strict Person")),
        ("bob", organization("Shared Gang")),
        ("cat", person("Red Person")),
        ("ann", person("Red Person")),
    ]
    for user, entity_id in cases:
        withheld = site.get(user, f"/entities/{entity_id}", status=404)
        assert withheld == site.get(user, f"/entities/{UNKNOWN}", status=404), (user, entity_id)


def test_only_analysts_see_and_may_use_the_merge_and_split_forms(site: Site) -> None:
    clara = person("Clara Clear")
    assert 'id="merge-form"' in site.get("ann", f"/entities/{clara}")
    page = site.get("rob", f"/entities/{clara}")
    assert 'id="merge-form"' not in page and 'id="split-form"' not in page
    token = csrf_token_in(page)
    refused = site.client("rob").post(
        f"/entities/{clara}/merge", data={"csrf_token": token, "other": person("Green Person")}
    )
    assert refused.status_code == 403
    assert site.store.readable_entity(site.world.scenario.collections["Alpha"], person("Green Person"))


def test_a_form_without_the_session_token_is_refused(site: Site) -> None:
    clara = person("Clara Clear")
    site.get("ann", f"/entities/{clara}")
    for token in ("", "forged"):
        answer = site.client("ann").post(
            f"/entities/{clara}/merge", data={"csrf_token": token, "other": person("Green Person")}
        )
        assert answer.status_code == 403
    assert site.store.readable_entity(site.world.scenario.collections["Alpha"], person("Green Person"))


def test_changing_an_unreadable_entity_is_not_found(site: Site) -> None:
    token = csrf_token_in(site.get("ann", "/reports"))
    red = person("Red Person")
    for action, data in (("merge", {"other": person("Clara Clear")}), ("split", {"alias": "Red Person"})):
        answer = site.client("ann").post(f"/entities/{red}/{action}", data={"csrf_token": token, **data})
        assert answer.status_code == 404, action
    # nor may a readable entity take in one the analyst may not read, named by ID or by name
    clara = person("Clara Clear")
    for other in (red, "Red Person"):
        answer = site.client("ann").post(
            f"/entities/{clara}/merge", data={"csrf_token": token, "other": other}
        )
        assert answer.status_code == 400
        assert "Name one other entity you may read" in answer.text


def test_an_analyst_merges_then_splits_entities(fresh_site: Site) -> None:
    site = fresh_site
    alpha = site.world.scenario.collections["Alpha"]
    clara, green = person("Clara Clear"), person("Green Person")
    token = csrf_token_in(site.get("ann", f"/entities/{clara}"))
    site.get("bob", f"/entities/{green}")  # Bravo reads the GREEN report, and so Green Person
    merged = site.client("ann").post(
        f"/entities/{clara}/merge", data={"csrf_token": token, "other": "Green Person"}
    )
    assert merged.status_code == 303
    assert merged.headers["location"] == f"/entities/{clara}?changed=merged"
    page = site.get("ann", merged.headers["location"])
    assert "Merged:" in page and "<strong>Green Person</strong>" in page
    site.get("ann", f"/entities/{green}", status=404)  # no longer an entity of its own
    assert site.store.readable_entity(alpha, green) is None
    site.get("bob", f"/entities/{green}", status=404)
    # published: no collection holds the merged entity any more
    bravo = site.world.scenario.collections["Bravo"]
    assert not site.store.is_readable(bravo, "entity", green)
    split = site.client("ann").post(
        f"/entities/{clara}/split", data={"csrf_token": token, "alias": "Green Person"}
    )
    assert split.status_code == 303
    assert split.headers["location"] == f"/entities/{green}?changed=split"
    assert "<strong>Green Person</strong>" not in site.get("ann", f"/entities/{clara}")
    assert "Split:" in site.get("ann", split.headers["location"])
    # published again: the entity split off is in the collections of those who read its report
    assert "<strong>Green Person</strong>" in site.get("bob", f"/entities/{green}")
    actions = [e.action for e in site.store.audit_entries(actor="ann")]
    assert "web.entity.merge" in actions and "web.entity.split" in actions


def test_a_refused_change_says_why_on_the_page(site: Site) -> None:
    clara = person("Clara Clear")
    token = csrf_token_in(site.get("ann", f"/entities/{clara}"))
    # Clara's only other alias was read in the same mentions: there is nothing to split off
    answer = site.client("ann").post(
        f"/entities/{clara}/split", data={"csrf_token": token, "alias": "Clara the Secret"}
    )
    assert answer.status_code == 400
    assert 'id="change-error"' in answer.text and "nothing to split" in answer.text
    # an alias that was not shown cannot be split off
    answer = site.client("ann").post(f"/entities/{clara}/split", data={"csrf_token": token, "alias": IMAGE})
    assert answer.status_code == 400 and "Choose one of the aliases listed." in answer.text
    assert_inert(answer.text)
    # two entities of different types are not merged
    answer = site.client("ann").post(
        f"/entities/{clara}/merge", data={"csrf_token": token, "other": organization("Clear Agency")}
    )
    assert answer.status_code == 400 and "different kinds" in answer.text


def _event(event_id: str, *participants: tuple[str, str]) -> ReadableEventSummary:
    return ReadableEventSummary(
        id=event_id,
        type="meet",
        plover="CONSULT",
        plover_mode=None,
        cameo=None,
        date="2024-01-01",
        date_precision="day",
        location_id=None,
        location=None,
        status="occurred",
        confidence=1.0,
        topics=(),
        participants=tuple(ReadableParticipant(i, i.upper(), t, "participant") for i, t in participants),
        sources=1,
    )


def test_the_neighbourhood_keeps_the_most_connected_and_links_them_together() -> None:
    centre = ReadableEntitySummary("me", "person", "Me", 1, 1, ())
    events = [
        _event("e1", ("me", "person"), ("a", "person"), ("b", "organization")),
        _event("e2", ("me", "person"), ("a", "person"), ("c", "country")),
        _event("e3", ("me", "person"), ("a", "person"), ("b", "organization")),
    ]
    role = Role("r", None, "me", "Me", "minister", "gov", "Government", None, None, "Me, minister")
    graph = neighbourhood_graph(centre, events, [role], limit=3)
    assert [node["id"] for node in graph["nodes"]] == ["me", "a", "b", "c"]
    assert graph["nodes"][0]["centre"] is True and graph["nodes"][1]["weight"] == 3
    links = {(link["source"], link["target"]): link for link in graph["links"]}
    assert links["me", "a"]["label"] == "meet"
    assert links["a", "b"]["weight"] == 2 and ("a", "c") in links
    assert "gov" not in {node["id"] for node in graph["nodes"]}  # fourth most connected: left out
    assert [node["id"] for node in neighbourhood_graph(centre, events, [role])["nodes"]] == [
        "me",
        "a",
        "b",
        "c",
        "gov",
    ]
