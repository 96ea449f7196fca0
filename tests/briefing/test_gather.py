"""Gathering a brief: what it holds, through whose collection, and the TLP limit (store tests on SQLite and
PostgreSQL, with hand-made extractions)."""

from __future__ import annotations

from datetime import date

import pytest

from liaison.briefing import Brief, BriefRequest, build_brief
from liaison.domain import TLP
from liaison.errors import NotFound
from liaison.settings import Settings
from liaison.store import Store
from tests.briefing.world import (
    AMBER_ORG,
    AMBER_PARTNER,
    GREEN_ORG,
    GREEN_PARTNER,
    HOME,
    PERSON,
    RED_ORG,
    BriefWorld,
    build_world,
    collection_of,
)


@pytest.fixture
def world(store: Store, settings: Settings) -> BriefWorld:
    return build_world(store, settings)


def brief_for(store: Store, settings: Settings, organisation: str, **request: object) -> Brief:
    return build_brief(
        store,
        settings,
        BriefRequest(**request),
        collection_of(store, organisation),
        organisation,  # type: ignore[arg-type]
    )


def test_home_brief_on_a_person_cites_every_readable_source_and_carries_the_highest_marking(
    store: Store, settings: Settings, world: BriefWorld
) -> None:
    brief = brief_for(store, settings, HOME, entity=PERSON)
    assert brief.subject == PERSON and brief.subject_type == "person" and brief.prepared_for == HOME
    assert {s.report_id for s in brief.sources} == {
        *world.green_report_ids,
        world.amber_report_id,
        world.red_report_id,
    }
    assert [s.number for s in brief.sources] == [1, 2, 3, 4]
    assert brief.marking is TLP.RED and brief.recipients == (HOME.casefold(),)
    assert {r.organization for r in brief.roles} == {GREEN_ORG, AMBER_ORG, RED_ORG}
    # every statement cites a listed source
    numbers = {s.number for s in brief.sources}
    assert {r.citation.number for r in brief.roles} <= numbers


def test_brief_by_id_is_the_brief_by_name(store: Store, settings: Settings, world: BriefWorld) -> None:
    by_name = brief_for(store, settings, HOME, entity=PERSON)
    by_id = brief_for(store, settings, HOME, entity=world.person_id)
    assert by_id.sources == by_name.sources and by_id.roles == by_name.roles


def test_an_event_told_twice_lists_both_sources_and_their_conflicting_figures(
    store: Store, settings: Settings, world: BriefWorld
) -> None:
    brief = brief_for(store, settings, HOME, entity=GREEN_ORG)
    assert [e.id for e in brief.events] == [world.event_id]
    event = brief.events[0]
    assert event.type == "arrest" and event.plover == "COERCE" and event.cameo == "173"
    assert event.date == "2024-02-20" and event.place == "France"
    assert event.numbers == (1, 2)
    conflicts = [c for c in brief.comparisons if c.conflicting]
    assert len(conflicts) == 1 and sorted(f.value for f in conflicts[0].figures) == [34.0, 41.0]
    assert brief.figures.events == 1 and brief.figures.reports == 2
    assert brief.figures.by_event_type == (("arrest", 1),)
    assert brief.figures.countries == ("France",)
    assert [c.name for c in brief.places.countries] == ["France"]
    assert brief.graph_nodes[0].name == GREEN_ORG and brief.graph_nodes[0].centre
    assert brief.marking is TLP.GREEN and brief.recipients == ()


