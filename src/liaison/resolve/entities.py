"""Rules that attach an entity read in a report to a canonical entity of the store.

Blocking is by type and by normalised alias: only entities that share a type family and a name (or
acronym, or given name) are compared. Then, in order of strength:

1. the same canonical key (type and normalised name): the same entity, nothing to record;
2. a shared alias (a name, a variant, an acronym or its expansion): the same entity;
3. people only: the same given name and a surname one or two edits apart ("Mike Burguess" and
   "Mike Burgess"); two full names that differ in a given name are never merged.

An analyst's split is a cannot-link: entities once split apart are not merged again automatically.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from rapidfuzz.distance import OSA

from liaison.domain import Entity, EntityType, normalise_name

# Below this share of the report's evidence, an entity's type yields to the type the store already
# holds for the same name (the model read "Eurojust" as a person in one report and an agency elsewhere).
WEAK_TYPE_CONFIDENCE = 0.75

# Country and location are one family: the gazetteer names a place, the model may type it either way.
PLACE_TYPES = frozenset({EntityType.COUNTRY, EntityType.LOCATION})


@dataclass(frozen=True)
class KnownEntity:
    """A canonical entity as the directory returns it."""

    id: str
    type: EntityType
    name: str
    aliases: tuple[str, ...]
    mention_count: int = 0
    type_confidence: float = 1.0


class EntityDirectory(Protocol):
    """What resolution needs to know about stored entities."""

    def entities_with_alias(self, normalized: Iterable[str]) -> list[KnownEntity]:
        """Canonical entities having any of these normalised aliases (names included)."""
        ...

    def people_with_given_name(self, given_name: str) -> list[KnownEntity]:
        """Canonical people whose normalised name starts with this given name."""
        ...

    def cannot_link(self, entity_id: str) -> set[str]:
        """Entities an analyst split apart from this one."""
        ...


@dataclass(frozen=True)
class Resolution:
    """Which canonical entity an extracted entity is, and why (``reason`` is empty for itself)."""

    entity_id: str
    canonical_id: str
    reason: str
    score: float
    # The new entity's type rests on stronger evidence than the stored one's: it becomes the root.
    reroot: bool = False

    @property
    def merged(self) -> bool:
        return self.entity_id != self.canonical_id


def _compatible(a: EntityType, b: EntityType) -> bool:
    return a == b or (a in PLACE_TYPES and b in PLACE_TYPES)


def _names_of(entity: Entity) -> list[str]:
    names = [entity.name, *entity.aliases]
    acronym = entity.attributes.get("acronym")
    if acronym:
        names.append(acronym)
    return [n for n in names if normalise_name(n)]


def resolution_keys(entity: Entity) -> set[str]:
    """Every normalised name ``resolve_entity`` may look up for ``entity`` (for prefetching)."""
    return {normalise_name(n) for n in _names_of(entity)} | {normalise_name(entity.name)}


def _surnames_match(a: Sequence[str], b: Sequence[str]) -> float | None:
    """Similarity of two people's names with the same given name, or None if they must not merge."""
    if len(a) != len(b) or len(a) < 2 or a[0] != b[0]:
        return None
    distance = 0
    for x, y in zip(a[1:], b[1:], strict=True):
        if x == y:
            continue
        shortest = min(len(x), len(y))
        limit = 2 if shortest >= 8 else 1
        if shortest < 4 or x[0] != y[0]:
            return None
        step = OSA.distance(x, y)
        if step > limit:
            return None
        distance += step
    return 1.0 - distance / max(len(" ".join(a)), 1)


def resolve_entity(entity: Entity, directory: EntityDirectory) -> Resolution:
    """Attach ``entity`` to the stored entity it names, or to itself when it is new."""
    own = entity.id
    forbidden = directory.cannot_link(own)
    keys = {normalise_name(n) for n in _names_of(entity)}
    by_alias = [
        known
        for known in directory.entities_with_alias(keys)
        if known.id not in forbidden and _compatible(known.type, entity.type)
    ]
    if any(known.id == own for known in by_alias):
        return Resolution(own, own, "", 1.0)
    if not by_alias and entity.type_confidence < WEAK_TYPE_CONFIDENCE:
        own_key = normalise_name(entity.name)
        same_name = [
            known
            for known in directory.entities_with_alias([own_key])
            if known.id not in forbidden and normalise_name(known.name) == own_key
        ]
        if same_name:
            best = max(same_name, key=lambda k: (k.mention_count, k.id))
            reason = (
                f"same name as the {best.type.value} {best.name} (type evidence {best.type_confidence:.2f}); "
                f"read as {entity.type.value} here (type evidence {entity.type_confidence:.2f})"
            )
            stronger = entity.type_confidence > best.type_confidence
            return Resolution(own, best.id, reason, round(entity.type_confidence, 3), reroot=stronger)
    if by_alias:
        best = max(by_alias, key=lambda k: (k.type == entity.type, k.mention_count, k.id))
        shared = sorted(keys & {normalise_name(a) for a in (best.name, *best.aliases)})
        return Resolution(own, best.id, f"shares the name {', '.join(shared)!s} with {best.name}", 0.95)
    if entity.type == EntityType.PERSON:
        tokens = normalise_name(entity.name).split()
        if len(tokens) >= 2:
            scored = []
            for known in directory.people_with_given_name(tokens[0]):
                if known.id in forbidden or known.id == own:
                    continue
                score = _surnames_match(tokens, normalise_name(known.name).split())
                if score is not None:
                    scored.append((score, known.mention_count, known))
            if scored:
                score, _, best = max(scored, key=lambda item: (item[0], item[1], item[2].id))
                reason = f"same given name, surname spelt like {best.name} (one or two letters apart)"
                return Resolution(own, best.id, reason, round(score, 3))
    return Resolution(own, own, "", 1.0)
