"""STIX 2.1 bundles from MISP event JSON, so that a MISP import goes through the STIX import path.

Each MISP event becomes a ``report`` (``info`` → name, ``date`` → published, ``link`` attributes →
external references, other tags → labels) that refers to the entities the event names: ``person``
objects and ``full-name`` attributes → ``identity`` (individual); ``organization`` and ``legal-entity``
objects and ``target-org`` attributes → ``identity`` (organization); ``geolocation`` objects and
``target-location`` attributes → ``location``; ``threat-actor`` attributes → ``threat-actor``; object
references between them → ``relationship``. ``event`` objects, indicators and free text stay out: they are
not what the store keeps for a partner's report.

The TLP level is the event's ``tlp:`` tag (the most restrictive if several); without one it is guessed
from the distribution, conservatively (all communities → CLEAR, connected or this community → GREEN,
otherwise AMBER). Every object carries it, or the stricter ``tlp:`` tag of its own attributes.
IDs are UUIDv5 over names and the MISP UUIDs, so converting the same file twice gives the same bundle and
importing it twice changes nothing.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import pycountry
from pymisp import MISPAttribute, MISPEvent, MISPObject
from pymisp.exceptions import PyMISPError

from liaison.domain import TLP, deterministic_id, normalise_name
from liaison.errors import InputError
from liaison.json_nesting import nested_deeper_than
from liaison.share.extensions import USES_PROPERTIES, extension_objects
from liaison.share.markings import marking_ref, tlp_objects, tlp_of

_TOPIC_TAG = re.compile(r'^liaison:topic="(.*)"$')
_ALIASES_COMMENT = "also known as "
_PROBLEM_LENGTH = 200
MAX_JSON_DEPTH = 64


def read_misp_json(data: str | bytes, source: str) -> list[dict[str, Any]]:
    """The MISP event documents in a file's text; ``InputError`` naming ``source`` if it holds none."""
    if nested_deeper_than(data, MAX_JSON_DEPTH):
        raise InputError(
            source, f"JSON nested deeper than {MAX_JSON_DEPTH} levels; MISP events are a few deep"
        )
    try:
        parsed = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InputError(source, f"invalid JSON ({error}); expected MISP event JSON") from error
    return event_documents(parsed, source)


def event_documents(parsed: Any, source: str) -> list[dict[str, Any]]:
    """``{"Event": …}``, a bare event, a list of either, or ``{"response": [...]}`` as a list of events."""
    if isinstance(parsed, dict) and isinstance(parsed.get("response"), list):
        parsed = parsed["response"]
    items = parsed if isinstance(parsed, list) else [parsed]
    documents = []
    for number, item in enumerate(items, start=1):
        event = item.get("Event", item) if isinstance(item, dict) else None
        if not isinstance(event, dict) or "info" not in event:
            where = f"item {number}: " if isinstance(parsed, list) else ""
            raise InputError(
                source,
                f"{where}not a MISP event (expected an object with 'info', or {{\"Event\": {{...}}}}, "
                'a list of them, or {"response": [...]})',
            )
        documents.append(event)
    if not documents:
        raise InputError(source, "no MISP event in the file")
    return documents


def load_events(events: list[dict[str, Any]] | dict[str, Any], source: str = "-") -> list[MISPEvent]:
    """PyMISP events for the documents; ``InputError`` naming ``source`` and the event if one is invalid."""
    loaded = []
    for number, document in enumerate(event_documents(events, source), start=1):
        event = MISPEvent()
        try:
            event.load(copy.deepcopy(document))  # PyMISP pops keys from the dict it loads
        # PyMISP turns timestamps into datetimes: a huge one overflows (OverflowError, or OSError on Linux).
        # An empty field name makes it index an empty string (IndexError; found by fuzzing).
        except (
            PyMISPError,
            ValueError,
            TypeError,
            LookupError,
            AttributeError,
            OverflowError,
            OSError,
        ) as error:
            problem = str(error)
            if len(problem) > _PROBLEM_LENGTH:
                problem = problem[:_PROBLEM_LENGTH] + "…"
            info = document.get("info") if isinstance(document.get("info"), str) else "?"
            raise InputError(source, f"MISP event {number} ({info!r}) is invalid: {problem}") from error
        loaded.append(event)
    return loaded


