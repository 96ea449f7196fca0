"""Reads through an organisation's collection return exactly what its handling rules let it read.

The scenario: a home organisation (Alpha), a partner with a GREEN agreement (Bravo) and a partner with an
AMBER agreement limited to cybercrime (Charlie). Every report names its own person, agency, country and
gang, so a name that shows up where it should not is a leak; a few names are shared on purpose:

- "Shared Gang" is in the GREEN and the AMBER report: Bravo may read the GREEN report but not the gang.
- "Clara Clear" is in the CLEAR report and in an off-topic AMBER one (terrorism) that Charlie may not
  read; the off-topic report's event is the CLEAR report's event too, and gives Clara a secret alias
  (which her attributes repeat).
- The GREEN report is a syndicated copy of the AMBER one.
- The RED report names Bravo only: not even the home organisation reads it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import event

from liaison.domain import TLP, EntityType, Extraction, NearDuplicate, entity_id_for
from liaison.publishing import publish
from liaison.resolve import EventResolution
from liaison.settings import Settings
from liaison.store import Store
from tests.conftest import FIXED_TIME
from tests.sharing_factories import report_extraction, save


@dataclass(frozen=True)
class Scenario:
    reports: dict[str, str]  # tag -> report ID
    collections: dict[str, str]  # organisation -> collection ID

    def report(self, tag: str) -> str:
        return self.reports[tag]


def person(name: str) -> str:
    return entity_id_for(EntityType.PERSON, name)


def organization(name: str) -> str:
    return entity_id_for(EntityType.ORGANIZATION, name)


def _extraction(tag: str, tlp: TLP, name: str, **names: Any) -> Extraction:
    return report_extraction(
        tag,
        tlp,
        person=names.get("person", f"{name} Person"),
        organization=f"{name} Agency",
        country=names.get("country", f"{name}land"),
        group=names.get("group", f"{name} Gang"),
        recipients=names.get("recipients", ()),
    )


def build_scenario(store: Store, settings: Settings) -> Scenario:
    store.add_organization("Alpha", home=True)
    store.add_organization("Bravo")
    store.add_organization("Charlie")
    store.set_agreement("Bravo", TLP.GREEN)
    store.set_agreement("Charlie", TLP.AMBER, topics=("cybercrime",))
    clear = _extraction("clear", TLP.CLEAR, "Clear", person="Clara Clear")
    # An attribute read elsewhere (as an acronym's expansion is): shown only with a readable name saying it.
    defined = replace(clear.entities[0], attributes={"expansion": "Clara the Secret"})
    clear = replace(clear, entities=(defined, *clear.entities[1:]))
    amber = _extraction("amber", TLP.AMBER, "Amber", group="Shared Gang")
    green = _extraction("green", TLP.GREEN, "Green", group="Shared Gang")
    strict = _extraction("strict", TLP.AMBER_STRICT, "Strict")
    red = _extraction("red", TLP.RED, "Red", recipients=("bravo",))
    offtopic = _extraction("offtopic", TLP.AMBER, "Offtopic", person="Clara Clear")
    clara = replace(offtopic.entities[0], aliases=("Clara the Secret",))
    arrest = replace(offtopic.events[0], topics=("terrorism",))
    offtopic = replace(
        offtopic, entities=(clara, *offtopic.entities[1:]), events=(arrest,), topics=("terrorism",)
    )
    for extraction in (clear, amber, strict, red):
        save(store, extraction)
    assert store.save_extraction(green, near_duplicate=NearDuplicate(amber.report.id, 0.93))
    joined = {arrest.id: EventResolution(arrest.id, clear.events[0].id, "same arrest", 1.0)}
    assert store.save_extraction(offtopic, event_resolutions=joined)
    publish(store, settings, now=FIXED_TIME)
    collections = {c.organization: c.id for c in store.collections()}
    tags = {
        "clear": clear,
        "green": green,
        "amber": amber,
        "strict": strict,
        "red": red,
        "offtopic": offtopic,
    }
    return Scenario({tag: e.report.id for tag, e in tags.items()}, collections)


@contextmanager
def counted_statements(store: Store) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(store.engine, "before_cursor_execute", record)


def _titles(scenario: Scenario, ids: list[str]) -> set[str]:
    tags = {report_id: tag for tag, report_id in scenario.reports.items()}
    return {tags[i] for i in ids}


def test_reports_are_exactly_the_readable_ones(settings: Settings, store: Store) -> None:
    scenario = build_scenario(store, settings)
    expected = {
        "Alpha": {"clear", "green", "amber", "strict", "offtopic"},
        "Bravo": {"clear", "green", "red"},
        "Charlie": {"clear", "green", "amber"},
    }
    for org, tags in expected.items():
        page = store.readable_reports(scenario.collections[org], limit=100)
        assert _titles(scenario, [r.id for r in page.items]) == tags, org
        assert page.total == len(tags)
        assert store.readable_counts(scenario.collections[org]).reports == len(tags)
    alpha, bravo = scenario.collections["Alpha"], scenario.collections["Bravo"]
    # Paging: totals stay, pages do not overlap.
    first, second = store.readable_reports(alpha, limit=3), store.readable_reports(alpha, limit=3, offset=3)
    assert first.total == second.total == 5
    assert len(first.items) == 3 and len(second.items) == 2
    assert not {r.id for r in first.items} & {r.id for r in second.items}
    # Filters narrow within what is readable.
    assert [r.tlp for r in store.readable_reports(alpha, tlp="green").items] == ["green"]
    assert store.readable_reports(bravo, tlp="amber").total == 0
    off = store.readable_reports(alpha, topic="terrorism")
    assert [r.id for r in off.items] == [scenario.report("offtopic")]
    assert store.readable_reports(scenario.collections["Charlie"], topic="terrorism").total == 0
    assert store.readable_reports(alpha, language="en").total == 5
    assert store.readable_reports(alpha, language="fr").total == 0
    assert store.readable_reports(alpha, since=date(2024, 3, 1)).total == 0
    assert store.readable_reports(alpha, since=date(2024, 2, 20)).total == 5
    # A copy names its original only to those who may read the original.
    green_for = {
        org: next(r for r in store.readable_reports(c).items if r.id == scenario.report("green"))
        for org, c in scenario.collections.items()
    }
    assert green_for["Alpha"].near_duplicate_of == scenario.report("amber")
    assert green_for["Bravo"].near_duplicate_of is None
    assert green_for["Bravo"].near_duplicate_similarity is None
    # Entity counts count readable entities only: Bravo does not read the Shared Gang.
    assert green_for["Alpha"].entity_count == 4
    assert green_for["Bravo"].entity_count == 3


def test_a_report_shows_only_what_the_reader_may_read_in_it(settings: Settings, store: Store) -> None:
    scenario = build_scenario(store, settings)
    bravo, alpha = scenario.collections["Bravo"], scenario.collections["Alpha"]
    green = store.readable_report(bravo, scenario.report("green"))
    assert green is not None
    assert "Shared Gang" in green.text  # the report itself is readable...
    names = {m.name for m in green.mentions}
    assert names == {"Green Person", "Green Agency", "Greenland"}  # ...but not the entity (AMBER elsewhere)
    assert green.summary.near_duplicate_of is None and green.copies == ()
    (arrest,) = green.events
    assert [p.name for p in arrest.participants] == ["Green Agency"]
    assert arrest.location == "Greenland" and arrest.sources == 1
    (figure,) = green.claims
    assert figure.subject_id is None and figure.subject == "Shared Gang"  # the report's own words
    assert figure.evidence == "34 servers" and figure.value == 34.0
    (role,) = green.roles
    assert (role.person, role.title, role.organization) == ("Green Person", "director", "Green Agency")
    assert role.evidence == "Green Person, director of Green Agency"
    home_green = store.readable_report(alpha, scenario.report("green"))
    assert home_green is not None
    assert "Shared Gang" in {m.name for m in home_green.mentions}
    assert home_green.claims[0].subject_id == organization("Shared Gang")
    assert home_green.summary.near_duplicate_of == scenario.report("amber")
    home_amber = store.readable_report(alpha, scenario.report("amber"))
    assert home_amber is not None and [c for c, _ in home_amber.copies] == [scenario.report("green")]
    # Bravo reads the RED report naming it, which lists its recipients; the home organisation does not.
    red = store.readable_report(bravo, scenario.report("red"))
    assert red is not None and red.recipients == ("bravo",)
    assert store.readable_report(alpha, scenario.report("red")) is None
    # Withheld and unknown IDs are alike.
    for withheld in ("amber", "strict", "offtopic"):
        assert store.readable_report(bravo, scenario.report(withheld)) is None
    assert store.readable_report(bravo, "0" * 36) is None
    assert store.readable_report(scenario.collections["Charlie"], scenario.report("offtopic")) is None


def test_entities_follow_the_most_restrictive_source(settings: Settings, store: Store) -> None:
    scenario = build_scenario(store, settings)
    alpha, bravo, charlie = (scenario.collections[o] for o in ("Alpha", "Bravo", "Charlie"))
    names = {
        org: {e.name for e in store.readable_entities(c, limit=500).items}
        for org, c in scenario.collections.items()
    }
    assert names["Bravo"] == {
        "Clear Agency",
        "Clearland",
        "Clear Gang",
        "Green Person",
        "Green Agency",
        "Greenland",
        "Red Person",
        "Red Agency",
        "Redland",
        "Red Gang",
    }
    assert "Shared Gang" in names["Charlie"] and "Clara Clear" in names["Charlie"]
    assert not {"Offtopic Agency", "Offtopic Gang", "Offtopicland", "Strict Person"} & names["Charlie"]
    assert len(names["Alpha"]) == 18 and not {n for n in names["Alpha"] if n.startswith("Red")}
    for org, collection in scenario.collections.items():
        page = store.readable_entities(collection, limit=500)
        assert page.total == len(names[org]) == store.readable_counts(collection).entities
    assert store.readable_entity(bravo, organization("Shared Gang")) is None
    assert store.readable_entity(bravo, person("Clara Clear")) is None
    assert store.readable_entity(bravo, "0" * 36) is None
    # Clara, for Charlie: only what the CLEAR report says; the off-topic report does not show through.
    clara = store.readable_entity(charlie, person("Clara Clear"))
    assert clara is not None
    assert clara.summary.mention_count == 1 and clara.summary.report_count == 1
    assert {m.report_id for m in clara.mentions} == {scenario.report("clear")}
    assert clara.mentions[0].sentence.startswith("Clara Clear, director of Clear Agency")
    assert [(a.alias, a.report_ids) for a in clara.aliases] == [("Clara Clear", (scenario.report("clear"),))]
    assert [r.organization for r in clara.roles] == ["Clear Agency"]
    assert clara.attributes == {}
    home_clara = store.readable_entity(alpha, person("Clara Clear"))
    assert home_clara is not None
    assert home_clara.summary.mention_count == 2 and home_clara.summary.report_count == 2
    assert "Clara the Secret" in {a.alias for a in home_clara.aliases}
    assert "Clara the Secret" in home_clara.summary.aliases
    assert {r.organization for r in home_clara.roles} == {"Clear Agency", "Offtopic Agency"}
    assert home_clara.attributes == {"expansion": "Clara the Secret"}
    place = store.readable_entity(bravo, entity_id_for(EntityType.COUNTRY, "Clearland"))
    assert place is not None and place.attributes == {"country_code": "FR", "place_kind": "country"}
    # The gang takes part in the arrests of both reports it is in.
    gang = store.readable_entity(charlie, organization("Shared Gang"))
    assert gang is not None and gang.event_count == 2 and len(gang.events) == 2
    assert all(e.date == "2024-02-20" for e in gang.events)
    # Filters: type and words of a readable name or alias only.
    people = store.readable_entities(alpha, entity_type="person")
    assert {e.name for e in people.items} == {
        "Clara Clear",
        "Green Person",
        "Amber Person",
        "Strict Person",
    }
    assert [e.name for e in store.readable_entities(alpha, query="secret").items] == ["Clara Clear"]
    assert store.readable_entities(charlie, query="secret").total == 0
    assert [e.name for e in store.readable_entities(charlie, query="clara").items] == ["Clara Clear"]
    assert store.readable_entities(bravo, query="shared").total == 0


def test_events_are_told_by_readable_sources_only(settings: Settings, store: Store) -> None:
    scenario = build_scenario(store, settings)
    alpha, bravo, charlie = (scenario.collections[o] for o in ("Alpha", "Bravo", "Charlie"))
    counts = {org: store.readable_events(c).total for org, c in scenario.collections.items()}
    # Bravo does not read the CLEAR report's arrest: the off-topic AMBER report tells it too.
    assert counts == {"Alpha": 4, "Bravo": 2, "Charlie": 3}
    for org, collection in scenario.collections.items():
        assert store.readable_counts(collection).events == counts[org]
    joined = next(e for e in store.readable_events(charlie).items if e.location == "Clearland")
    assert joined.sources == 1 and joined.topics == ("cybercrime",)
    assert {p.name for p in joined.participants} == {"Clear Agency", "Clear Gang"}
    detail = store.readable_event(charlie, joined.id)
    assert detail is not None
    assert [s.report_id for s in detail.sources] == [scenario.report("clear")]
    assert detail.sources[0].evidence == ("Clear Agency arrested Clear Gang members on Tuesday.",)
    assert [c.report_id for c in detail.claims] == [scenario.report("clear")]
    assert detail.summary.plover == "COERCE" and detail.summary.cameo == "173"
    home = store.readable_event(alpha, joined.id)
    assert home is not None and home.summary.sources == 2
    assert set(home.summary.topics) == {"cybercrime", "terrorism"}
    assert {p.name for p in home.summary.participants} >= {"Offtopic Agency", "Offtopic Gang"}
    assert store.readable_event(bravo, joined.id) is None
    assert store.readable_event(bravo, "0" * 36) is None
    # Filters.
    assert store.readable_events(alpha, event_type="coerce").total == 4
    assert store.readable_events(alpha, event_type="arrest").total == 4
    assert store.readable_events(alpha, event_type="173").total == 4
    assert store.readable_events(alpha, event_type="PROTEST").total == 0
    assert store.readable_events(alpha, since=date(2024, 2, 1)).total == 4
    assert store.readable_events(alpha, since=date(2024, 3, 1)).total == 0
    assert store.readable_events(alpha, until=date(2024, 2, 1)).total == 0
    assert store.readable_events(alpha, until=date(2024, 2, 20)).total == 4
    by_gang = store.readable_events(charlie, entity=organization("Shared Gang"))
    assert by_gang.total == 2
    assert store.readable_events(bravo, entity=organization("Shared Gang")).total == 0


def test_claims_search_and_counts(settings: Settings, store: Store) -> None:
    scenario = build_scenario(store, settings)
    alpha, bravo, charlie = (scenario.collections[o] for o in ("Alpha", "Bravo", "Charlie"))
    claims = store.readable_claims(bravo)
    assert claims.total == 3
    assert _titles(scenario, [c.report_id for c in claims.items]) == {"clear", "green", "red"}
    assert store.readable_claims(alpha, subject=organization("Shared Gang")).total == 2
    assert store.readable_claims(charlie, subject=organization("Shared Gang")).total == 2
    assert store.readable_claims(bravo, subject=organization("Shared Gang")).total == 0
    assert store.readable_counts(bravo).claims == 3
    hits = store.readable_search(bravo, "ref")
    assert _titles(scenario, [h.report_id for h in hits]) == {"clear", "green", "red"}
    assert store.readable_search(bravo, "amber") == []
    assert [h.report_id for h in store.readable_search(alpha, "amber")] == [scenario.report("amber")]
    assert store.readable_search(alpha, "strict")[0].snippet
    assert store.readable_search(charlie, "offtopic") == []
    assert store.readable_search(alpha, "") == []


def test_list_reads_cost_the_same_statements_whatever_the_page_size(settings: Settings, store: Store) -> None:
    scenario = build_scenario(store, settings)
    alpha = scenario.collections["Alpha"]
    reads = {
        "reports": lambda limit: store.readable_reports(alpha, limit=limit),
        "entities": lambda limit: store.readable_entities(alpha, limit=limit),
        "events": lambda limit: store.readable_events(alpha, limit=limit),
        "claims": lambda limit: store.readable_claims(alpha, limit=limit),
    }
    for name, read in reads.items():
        with counted_statements(store) as small:
            assert len(read(1).items) == 1
        with counted_statements(store) as large:
            assert len(read(100).items) > 1
        assert len(small) == len(large) <= 5, name
