"""Liaison's STIX 2.1 extensions (§7.3): the ``x-liaison-event`` object type and Liaison's properties.

- ``x-liaison-event`` is a new SDO (``extension_type: new-sdo``): a real-world event however many reports
  describe it, with participants, place, normalised date, PLOVER and CAMEO codes, status and evidence.
  Its JSON schema ships as ``liaison/schemas/x-liaison-event.json``.
- Liaison's top-level properties (``extension_type: toplevel-property-extension``) declare the custom
  properties Liaison puts on standard objects: OpenCTI's ``x_opencti_aliases`` and
  ``x_opencti_location_type`` (so that OpenCTI reads aliases and location kinds), and Liaison's
  ``x_liaison_*`` figures and evidence.

Both are authored by the Liaison project's identity and have fixed IDs and timestamps, so that every
installation ships the same objects and partners' tools recognise them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from stix2 import properties as stix_properties
from stix2.v21 import CustomObject, ExtensionDefinition, Identity

from liaison.domain import TLP
from liaison.share.markings import marking_ref

SCHEMAS_DIR = Path(__file__).resolve().parent.parent / "schemas"
EVENT_SCHEMA = SCHEMAS_DIR / "x-liaison-event.json"
EVENT_TYPE = "x-liaison-event"

LIAISON_IDENTITY_ID = "identity--6a7ddde5-677e-5784-b18d-558476a0a5cf"
EVENT_EXTENSION_ID = "extension-definition--79fb7419-c0e5-5423-996f-294786556ce4"
PROPERTIES_EXTENSION_ID = "extension-definition--c1db4ffb-a064-5142-9821-aa5481c72054"
# When version 1.0.0 of Liaison's extensions was defined; a new version gets a new timestamp.
EXTENSIONS_DEFINED = "2026-11-29T00:00:00.000Z"

CUSTOM_PROPERTIES = (
    "x_liaison_evidence",
    "x_liaison_period",
    "x_liaison_qualifier",
    "x_liaison_subject",
    "x_liaison_unit",
    "x_liaison_value",
    "x_opencti_aliases",
    "x_opencti_location_type",
)

# Put on every standard object that carries one of CUSTOM_PROPERTIES (STIX 2.1 §7.3).
USES_PROPERTIES = {PROPERTIES_EXTENSION_ID: {"extension_type": "toplevel-property-extension"}}


_DICTIONARY = stix_properties.DictionaryProperty(spec_version="2.1")


class _LiaisonEvent:
    """The stix2 class of ``x-liaison-event`` objects (made by ``liaison.share.stix``)."""


# Registered once with stix2, which then checks every event's properties against these types.
LiaisonEvent: Any = CustomObject(
    EVENT_TYPE,
    [
        ("name", stix_properties.StringProperty(required=True)),
        ("event_type", stix_properties.StringProperty(required=True)),
        ("plover", stix_properties.StringProperty(required=True)),
        ("plover_mode", stix_properties.StringProperty()),
        ("cameo", stix_properties.StringProperty()),
        ("date", stix_properties.StringProperty()),
        ("date_precision", stix_properties.StringProperty()),
        ("location_ref", stix_properties.ReferenceProperty(valid_types=["location"], spec_version="2.1")),
        ("status", stix_properties.EnumProperty(["occurred", "planned", "hoped", "negated"], required=True)),
        ("topics", stix_properties.ListProperty(stix_properties.StringProperty())),
        ("participants", stix_properties.ListProperty(_DICTIONARY)),
        ("evidence", stix_properties.ListProperty(_DICTIONARY)),
    ],
    extension_name=EVENT_EXTENSION_ID,
)(_LiaisonEvent)


def liaison_identity() -> Identity:
    """The Liaison project, author of Liaison's extension definitions."""
    return Identity(
        id=LIAISON_IDENTITY_ID,
        created=EXTENSIONS_DEFINED,
        modified=EXTENSIONS_DEFINED,
        name="Liaison project",
        identity_class="organization",
        description="The open-source software that produced this bundle; author of its x-liaison extensions.",
        object_marking_refs=[marking_ref(TLP.CLEAR)],
    )


def event_extension_definition() -> ExtensionDefinition:
    return ExtensionDefinition(
        id=EVENT_EXTENSION_ID,
        created_by_ref=LIAISON_IDENTITY_ID,
        created=EXTENSIONS_DEFINED,
        modified=EXTENSIONS_DEFINED,
        name="Liaison event",
        description=(
            "x-liaison-event: a real-world event (meeting, visit, arrest, takedown, attack, accusation …) "
            "however many reports describe it: participants with their roles, place, normalised date, "
            "PLOVER type and mode, CAMEO code, status (occurred, planned, hoped, negated), topics, "
            "confidence, and the sentences of each report that support it."
        ),
        schema="https://liaison.invalid/schemas/x-liaison-event.json",
        version="1.0.0",
        extension_types=["new-sdo"],
        object_marking_refs=[marking_ref(TLP.CLEAR)],
    )


def properties_extension_definition() -> ExtensionDefinition:
    return ExtensionDefinition(
        id=PROPERTIES_EXTENSION_ID,
        created_by_ref=LIAISON_IDENTITY_ID,
        created=EXTENSIONS_DEFINED,
        modified=EXTENSIONS_DEFINED,
        name="Liaison properties",
        description=(
            "Top-level properties on standard objects: x_opencti_aliases and x_opencti_location_type as "
            "OpenCTI reads them; x_liaison_value, x_liaison_qualifier, x_liaison_unit, x_liaison_period "
            "and x_liaison_subject for a figure a report asserts (on a note); x_liaison_evidence, a list "
            "of {report_ref, text}, for the sentences that support a relationship."
        ),
        schema="https://liaison.invalid/schemas/liaison-properties.json",
        version="1.0.0",
        extension_types=["toplevel-property-extension"],
        extension_properties=list(CUSTOM_PROPERTIES),
        object_marking_refs=[marking_ref(TLP.CLEAR)],
    )


def extension_objects() -> list[Any]:
    """The objects every bundle needs for Liaison's extensions to resolve."""
    return [liaison_identity(), event_extension_definition(), properties_extension_definition()]
