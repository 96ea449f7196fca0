"""The seed report (read from ../shared/seeds): entities with the right types, variants merged, roles."""

from __future__ import annotations

import pytest

from liaison.domain import EntityType, Extraction, Report
from liaison.extract import Extractor

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def seed(extractor: Extractor, seed_text: str) -> Extraction:
    return extractor.extract(Report(text=seed_text))


def entity(extraction: Extraction, name: str):  # type: ignore[no-untyped-def]
    found = [e for e in extraction.entities if e.name == name]
    assert len(found) == 1, f"{name!r} not found once in {[e.name for e in extraction.entities]}"
    return found[0]


@pytest.mark.parametrize(
    ("name", "entity_type", "variants"),
    [
        ("Abdellatif Hammouchi", EntityType.PERSON, {"Hammouchi"}),
        ("Avril Haines", EntityType.PERSON, {"Avril Haine", "Haines"}),
        ("William Burns", EntityType.PERSON, set()),
        ("Christopher Wray", EntityType.PERSON, set()),
        ("Donald Trump", EntityType.PERSON, set()),
        ("Joe Biden", EntityType.PERSON, set()),
        ("DGSN", EntityType.ORGANIZATION, set()),
        ("DGSSI", EntityType.ORGANIZATION, {"General Directorate of Information Systems Security"}),
        ("CIA", EntityType.ORGANIZATION, set()),
        ("FBI", EntityType.ORGANIZATION, set()),
        ("Morocco World News", EntityType.ORGANIZATION, set()),
        ("Morocco", EntityType.COUNTRY, {"Maroc"}),
        ("United States", EntityType.COUNTRY, {"US", "USA"}),
        ("Israel", EntityType.COUNTRY, set()),
        ("Bahrain", EntityType.COUNTRY, set()),
        ("United Arab Emirates", EntityType.COUNTRY, {"Emirates"}),
        ("Rabat", EntityType.LOCATION, set()),
        ("Washington", EntityType.LOCATION, set()),
        ("Sahel", EntityType.LOCATION, set()),
        ("Sahara", EntityType.LOCATION, set()),
        ("Western Sahara", EntityType.LOCATION, set()),
        ("Maghreb", EntityType.LOCATION, set()),
        ("North Africa", EntityType.LOCATION, set()),
        ("Middle East", EntityType.LOCATION, set()),
        ("African Lion", EntityType.NAMED_EVENT, set()),
        ("Abraham Accords", EntityType.NAMED_EVENT, set()),
    ],
)
def test_entities_have_the_right_type_and_their_variants(
    seed: Extraction, name: str, entity_type: EntityType, variants: set[str]
) -> None:
    found = entity(seed, name)
    assert found.type is entity_type
    assert variants <= set(found.aliases)


def test_hashtags_name_their_entities(seed: Extraction, seed_text: str) -> None:
    def tagged(word: str) -> str:
        start = seed_text.index("#" + word) + 1
        [owner] = [e for e in seed.entities for m in e.mentions if m.start == start]
        return owner.name

    assert tagged("USA") == "United States"
    assert tagged("Maroc") == "Morocco"
    assert tagged("Hammouchi") == "Abdellatif Hammouchi"


def test_no_place_is_a_person_and_no_person_an_organisation(seed: Extraction) -> None:
    people = {e.name for e in seed.entities if e.type is EntityType.PERSON}
    organisations = {e.name for e in seed.entities if e.type is EntityType.ORGANIZATION}
    for place in ("Rabat", "Sahel", "Sahara", "Washington", "Maghreb"):
        assert place not in people
    for person in ("Avril Haines", "Haines", "Hammouchi", "Abdellatif Hammouchi"):
        assert person not in organisations
    surfaces = {m.text for e in seed.entities for m in e.mentions}
    assert not any(s.endswith(("’s", "'s")) or s.startswith(("http", "@")) for s in surfaces)


def test_roles(seed: Extraction) -> None:
    names = {e.id: e.name for e in seed.entities}
    roles = {
        (names[r.person], r.title, names.get(r.organization or ""), names.get(r.country or ""))
        for r in seed.roles
    }
    assert ("Abdellatif Hammouchi", "Director General", "DGSN", "Morocco") in roles
    assert ("Avril Haines", "Director of National Intelligence", None, "United States") in roles
    assert ("William Burns", "Director", "CIA", None) in roles
    assert ("Christopher Wray", "Director", "FBI", None) in roles
    for role in seed.roles:
        assert role.evidence.text in seed.report.text