def misp_events_to_bundle(
    events: list[dict[str, Any]] | dict[str, Any], received_from: str, source: str = "-"
) -> dict[str, Any]:
    """A STIX 2.1 bundle (JSON dict) for MISP events; ``received_from`` names the partner when an event
    has no creator organisation. ``InputError`` (naming ``source``) if the JSON is not MISP events."""
    builder = _BundleBuilder(received_from)
    for event in load_events(events, source):
        builder.add_event(event)
    return builder.bundle()


class _BundleBuilder:
    def __init__(self, received_from: str) -> None:
        self.received_from = received_from
        self.objects: dict[str, dict[str, Any]] = {}

    def bundle(self) -> dict[str, Any]:
        reports = sorted(key for key in self.objects if key.startswith("report--"))
        # Like every Liaison bundle, it ships the TLP 2.0 definitions and Liaison's extension definitions,
        # so that each marking and each x_opencti_* property resolves inside it.
        shipped = tlp_objects() + [json.loads(obj.serialize()) for obj in extension_objects()]
        return {
            "type": "bundle",
            "id": "bundle--" + deterministic_id("misp-bundle", *reports),
            "objects": shipped + [self.objects[key] for key in sorted(self.objects)],
        }

    def add_event(self, event: MISPEvent) -> None:
        level = _event_tlp(event)
        stamp = _timestamp(event)
        producer = self._producer(event, stamp)
        common = {
            "created": stamp,
            "modified": stamp,
            "created_by_ref": producer,
            "object_marking_refs": [marking_ref(level)],
        }
        shown: dict[str, str] = {}  # MISP object or attribute UUID → STIX ID
        for misp_object in event.objects:
            entity = _object_entity(misp_object)
            if entity is not None:
                own = _stricter(level, misp_object.attributes)
                shown[misp_object.uuid] = self._merge(entity, _marked(common, own), own)
        links = []
        for attribute in event.attributes:
            if attribute.type == "link":
                links.append(_link_reference(attribute))
                continue
            entity = _attribute_entity(attribute)
            if entity is not None:
                own = _stricter(level, [attribute])
                shown[attribute.uuid] = self._merge(entity, _marked(common, own), own)
        relationships = self._relationships(event, shown, common, level)
        uuid = _valid_uuid(getattr(event, "uuid", "")) or deterministic_id(
            "misp-event", event.info, str(getattr(event, "date", ""))
        )
        links.append({"source_name": "misp", "external_id": uuid, "description": "MISP event UUID"})
        refs = sorted(set(shown.values()) | set(relationships)) or [producer]
        report = {
            "type": "report",
            "spec_version": "2.1",
            "id": f"report--{uuid}",
            **common,
            "name": event.info,
            "published": _published(event, stamp),
            "report_types": ["threat-report"],
            "object_refs": refs,
            "external_references": links,
        }
        labels = _labels(event)
        if labels:
            report["labels"] = labels
        self._merge(report, common, level)

    def _producer(self, event: MISPEvent, stamp: str) -> str:
        organisation = getattr(event, "Orgc", None)
        name = getattr(organisation, "name", None) or self.received_from
        uuid = _valid_uuid(getattr(organisation, "uuid", "")) or deterministic_id(
            "misp-organisation", normalise_name(name)
        )
        identity = {
            "type": "identity",
            "spec_version": "2.1",
            "id": f"identity--{uuid}",
            "created": stamp,
            "modified": stamp,
            "name": name,
            "identity_class": "organization",
        }
        known = self.objects.get(identity["id"])
        if known is None:
            self.objects[identity["id"]] = identity
        else:
            known["created"] = min(known["created"], stamp)
            known["modified"] = max(known["modified"], stamp)
        return str(identity["id"])

    def _merge(self, obj: dict[str, Any], common: dict[str, Any], level: TLP) -> str:
        """Add an object; one already added (same entity in another event) keeps the stricter TLP."""
        obj = {**obj, **{key: value for key, value in common.items() if key not in obj}}
        known = self.objects.get(obj["id"])
        if known is None:
            self.objects[obj["id"]] = obj
            return str(obj["id"])
        known["created"] = min(known["created"], obj["created"])
        known["modified"] = max(known["modified"], obj["modified"])
        for key in ("x_opencti_aliases", "roles", "aliases"):
            if key in obj:
                known[key] = sorted(set(known.get(key, [])) | set(obj[key]))
        if level.rank > (tlp_of(known) or TLP.CLEAR).rank:
            known["object_marking_refs"] = obj["object_marking_refs"]
        return str(obj["id"])

    def _relationships(
        self, event: MISPEvent, shown: dict[str, str], common: dict[str, Any], level: TLP
    ) -> list[str]:
        found = []
        for misp_object in event.objects:
            source = shown.get(misp_object.uuid)
            for reference in misp_object.references if source else []:
                target = shown.get(getattr(reference, "referenced_uuid", ""))
                kind = _relationship_type(getattr(reference, "relationship_type", ""))
                if source is None or target is None or not kind or source == target:
                    continue
                relationship: dict[str, Any] = {
                    "type": "relationship",
                    "spec_version": "2.1",
                    "id": "relationship--" + deterministic_id("misp-relationship", source, kind, target),
                    "relationship_type": kind,
                    "source_ref": source,
                    "target_ref": target,
                }
                comment = getattr(reference, "comment", None)
                if isinstance(comment, str) and comment:
                    relationship["description"] = comment
                # As restricted as the stricter of its two ends: it reveals both.
                ends = [tlp_of(self.objects[ref]) or level for ref in (source, target)]
                strictest = max([level, *ends], key=lambda found_level: found_level.rank)
                found.append(self._merge(relationship, _marked(common, strictest), strictest))
        return found


