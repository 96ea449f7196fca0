"""Resolution rules against an in-memory directory (a fake registered through the same Protocol)."""

from __future__ import annotations

from collections.abc import Iterable

from liaison.domain import Entity, EntityType, Mention, normalise_name
from liaison.resolve import EntityDirectory, KnownEntity, resolve_entity


class MemoryDirectory:
    def __init__(self, known: list[KnownEntity], splits: dict[str, set[str]] | None = None) -> None:
        self.known = known
        self.splits = splits or {}

    def entities_with_alias(self, normalized: Iterable[str]) -> list[KnownEntity]:
        keys = set(normalized)
        return [k for k in self.known if keys & {normalise_name(a) for a in (k.name, *k.aliases)}]

    def people_with_given_name(self, given_name: str) -> list[KnownEntity]:
        return [
            k
            for k in self.known
            if k.type is EntityType.PERSON and normalise_name(k.name).split()[0] == given_name
        ]

    def cannot_link(self, entity_id: str) -> set[str]:
        return self.splits.get(entity_id, set())


def person(name: str, *aliases: str, confidence: float = 1.0) -> Entity:
    return Entity(EntityType.PERSON, name, (Mention(0, len(name), name, 0),), aliases, {}, confidence)


def known(entity_type: EntityType, name: str, *aliases: str, confidence: float = 1.0) -> KnownEntity:
    probe = Entity(entity_type, name, ())
    return KnownEntity(probe.id, entity_type, name, aliases, 3, confidence)


def test_directory_fake_satisfies_the_protocol() -> None:
    directory: EntityDirectory = MemoryDirectory([])
    assert directory.cannot_link("x") == set()


def test_new_entity_resolves_to_itself() -> None:
    result = resolve_entity(person("Christopher Wray"), MemoryDirectory([]))
    assert not result.merged and result.reason == ""


def test_shared_alias_merges_with_reason() -> None:
    dgsi = known(EntityType.ORGANIZATION, "DGSI", "General Directorate for Internal Security")
    french = Entity(
        EntityType.ORGANIZATION,
        "DGSI",
        (),
        ("Direction générale de la sécurité intérieure",),
        {"acronym": "DGSI"},
    )
    # same name and type: same canonical id, nothing to record
    assert not resolve_entity(french, MemoryDirectory([dgsi])).merged
    expansion_only = Entity(EntityType.ORGANIZATION, "General Directorate for Internal Security", ())
    result = resolve_entity(expansion_only, MemoryDirectory([dgsi]))
    assert result.merged and result.canonical_id == dgsi.id
    assert "general directorate for internal security" in result.reason


def test_misspelt_surname_with_the_same_given_name_merges() -> None:
    burgess = known(EntityType.PERSON, "Mike Burgess")
    result = resolve_entity(person("Mike Burguess"), MemoryDirectory([burgess]))
    assert result.merged and result.canonical_id == burgess.id
    assert "same given name" in result.reason and 0.8 < result.score < 1


def test_different_given_names_never_merge() -> None:
    directory = MemoryDirectory([known(EntityType.PERSON, "Mike Burgess")])
    assert not resolve_entity(person("Anna Burgess"), directory).merged
    assert not resolve_entity(person("Mike Bergmann"), directory).merged


def test_types_must_be_compatible_except_places() -> None:
    washington = known(EntityType.LOCATION, "Washington")
    assert resolve_entity(Entity(EntityType.COUNTRY, "Washington", ()), MemoryDirectory([washington])).merged
    strong_person = person("Washington", confidence=0.9)
    assert not resolve_entity(strong_person, MemoryDirectory([washington])).merged


def test_weak_type_yields_to_the_stored_type_and_stronger_evidence_becomes_root() -> None:
    eurojust = known(EntityType.ORGANIZATION, "Eurojust", confidence=0.6)
    weak = person("Eurojust", confidence=0.33)
    result = resolve_entity(weak, MemoryDirectory([eurojust]))
    assert result.merged and result.canonical_id == eurojust.id and not result.reroot
    stronger = person("Eurojust", confidence=0.7)
    assert resolve_entity(stronger, MemoryDirectory([eurojust])).reroot


def test_an_analyst_split_is_a_cannot_link() -> None:
    burgess = known(EntityType.PERSON, "Mike Burgess")
    other = person("Mike Burguess")
    directory = MemoryDirectory([burgess], splits={other.id: {burgess.id}})
    assert not resolve_entity(other, directory).merged
