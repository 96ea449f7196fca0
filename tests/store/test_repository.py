"""The store on SQLite and on a real PostgreSQL server: whole-or-nothing writes, reads, search."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from liaison.domain import (
    TLP,
    Entity,
    EntityType,
    Extraction,
    Marking,
    Mention,
    Report,
    Sentence,
)
from liaison.errors import NotFound, StoreError
from liaison.store import Store, database
from liaison.store.schema import metadata

TEXT = "Europol and the FBI dismantled the botnet. Europol said the FBI seized servers in Kyiv."


def make_extraction(text: str = TEXT, **report_fields: object) -> Extraction:
    report = Report(
        text=text,
        title="Botnet dismantled",
        source="Wire",
        published=date(2021, 1, 27),
        language="en",
        origin="test.txt",
    )
    report = replace(report, **report_fields)  # type: ignore[arg-type]
    first_end = text.index(".") + 1
    sentences = (Sentence(0, 0, first_end, "en"), Sentence(1, first_end + 1, len(text), "en"))

    def mentions_of(word: str) -> tuple[Mention, ...]:
        found, start = [], text.find(word)
        while start >= 0:
            found.append(Mention(start, start + len(word), word, 0 if start < first_end else 1, "ORG", "en"))
            start = text.find(word, start + 1)
        return tuple(found)

    known = [
        (EntityType.ORGANIZATION, "Europol"),
        (EntityType.ORGANIZATION, "FBI"),
        (EntityType.LOCATION, "Kyiv"),
        (EntityType.LOCATION, "Kiev"),
        (EntityType.LOCATION, "Lille"),
    ]
    entities = tuple(
        Entity(entity_type, name, mentions_of(name)) for entity_type, name in known if name in text
    )
    return Extraction(report, sentences, entities, pipeline_version="test/1")


def test_migrations_create_exactly_the_declared_schema(store: Store) -> None:
    # Full-text search structures are dialect-specific DDL outside the Core metadata.
    search_objects = {"report_search", "search_vector", "ix_reports_search"}

    def include_name(name: str | None, kind: str, parent: object) -> bool:
        return not (name or "").startswith(tuple(search_objects))

    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": include_name})
        differences = compare_metadata(context, metadata)
    assert differences == []
    assert database.current_revision(store.engine) == database.head_revision()


def test_save_and_read_back(store: Store) -> None:
    extraction = make_extraction()
    assert store.save_extraction(extraction) is True
    [summary] = store.list_reports()
    assert summary.id == extraction.report.id
    assert (summary.title, summary.source, summary.published, summary.entity_count) == (
        "Botnet dismantled",
        "Wire",
        date(2021, 1, 27),
        3,
    )
    detail = store.get_report(summary.id[:8])
    assert detail.text == TEXT
    assert detail.extraction["schema"] == "liaison.extraction/1"
    assert {e.name for e in store.list_entities()} == {"Europol", "FBI", "Kyiv"}
    assert [e.name for e in store.list_entities("location")] == ["Kyiv"]
    europol = store.get_entity("europol")
    assert europol.summary.mention_count == 2
    assert [m.sentence for m in europol.mentions] == [
        "Europol and the FBI dismantled the botnet.",
        "Europol said the FBI seized servers in Kyiv.",
    ]
    assert store.entity_type_counts() == {"location": 1, "organization": 2}


def test_saving_the_same_report_again_changes_nothing(store: Store) -> None:
    assert store.save_extraction(make_extraction()) is True
    before = store.snapshot()
    assert store.save_extraction(make_extraction()) is False
    assert store.save_extraction(make_extraction(title="Other title")) is False
    assert store.snapshot() == before


def test_entities_are_shared_across_reports(store: Store) -> None:
    store.save_extraction(make_extraction())
    store.save_extraction(make_extraction(TEXT.replace("Kyiv", "Kiev") + " More."))
    fbi = store.get_entity("FBI")
    assert fbi.summary.report_count == 2
    assert store.table_counts()["entities"] == 4


def test_a_failed_write_stores_nothing_of_the_report(store: Store) -> None:
    store.save_extraction(make_extraction())
    before = store.snapshot()
    broken = make_extraction(TEXT + " Again.")
    # Two entities claim the same span: the mention rows collide inside the transaction.
    clash = Entity(EntityType.PERSON, "Europol Person", (broken.entities[0].mentions[0],))
    broken = replace(broken, entities=(*broken.entities, clash))
    with pytest.raises(StoreError, match=r"could not store report test\.txt"):
        store.save_extraction(broken)
    assert store.snapshot() == before
    with pytest.raises(NotFound):
        store.get_report(broken.report.id)


def test_markings_are_stored(store: Store) -> None:
    store.save_extraction(make_extraction(marking=Marking(TLP.AMBER_STRICT)))
    assert store.list_reports()[0].tlp == "amber+strict"


def test_full_text_search_ranks_and_marks_matches(store: Store) -> None:
    store.save_extraction(make_extraction())
    store.save_extraction(make_extraction("Les gendarmes ont démantelé un réseau à Lille.", title="Réseau"))
    [hit] = store.search("botnet europol")
    assert hit.title == "Botnet dismantled"
    assert "[botnet]" in hit.snippet.lower()
    assert [h.title for h in store.search("reseau")] in (["Réseau"], [])  # accent folding is per backend
    assert [h.title for h in store.search("démantelé")] == ["Réseau"]
    assert store.search("nothing-like-this") == []
    assert [h.title for h in store.search("dismantl")] == ["Botnet dismantled"]  # prefixes match


@pytest.mark.parametrize("hostile", ['"', "AND OR NOT", "*", "a' OR 1=1 --", "NEAR(", "\x00", "))))", "^"])
def test_search_treats_query_syntax_as_text(store: Store, hostile: str) -> None:
    store.save_extraction(make_extraction())
    assert isinstance(store.search(hostile), list)


def test_unknown_ids_and_names(store: Store) -> None:
    with pytest.raises(NotFound):
        store.get_report("ffffffff")
    with pytest.raises(NotFound):
        store.get_report("'; DROP TABLE reports; --")
    with pytest.raises(NotFound):
        store.get_entity("Nobody Atall")


def test_unsupported_database_url_is_a_clear_error() -> None:
    with pytest.raises(StoreError, match="unsupported database 'mysql'"):
        database.create_store_engine("mysql://localhost/x")
    with pytest.raises(StoreError, match="invalid database URL"):
        database.create_store_engine("not a url")


def test_merge_split_round_trip_and_why(store: Store) -> None:
    store.save_extraction(make_extraction())
    store.save_extraction(make_extraction("Interpol met Europol in Kiev.", title="Kiev"))
    before = {e.name: (e.mention_count, e.report_count) for e in store.list_entities()}
    kept = store.merge_entities("Kyiv", "Kiev")
    merged = store.get_entity("Kiev")
    assert merged.summary.id == kept and merged.summary.name == "Kyiv"
    assert merged.summary.aliases == ("Kiev",) and merged.summary.report_count == 2
    assert "Kiev" not in {e.name for e in store.list_entities()}
    [link] = store.explain_entity("Kyiv").links
    assert (link.kind, link.kept, link.other) == ("manual", "Kyiv", "Kiev")
    store.split_entity("Kyiv", "Kiev")
    after = {e.name: (e.mention_count, e.report_count) for e in store.list_entities()}
    assert after == before
    kinds = [link.kind for link in store.explain_entity("Kiev").links]
    assert sorted(kinds) == ["manual", "split"]  # the fixed test clock gives both the same time
    assert store.cannot_link(store.find_entity_id("Kiev")) == {store.find_entity_id("Kyiv")}


def test_merge_refuses_different_kinds_and_split_unknown_alias(store: Store) -> None:
    store.save_extraction(make_extraction())
    with pytest.raises(StoreError, match="different kinds"):
        store.merge_entities("Europol", "Kyiv")
    with pytest.raises(NotFound, match="not an alias"):
        store.split_entity("Europol", "Interpol")


def make_event_extraction(text: str, source: str, published: date, value: float) -> Extraction:
    from liaison.domain import Claim, Event, EventDate, EventStatus, Evidence, Participant

    base = make_extraction(text, source=source, published=published)
    report_id = base.report.id
    europol = next(e for e in base.entities if e.name == "Europol")
    kyiv = next(e for e in base.entities if e.name in ("Kyiv", "Kiev"))
    first = base.sentences[0]
    evidence = Evidence(report_id, first.start, first.end, text[first.start : first.end], 0)
    event = Event(
        type="dismantle",
        plover="COERCE",
        plover_mode="confiscate",
        cameo="171",
        date=EventDate("2021-01-27", "day", "Wednesday"),
        location=kyiv.id,
        participants=(Participant(europol.id, "actor"),),
        topics=("cybercrime",),
        status=EventStatus.OCCURRED,
        evidence=(evidence,),
        confidence=0.9,
        triggers=((29, 39),),
    )
    claim = Claim(europol.id, value, "more than", "servers", "2021", evidence)
    return replace(base, events=(event,), claims=(claim,), topics=("cybercrime",))


def test_events_from_two_reports_are_one_event_with_both_sources_and_their_figures(store: Store) -> None:
    from liaison.resolve import EventFacts, resolve_event

    first = make_event_extraction(TEXT, "Wire A", date(2021, 1, 28), 700)
    store.save_extraction(first)
    second = make_event_extraction(TEXT + " Later.", "Wire B", date(2021, 1, 29), 750)
    [event] = second.events
    facts = EventFacts(
        event.id,
        "COERCE",
        "occurred",
        "2021-01-27",
        store.canonical_of(event.location or ""),
        None,
        frozenset({store.canonical_of(event.participants[0].entity) or ""}),
    )
    resolution = resolve_event(facts, store)
    assert resolution.merged
    store.save_extraction(second, None, {event.id: resolution})
    [summary] = store.list_events()
    assert (summary.sources, summary.plover, summary.date, summary.location) == (
        2,
        "COERCE",
        "2021-01-27",
        "Kyiv",
    )
    assert summary.participants == ("Europol",) and summary.topics == ("cybercrime",)
    detail = store.get_event(summary.id[:8])
    assert [s.source for s in detail.sources] == ["Wire A", "Wire B"]
    assert "shared participant" in detail.sources[1].reason
    assert sorted(c.value for c in detail.claims) == [700, 750]
    assert [e.id for e in store.timeline("Europol")] == [summary.id]
    assert store.list_events(actor="Kyiv") == []  # a place, not a participant
    assert store.list_events(event_type="coerce") and not store.list_events(event_type="CONSULT")
    assert store.list_events(topic="cybercrime") and not store.list_events(topic="terrorism")
    assert store.list_events(date_from=date(2021, 1, 1), date_to=date(2021, 12, 31))
    assert not store.list_events(date_from=date(2022, 1, 1))
    assert [c.value for c in store.list_claims("Europol")] == [700, 750]


def test_a_report_that_ties_stored_events_together_can_name_either_in_a_later_event(store: Store) -> None:
    """Found by the 2,000-report benchmark: event 1 of a report merged stored event B into A, and event 2
    of the same report was attached to B, which no longer existed."""
    from liaison.resolve import EventResolution

    first = make_event_extraction(TEXT, "Wire A", date(2021, 1, 28), 700)
    second = make_event_extraction(TEXT + " Again.", "Wire B", date(2021, 1, 29), 750)
    store.save_extraction(first)
    store.save_extraction(second)
    [a], [b] = first.events, second.events
    assert len(store.list_events()) == 2
    third = make_event_extraction(TEXT + " Once more.", "Wire C", date(2021, 1, 30), 800)
    [event] = third.events
    # a second event of the report, told in another sentence (an event's ID derives from its evidence)
    [evidence] = event.evidence
    later = replace(evidence, start=evidence.start + 1)
    twin = replace(event, evidence=(later,), date=None)
    twin_id = twin.id
    assert twin_id != event.id
    third = replace(third, events=(event, twin))
    resolutions = {
        event.id: EventResolution(event.id, a.id, "ties A and B", 0.9, also=(b.id,)),
        twin_id: EventResolution(twin_id, b.id, "same as B", 0.9),
    }
    assert store.save_extraction(third, None, resolutions)
    [merged] = store.list_events()
    assert merged.id == a.id and merged.sources == 3