def test_tlp_max_leaves_out_items_whose_sources_are_above_it(
    store: Store, settings: Settings, world: BriefWorld
) -> None:
    # the person is named in GREEN, AMBER and RED reports: a GREEN brief on them holds only the GREEN ones
    green = brief_for(store, settings, HOME, entity=PERSON, tlp_max=TLP.GREEN)
    assert green.subject == PERSON and green.marking is TLP.GREEN
    assert {s.report_id for s in green.sources} == set(world.green_report_ids)
    # an organisation only the AMBER report names is refused exactly as an unknown name
    with pytest.raises(NotFound) as refused:
        brief_for(store, settings, HOME, entity=AMBER_ORG, tlp_max=TLP.GREEN)
    with pytest.raises(NotFound) as unknown:
        brief_for(store, settings, HOME, entity="Nobody Known At All", tlp_max=TLP.GREEN)
    assert str(refused.value).replace(AMBER_ORG, "?") == str(unknown.value).replace(
        "Nobody Known At All", "?"
    )
    amber = brief_for(store, settings, HOME, topic="cybercrime", tlp_max=TLP.AMBER)
    assert world.red_report_id not in {s.report_id for s in amber.sources}
    assert world.amber_report_id in {s.report_id for s in amber.sources}
    assert amber.marking is TLP.AMBER
    green = brief_for(store, settings, HOME, topic="cybercrime", tlp_max=TLP.GREEN)
    assert {s.report_id for s in green.sources} == set(world.green_report_ids)
    assert all(s.tlp is TLP.GREEN for s in green.sources)
    assert green.marking is TLP.GREEN and green.tlp_max is TLP.GREEN


def test_a_partner_briefs_only_on_its_collection(store: Store, settings: Settings, world: BriefWorld) -> None:
    # the GREEN partner cannot read the person (named in AMBER and RED reports) at all
    with pytest.raises(NotFound):
        brief_for(store, settings, GREEN_PARTNER, entity=PERSON)
    green = brief_for(store, settings, GREEN_PARTNER, topic="cybercrime")
    assert {s.report_id for s in green.sources} == set(world.green_report_ids)
    assert green.prepared_for == GREEN_PARTNER
    # the AMBER partner reads the AMBER report, never the RED one (not a recipient)
    amber = brief_for(store, settings, AMBER_PARTNER, topic="cybercrime")
    assert world.amber_report_id in {s.report_id for s in amber.sources}
    assert world.red_report_id not in {s.report_id for s in amber.sources}
    assert amber.marking is TLP.AMBER
    with pytest.raises(NotFound):
        brief_for(store, settings, AMBER_PARTNER, entity=RED_ORG)


def test_period_keeps_events_in_it(store: Store, settings: Settings, world: BriefWorld) -> None:
    inside = brief_for(
        store, settings, HOME, entity=GREEN_ORG, date_from=date(2024, 2, 1), date_to=date(2024, 2, 29)
    )
    assert [e.id for e in inside.events] == [world.event_id]
    after = brief_for(store, settings, HOME, entity=GREEN_ORG, date_from=date(2024, 3, 1))
    assert after.events == () and after.comparisons == ()
    assert after.date_from == date(2024, 3, 1)


def test_place_brief_needs_a_place(store: Store, settings: Settings, world: BriefWorld) -> None:
    france = brief_for(store, settings, HOME, place="France")
    assert france.subject_kind == "place" and france.subject_type == "country"
    assert [e.id for e in france.events] == [world.event_id]
    with pytest.raises(NotFound):
        brief_for(store, settings, HOME, place=GREEN_ORG)  # an organisation is no place


def test_a_request_names_exactly_one_subject() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        BriefRequest(entity="x", topic="y")
    with pytest.raises(ValueError, match="exactly one"):
        BriefRequest()
    with pytest.raises(ValueError, match="ends before"):
        BriefRequest(topic="y", date_from=date(2024, 2, 2), date_to=date(2024, 2, 1))


def test_a_brief_keeps_the_latest_events_and_says_it_left_older_ones_out(
    store: Store, settings: Settings, world: BriefWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    from liaison.briefing import gather

    everything = brief_for(store, settings, HOME, topic="cybercrime")
    assert len(everything.events) == 3 and everything.figures.events_left_out == 0
    monkeypatch.setattr(gather, "BRIEF_EVENTS", 1)
    latest = brief_for(store, settings, HOME, topic="cybercrime")
    assert [e.id for e in latest.events] == [everything.events[-1].id]
    assert latest.figures.events_left_out == 2