def _tag_levels(tags: list[Any]) -> list[TLP]:
    levels = []
    for tag in tags:
        name = getattr(tag, "name", "")
        if isinstance(name, str) and name.lower().startswith("tlp:"):
            try:
                levels.append(TLP.parse(name))
            except ValueError:
                continue
    return levels


def _stricter(level: TLP, attributes: Sequence[MISPAttribute]) -> TLP:
    """The event's level, or a stricter one tagged on these attributes."""
    levels = [level] + [found for attribute in attributes for found in _tag_levels(attribute.tags)]
    return max(levels, key=lambda found: found.rank)


def _marked(common: dict[str, Any], level: TLP) -> dict[str, Any]:
    return {**common, "object_marking_refs": [marking_ref(level)]}


def _event_tlp(event: MISPEvent) -> TLP:
    levels = _tag_levels(event.tags)
    if levels:
        return max(levels, key=lambda level: level.rank)
    distribution = getattr(event, "distribution", None)
    if distribution == 3:
        return TLP.CLEAR
    return TLP.GREEN if distribution in (1, 2) else TLP.AMBER


def _labels(event: MISPEvent) -> list[str]:
    labels = set()
    for tag in event.tags:
        name = getattr(tag, "name", "")
        if not isinstance(name, str) or not name or name.lower().startswith("tlp:"):
            continue
        topic = _TOPIC_TAG.match(name)
        labels.add(topic.group(1) if topic else name)
    return sorted(labels)


def _stix_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _timestamp(event: MISPEvent) -> str:
    """When the event was last changed in MISP; else its date at midnight (never "now": see module)."""
    stamp = getattr(event, "timestamp", None)
    if isinstance(stamp, datetime):
        return _stix_time(stamp)
    day = getattr(event, "date", None)
    if isinstance(day, date):
        return _stix_time(datetime(day.year, day.month, day.day, tzinfo=UTC))
    return "1970-01-01T00:00:00.000Z"


def _published(event: MISPEvent, stamp: str) -> str:
    day = getattr(event, "date", None)
    if isinstance(day, date):
        return _stix_time(datetime(day.year, day.month, day.day, tzinfo=UTC))
    return stamp


def _valid_uuid(value: Any) -> str | None:
    try:
        return str(UUID(str(value))) if value else None
    except ValueError:
        return None


def _values(misp_object: MISPObject, *relations: str) -> list[str]:
    found: list[str] = []
    for relation in relations:
        for attribute in misp_object.get_attributes_by_relation(relation):
            value = str(attribute.value).strip()
            if value and value not in found:
                found.append(value)
    return found


