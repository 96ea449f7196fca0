"""The web pages' extra reads (``liaison.store.readable_web``) show only what the caller's collection has."""

from __future__ import annotations

from sqlalchemy import delete

from liaison.domain import EntityType, entity_id_for
from liaison.settings import Settings
from liaison.store import Store
from liaison.store.schema import collection_members
from tests.store.test_readable import counted_statements
from tests.web.reading_world import build_world


def test_report_marks_are_the_times_and_readable_triggers(settings: Settings, store: Store) -> None:
    world = build_world(store, settings)
    hostile = world.hostile
    text = hostile.report.text
    collections = world.scenario.collections
    with counted_statements(store) as statements:
        marks = store.readable_report_marks(collections["Bravo"], hostile.report.id)
    assert len(statements) == 2
    assert [(text[t.start : t.end], t.value, t.type) for t in marks.times] == [
        ("Tuesday", "2024-02-20", "DATE")
    ]
    assert [(text[t.start : t.end], t.event_type, t.plover) for t in marks.triggers] == [
        ("arrested", "arrest", "COERCE")
    ]
    assert marks.triggers[0].event_id == hostile.events[0].id


def test_report_marks_of_an_unreadable_report_are_none(settings: Settings, store: Store) -> None:
    world = build_world(store, settings)
    collections = world.scenario.collections
    # The STRICT report is Alpha's alone; the RED one is for Bravo only, not even for Alpha.
    for organization, tag in (("Bravo", "strict"), ("Charlie", "red"), ("Alpha", "red")):
        marks = store.readable_report_marks(collections[organization], world.report(tag))
        assert marks.times == () and marks.triggers == (), (organization, tag)
    assert store.readable_report_marks(collections["Alpha"], "0" * 36).times == ()


def test_triggers_of_unreadable_events_are_left_out(settings: Settings, store: Store) -> None:
    world = build_world(store, settings)
    alpha = world.scenario.collections["Alpha"]
    hostile = world.hostile
    # withdraw the event from Alpha's collection, as publication would for an event it may not read
    with store.engine.begin() as connection:
        connection.execute(
            delete(collection_members).where(
                collection_members.c.collection_id == alpha,
                collection_members.c.kind == "event",
                collection_members.c.local_id == hostile.events[0].id,
            )
        )
    marks = store.readable_report_marks(alpha, hostile.report.id)
    assert marks.triggers == ()
    assert len(marks.times) == 1


def test_readable_places_give_gazetteer_attributes_only(settings: Settings, store: Store) -> None:
    world = build_world(store, settings)
    collections = world.scenario.collections
    france = entity_id_for(EntityType.COUNTRY, "France")
    strictland = entity_id_for(EntityType.COUNTRY, "Strictland")
    person = entity_id_for(EntityType.PERSON, "Clara Clear")
    with counted_statements(store) as statements:
        places = store.readable_places(collections["Alpha"], [france, strictland, person, "0" * 36])
    assert len(statements) == 1
    assert [(p.entity_id, p.name, p.type) for p in places] == [
        (france, "France", "country"),
        (strictland, "Strictland", "country"),
    ]
    assert places[0].attributes == {"place_kind": "country", "country_code": "FR"}
    # Bravo may not read the STRICT report, so not its country either
    assert [p.name for p in store.readable_places(collections["Bravo"], [france, strictland])] == ["France"]
    assert store.readable_places(collections["Bravo"], []) == []


def test_report_titles_only_of_readable_reports(settings: Settings, store: Store) -> None:
    world = build_world(store, settings)
    collections = world.scenario.collections
    ids = [world.report("clear"), world.report("strict"), world.report("red")]
    assert store.readable_report_titles(collections["Alpha"], ids) == {
        world.report("clear"): "Report clear",
        world.report("strict"): "Report strict",
    }
    assert store.readable_report_titles(collections["Bravo"], ids) == {
        world.report("clear"): "Report clear",
        world.report("red"): "Report red",
    }
