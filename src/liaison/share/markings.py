"""TLP 2.0 markings as STIX 2.1 marking definitions, with the official OASIS identifiers.

The five marking definitions and the extension definition they use are copied field for field from the
OASIS TLP 2.0 extension (oasis-open/cti-stix-common-objects, extension-definition-specifications/tlp-2.0,
extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d), so that every tool that knows TLP 2.0 knows
them by ID. Every Liaison bundle ships all five, the extension definition, and a copy of its author's
identity (CISA), so that no reference in a bundle points outside it.

The TLP 1.0 marking definitions of STIX 2.1 §7.2.1.4 are recognised in partners' bundles (WHITE is read
as CLEAR), never produced.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from liaison.domain import TLP

TLP_EXTENSION_ID = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
CISA_IDENTITY_ID = "identity--b3bca3c2-1f3d-4b54-b44f-dac42c3a8f01"
_TLP_CREATED = "2022-10-01T00:00:00.000Z"

MARKING_IDS: dict[TLP, str] = {
    TLP.CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    TLP.GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    TLP.AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    TLP.AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    TLP.RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}

# STIX 2.1 §7.2.1.4, TLP 1.0: read in partners' bundles only.
TLP1_MARKING_IDS: dict[str, TLP] = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": TLP.CLEAR,  # TLP:WHITE
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": TLP.GREEN,
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": TLP.AMBER,
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": TLP.RED,
}

_LEVEL_BY_ID: dict[str, TLP] = {**{v: k for k, v in MARKING_IDS.items()}, **TLP1_MARKING_IDS}


def marking_ref(level: TLP) -> str:
    """The marking-definition ID of a TLP 2.0 level."""
    return MARKING_IDS[level]


def marking_definition(level: TLP) -> dict[str, Any]:
    """The official TLP 2.0 marking-definition object for ``level``."""
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": MARKING_IDS[level],
        "created": _TLP_CREATED,
        "name": f"TLP:{level.value.upper()}",
        "extensions": {TLP_EXTENSION_ID: {"extension_type": "property-extension", "tlp_2_0": level.value}},
    }


def tlp_extension_definition() -> dict[str, Any]:
    """The OASIS extension definition that TLP 2.0 marking definitions use."""
    return {
        "type": "extension-definition",
        "spec_version": "2.1",
        "id": TLP_EXTENSION_ID,
        "created_by_ref": CISA_IDENTITY_ID,
        "created": _TLP_CREATED,
        "modified": _TLP_CREATED,
        "name": "TLP 2.0",
        "description": "This defines TLP 2.0 as a STIX extension",
        "schema": "https://github.com/oasis-open/cti-stix-common-objects/tree/master/"
        "extension-definition-specifications/tlp-2.0",
        "version": "1.0.0",
        "extension_types": ["property-extension"],
    }


def cisa_identity() -> dict[str, Any]:
    """The author of the TLP 2.0 extension, so that its ``created_by_ref`` resolves inside the bundle."""
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": CISA_IDENTITY_ID,
        "created": _TLP_CREATED,
        "modified": _TLP_CREATED,
        "name": "Cybersecurity and Infrastructure Security Agency",
        "identity_class": "organization",
    }


def tlp_objects() -> list[dict[str, Any]]:
    """Everything a bundle needs for its TLP 2.0 markings to resolve."""
    return [cisa_identity(), tlp_extension_definition(), *(marking_definition(level) for level in TLP)]


def tlp_of_refs(refs: Iterable[str]) -> TLP | None:
    """The most restrictive TLP level among marking references (None when none is a TLP marking)."""
    levels = [_LEVEL_BY_ID[ref] for ref in refs if ref in _LEVEL_BY_ID]
    return max(levels, key=lambda level: level.rank) if levels else None


def tlp_of(stix_object: Mapping[str, Any]) -> TLP | None:
    """The TLP level of an object by its ``object_marking_refs`` (None when it has no TLP marking)."""
    refs = stix_object.get("object_marking_refs")
    return tlp_of_refs(r for r in refs if isinstance(r, str)) if isinstance(refs, list) else None


def well_known_ids() -> frozenset[str]:
    """IDs every STIX tool may refer to without shipping the object (TLP markings and their extension)."""
    return frozenset([*_LEVEL_BY_ID, TLP_EXTENSION_ID, CISA_IDENTITY_ID])
