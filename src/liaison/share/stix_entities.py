"""Canonical entities as STIX 2.1 objects: identities, threat actors and locations.

- person → ``identity``, ``identity_class: individual``, titles as ``roles``;
- organisation → ``identity``, ``identity_class: organization``, or ``threat-actor`` (``is_threat_group``);
- country, place → ``location`` with ``country`` (ISO 3166-1 alpha-2) and ``x_opencti_location_type``;
- nationality, named event → not shared: they are read as attributes of other things.

A place with neither a country code nor coordinates cannot be a valid STIX location (§4.11 requires
``region``, ``country`` or ``latitude``/``longitude``), so it is left out with the references to it.
Aliases go to ``x_opencti_aliases`` (``aliases`` on a threat actor), as OpenCTI reads them. The ID of an
entity's object is its canonical entity ID, so ``liaison entity <uuid>`` finds what a bundle names.
"""

from __future__ import annotations

import re
from typing import Any

from stix2.v21 import Identity, Location, ThreatActor

from liaison.domain import EntityType, ShareableEntity
from liaison.share.extensions import USES_PROPERTIES
from liaison.share.markings import marking_ref
from liaison.share.stix_json import timestamp

# Reports on these topics are about people who break the law or threaten a state.
THREAT_TOPICS = {
    "arms_trafficking": "crime-syndicate",
    "cybercrime": "crime-syndicate",
    "drug_trafficking": "crime-syndicate",
    "election_interference": "spy",
    "espionage": "spy",
    "foreign_interference": "spy",
    "human_trafficking_and_migrant_smuggling": "crime-syndicate",
    "money_laundering": "crime-syndicate",
    "organised_crime": "crime-syndicate",
    "terrorism": "terrorist",
    "violent_extremism": "terrorist",
}
# (event type, role) pairs that make an organisation the target of law enforcement or the author of harm.
HOSTILE_ROLES = frozenset(
    {
        ("arrest", "recipient"),
        ("dismantle", "recipient"),
        ("police operation", "recipient"),
        ("accuse", "recipient"),
        ("attack", "actor"),
        ("cyber attack", "actor"),
    }
)
GROUP_WORDS = re.compile(
    r"\b(gang|cartel|mafia|clan|syndicate|brigades?|militia|apt ?\d+|groupe?s?|groupuscule)\b", re.IGNORECASE
)

LOCATION_TYPES = {"country": "Country", "city": "City", "region": "Region", "admin": "Administrative-Area"}


def is_threat_group(entity: ShareableEntity) -> bool:
    """An organisation is a threat actor when its reports carry a crime, terrorism or espionage topic
    AND it was arrested, dismantled, raided or accused, or attacked someone — or its name says it is a
    group ("gang", "cartel", "APT31", "groupe"). The police forces of the same reports are actors of
    arrests, never their targets, so they stay identities."""
    if entity.type is not EntityType.ORGANIZATION or not set(entity.topics) & set(THREAT_TOPICS):
        return False
    if any(pair in HOSTILE_ROLES for pair in entity.event_roles):
        return True
    return any(GROUP_WORDS.search(name) for name in (entity.name, *entity.aliases))


def stix_type_of(entity: ShareableEntity) -> str | None:
    """The STIX type an entity is shared as, or None when it is not shared."""
    if entity.type is EntityType.PERSON:
        return "identity"
    if entity.type is EntityType.ORGANIZATION:
        return "threat-actor" if is_threat_group(entity) else "identity"
    if entity.type in (EntityType.COUNTRY, EntityType.LOCATION):
        has_place = entity.attributes.get("country_code") or (
            "latitude" in entity.attributes and "longitude" in entity.attributes
        )
        return "location" if has_place else None
    return None


def stix_id_of(entity: ShareableEntity) -> str | None:
    stix_type = stix_type_of(entity)
    return f"{stix_type}--{entity.id}" if stix_type else None


def entity_object(entity: ShareableEntity, producer_id: str) -> Any | None:
    """The STIX object of a canonical entity (a stix2 object), or None when it is not shared."""
    stix_id = stix_id_of(entity)
    if stix_id is None:
        return None
    common: dict[str, Any] = {
        "id": stix_id,
        "created_by_ref": producer_id,
        "created": timestamp(entity.created_at),
        "modified": timestamp(entity.modified_at),
        "name": entity.name,
        "object_marking_refs": [marking_ref(entity.tlp)],
    }
    description = entity.attributes.get("expansion")
    if description and description != entity.name:
        common["description"] = description
    if stix_id.startswith("threat-actor--"):
        types = sorted({THREAT_TOPICS[t] for t in entity.topics if t in THREAT_TOPICS})
        return ThreatActor(
            **common,
            threat_actor_types=types,
            **({"aliases": list(entity.aliases)} if entity.aliases else {}),
        )
    custom: dict[str, Any] = {"x_opencti_aliases": list(entity.aliases)} if entity.aliases else {}
    if stix_id.startswith("identity--"):
        if entity.type is EntityType.PERSON:
            common["identity_class"] = "individual"
            if entity.titles:
                common["roles"] = list(entity.titles)
        else:
            common["identity_class"] = "organization"
        if custom:
            return Identity(**common, **custom, extensions=USES_PROPERTIES, allow_custom=True)
        return Identity(**common)
    return _location(entity, common, custom)


def _location(entity: ShareableEntity, common: dict[str, Any], custom: dict[str, Any]) -> Location:
    kind = "country" if entity.type is EntityType.COUNTRY else entity.attributes.get("place_kind", "")
    place: dict[str, Any] = {}
    code = entity.attributes.get("country_code")
    if code:
        place["country"] = code
    if "latitude" in entity.attributes and "longitude" in entity.attributes:
        place["latitude"] = float(entity.attributes["latitude"])
        place["longitude"] = float(entity.attributes["longitude"])
    if kind == "city":
        place["city"] = entity.name
    elif kind == "admin":
        place["administrative_area"] = entity.name
    custom["x_opencti_location_type"] = LOCATION_TYPES.get(kind, "Position")
    return Location(**common, **place, **custom, extensions=USES_PROPERTIES, allow_custom=True)