def _object_entity(misp_object: MISPObject) -> dict[str, Any] | None:
    template = misp_object.name
    if template == "person":
        names = _values(misp_object, "full-name")
        given = " ".join(_values(misp_object, "first-name") + _values(misp_object, "last-name"))
        aliases = _values(misp_object, "alias", "handle")
        name = next(iter([*names, *([given] if given else []), *aliases]), "")
        roles = _values(misp_object, "role", "function", "occupation")
        return _identity("individual", name, [a for a in aliases if a != name], roles)
    if template in ("organization", "legal-entity"):
        names = _values(misp_object, "name", "commercial-name")
        aliases = _values(misp_object, "alias")
        name = (names or aliases or [""])[0]
        identity = _identity("organization", name, [a for a in aliases if a != name], [])
        description = _values(misp_object, "description", "text")
        if identity is not None and description:
            identity["description"] = description[0]
        return identity
    if template == "geolocation":
        return _location(misp_object)
    return None


def _attribute_entity(attribute: MISPAttribute) -> dict[str, Any] | None:
    value = str(attribute.value).strip()
    if attribute.type == "threat-actor" and value:
        actor: dict[str, Any] = {
            "type": "threat-actor",
            "spec_version": "2.1",
            "id": "threat-actor--" + deterministic_id("misp-entity", "threat-actor", normalise_name(value)),
            "name": value,
        }
        comment = getattr(attribute, "comment", "") or ""
        if comment.startswith(_ALIASES_COMMENT):
            actor["aliases"] = [a.strip() for a in comment[len(_ALIASES_COMMENT) :].split(",") if a.strip()]
        return actor
    if attribute.type == "target-org":
        return _identity("organization", value, [], [])
    if attribute.type == "full-name":
        return _identity("individual", value, [], [])
    if attribute.type == "target-location":
        return _location_named(value, "", None, None)
    return None


def _identity(identity_class: str, name: str, aliases: list[str], roles: list[str]) -> dict[str, Any] | None:
    if not name:
        return None
    identity: dict[str, Any] = {
        "type": "identity",
        "spec_version": "2.1",
        "id": "identity--" + deterministic_id("misp-entity", identity_class, normalise_name(name)),
        "name": name,
        "identity_class": identity_class,
    }
    if aliases:
        identity["x_opencti_aliases"] = aliases
        identity["extensions"] = copy.deepcopy(USES_PROPERTIES)
    if roles:
        identity["roles"] = roles
    return identity


def _location(misp_object: MISPObject) -> dict[str, Any] | None:
    def first(relation: str) -> str:
        values = _values(misp_object, relation)
        return values[0] if values else ""

    def coordinate(relation: str) -> float | None:
        try:
            return float(first(relation)) if first(relation) else None
        except ValueError:
            return None

    name, kind = "", ""
    for relation, location_type in (("city", "City"), ("region", "Region"), ("country", "Country")):
        if first(relation):
            name, kind = first(relation), location_type
            break
    name = name or first("text") or first("address")
    code = first("countrycode")
    if not name and code:
        name, kind = code, "Country"
    return _location_named(name, code, coordinate("latitude"), coordinate("longitude"), kind)


def _location_named(
    name: str, code: str, latitude: float | None, longitude: float | None, kind: str = ""
) -> dict[str, Any] | None:
    """A STIX ``location``; STIX 2.1 §4.10 needs a region, a country or both coordinates."""
    if not name:
        return None
    if not code and kind in ("", "Country"):
        try:
            code = pycountry.countries.lookup(name).alpha_2
            kind = "Country"
        except LookupError:
            code = ""
    has_point = latitude is not None and longitude is not None
    if not code and not has_point:
        return None
    location: dict[str, Any] = {
        "type": "location",
        "spec_version": "2.1",
        "id": "location--" + deterministic_id("misp-entity", "location", kind, normalise_name(name), code),
        "name": name,
    }
    if code:
        location["country"] = code.upper()
    if has_point:
        location["latitude"], location["longitude"] = latitude, longitude
    if kind:
        location["x_opencti_location_type"] = kind
        location["extensions"] = copy.deepcopy(USES_PROPERTIES)
    return location


def _link_reference(attribute: MISPAttribute) -> dict[str, Any]:
    url = str(attribute.value).strip()
    # OpenCTI shows source_name as the reference's title: the site says more than "link".
    reference = {"source_name": urlsplit(url).hostname or "link", "url": url}
    comment = getattr(attribute, "comment", "") or ""
    if comment:
        reference["description"] = comment
    return reference


def _relationship_type(value: Any) -> str:
    """MISP's free relationship names as STIX relationship types (lowercase ASCII words and hyphens)."""
    return re.sub(r"[^a-z0-9]+", "-", str(value or "").lower()).strip("-")
