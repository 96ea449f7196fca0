"""MISP events from a Liaison STIX bundle, and STIX bundles from MISP events, with PyMISP.

Export (``bundle_to_misp_events``): one MISP event per Liaison event (``x-liaison-event``) or per report.

- ``info``, ``date``: the event's name, codes, place and date; a report's title and publication date.
- ``threat_level_id`` 4 (undefined) and ``analysis`` 0 (initial): Liaison reads reporting automatically and
  assesses no threat, so claiming a level or a completed analysis would mislead the recipient.
- ``distribution`` from the TLP level, conservatively (MISP has no official mapping): CLEAR → 3 (all
  communities), GREEN → 1 (this community only: TLP:GREEN stays within the recipient's community),
  AMBER, AMBER+STRICT and RED → 0 (the recipient's organisation only). The ``tlp:…`` tag of MISP's
  ``tlp`` taxonomy (``tlp:clear``, ``tlp:amber+strict``, …) carries the exact level. The event gets the
  level of its Liaison event or report; an object or attribute marked more restrictively in the bundle
  (an entity also named in a TLP:RED report) gets its own lower distribution and ``tlp:`` tag.
- People, organisations and places become MISP objects from the templates shipped with MISP: ``person``
  (``full-name``, ``alias``, ``role``), ``organization`` (``name``, ``alias``, ``description``) and
  ``geolocation`` (``country``/``city``/``region``, ``countrycode``, ``latitude``, ``longitude``), so that
  they keep their aliases and roles; the ``target-*`` attribute types would wrongly say they were
  targeted. Criminal and terrorist groups are ``threat-actor`` attributes (category Attribution), the
  type MISP correlates actors on.
- The Liaison event is an ``event`` object (MISP's template for the STIX 2.1 incident event: ``name``,
  ``event_type`` with the PLOVER and CAMEO codes, ``status``, ``start_time``), with object references to
  its participants (relationship = their role: actor, recipient, host, …) and ``located-at`` its place.
  STIX relationships between the entities become object references too.
- Each source report is a ``link`` attribute (its URL; category External analysis), each evidence sentence
  and each figure a ``text`` attribute whose comment names the report.
- Topics are tags ``liaison:topic="…"``; the creator of the Liaison event or report (the producing
  organisation, or the partner it was received from) is the event's ``Orgc``.

Every UUID is a UUIDv5 over the bundle's STIX IDs, so exporting the same bundle twice gives identical JSON.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any, Literal

from pymisp import MISPAttribute, MISPEvent, MISPObject, MISPOrganisation

from liaison.domain import TLP, deterministic_id
from liaison.share.bundle_index import (
    EVENT_TYPE,
    BundleIndex,
    aliases_of,
    entity_kind,
    text_of,
    texts_of,
    uuid_part,
)
from liaison.share.misp_import import misp_events_to_bundle, read_misp_json

__all__ = ["DISTRIBUTION_FOR_TLP", "bundle_to_misp_events", "misp_events_to_bundle", "read_misp_json"]

DISTRIBUTION_FOR_TLP: dict[TLP, int] = {
    TLP.CLEAR: 3,
    TLP.GREEN: 1,
    TLP.AMBER: 0,
    TLP.AMBER_STRICT: 0,
    TLP.RED: 0,
}
THREAT_LEVEL_UNDEFINED = 4
ANALYSIS_INITIAL = 0
TOPIC_TAG = 'liaison:topic="{}"'


def bundle_to_misp_events(
    bundle: dict[str, Any], per: Literal["event", "report"] = "event"
) -> list[dict[str, Any]]:
    """MISP events (``{"Event": {...}}`` documents) for a bundle: one per Liaison event or per report."""
    index = BundleIndex(bundle)
    if per == "event":
        events = [_event_for_liaison_event(index, event) for event in index.of_type(EVENT_TYPE)]
    elif per == "report":
        events = [_event_for_report(index, report) for report in index.of_type("report")]
    else:
        raise ValueError(f"per must be 'event' or 'report', not {per!r}")
    events.sort(key=lambda event: (event.date, event.uuid))
    # to_dict() leaves PyMISP objects nested inside; to_json() is what MISP itself would be sent.
    return [{"Event": json.loads(event.to_json())} for event in events]


class _EventBuilder:
    """One MISP event under construction, with UUIDs derived from its own and the STIX objects' IDs."""

    def __init__(self, index: BundleIndex, key: str, stix_obj: dict[str, Any]) -> None:
        self.index = index
        self.event = MISPEvent()
        self.event.uuid = deterministic_id("misp-event", key, stix_obj["id"])
        self.event.threat_level_id = THREAT_LEVEL_UNDEFINED
        self.event.analysis = ANALYSIS_INITIAL
        self.level = index.tlp(stix_obj)
        self.event.distribution = DISTRIBUTION_FOR_TLP[self.level]
        self.event.add_tag(f"tlp:{self.level.value}")
        # The creator of what this event shows (a partner, for objects received from one), else the
        # organisation that produced the bundle.
        producer = index.get(text_of(stix_obj.get("created_by_ref"))) or index.producer()
        if producer is not None:
            organisation = MISPOrganisation()
            organisation.name = text_of(producer.get("name")) or "Liaison"
            organisation.uuid = uuid_part(producer["id"])
            self.event.Orgc = organisation
        self.objects: dict[str, str] = {}  # STIX ID → UUID of the MISP object or attribute that shows it
        self._attributes: set[tuple[str, str, str]] = set()

    def tag_topics(self, labels: list[str]) -> None:
        for label in sorted(set(labels)):
            self.event.add_tag(TOPIC_TAG.format(label.replace('"', "'")))

    def add_attribute(self, kind: str, value: str, comment: str, marked_by: dict[str, Any] | None) -> None:
        """A standalone attribute, once per (type, value, comment); empty values are left out."""
        value = value.strip()
        key = (kind, value, comment)
        if not value or key in self._attributes:
            return
        self._attributes.add(key)
        uuid = deterministic_id("misp-attribute", self.event.uuid, kind, value, comment)
        attribute = self.event.add_attribute(kind, value, comment=comment, uuid=uuid)
        if isinstance(attribute, MISPAttribute) and marked_by is not None:
            self._restrict(attribute, [attribute], self.index.tlp(marked_by))

    def _restrict(
        self, holder: MISPAttribute | MISPObject, attributes: Sequence[MISPAttribute], level: TLP
    ) -> None:
        """Mark what is more restricted than its event: MISP keeps the lowest distribution of the event
        and of the object or attribute, and the tag says which TLP level applies (MISP's practice: tag the
        event, and only the exceptions below it)."""
        if level.rank <= self.level.rank:
            return
        holder.distribution = DISTRIBUTION_FOR_TLP[level]
        for attribute in attributes:
            attribute.add_tag(f"tlp:{level.value}")

    def add_entity(self, stix_id: str) -> str | None:
        """The MISP object (or attribute) for an entity, added once; its UUID, or None if not an entity."""
        if stix_id in self.objects:
            return self.objects[stix_id]
        obj = self.index.get(stix_id)
        if obj is None:
            return None
        name = text_of(obj.get("name"))
        if obj["type"] in ("threat-actor", "intrusion-set") and name:
            uuid = deterministic_id("misp-attribute", self.event.uuid, stix_id)
            aliases = aliases_of(obj)
            comment = f"also known as {', '.join(aliases)}" if aliases else ""
            attribute = self.event.add_attribute("threat-actor", name, comment=comment, uuid=uuid)
            if isinstance(attribute, MISPAttribute):
                self._restrict(attribute, [attribute], self.index.tlp(obj))
            self.objects[stix_id] = uuid
            return uuid
        misp_object = _entity_object(obj)
        if misp_object is None:
            return None
        self._add_object(misp_object, obj)
        return self.objects[stix_id]

    def _add_object(self, misp_object: MISPObject, stix_obj: dict[str, Any]) -> None:
        misp_object.uuid = deterministic_id("misp-object", self.event.uuid, stix_obj["id"])
        for attribute in misp_object.attributes:
            attribute.uuid = deterministic_id(
                "misp-attribute", misp_object.uuid, attribute.object_relation, str(attribute.value)
            )
        self._restrict(misp_object, misp_object.attributes, self.index.tlp(stix_obj))
        self.event.add_object(misp_object)
        self.objects[stix_obj["id"]] = misp_object.uuid

    def add_reference(self, source: str, target: str, relationship: str, comment: str = "") -> None:
        """An object reference from the MISP object shown for ``source`` to what shows ``target``."""
        source_uuid, target_uuid = self.objects.get(source), self.objects.get(target)
        if source_uuid is None or target_uuid is None:
            return
        for misp_object in self.event.objects:
            if misp_object.uuid == source_uuid:
                uuid = deterministic_id("misp-reference", source_uuid, target_uuid, relationship)
                if all(ref.uuid != uuid for ref in misp_object.references):
                    misp_object.add_reference(target_uuid, relationship, comment=comment or None, uuid=uuid)
                return

    def add_relationships(self) -> None:
        """STIX relationships whose two ends are both in this event, as object references."""
        for rel in self.index.relationships(among=self.objects):
            self.add_reference(
                rel["source_ref"],
                rel["target_ref"],
                text_of(rel.get("relationship_type")) or "related-to",
                text_of(rel.get("description")),
            )

    def add_liaison_event(self, event: dict[str, Any]) -> None:
        """The ``event`` object for a Liaison event, its participants, place and evidence."""
        misp_object = MISPObject("event", standalone=False)
        misp_object.add_attribute("name", value=text_of(event.get("name")) or "event")
        for code in [text_of(event.get("event_type")), *_event_codes(event)]:
            if code:
                misp_object.add_attribute("event_type", value=code)
        misp_object.add_attribute("status", value=text_of(event.get("status")) or "unknown")
        start = _parse_date(text_of(event.get("date")))
        if start:
            misp_object.add_attribute("start_time", value=start.isoformat())
        self._add_object(misp_object, event)
        for ref, role in self.index.participants(event):
            if self.add_entity(ref):
                self.add_reference(event["id"], ref, role)
        place = text_of(event.get("location_ref"))
        if place and self.add_entity(place):
            self.add_reference(event["id"], place, "located-at")

    def add_evidence(self, event: dict[str, Any], only_report: str | None = None) -> None:
        for report_id, text in self.index.evidence(event):
            if only_report is None or report_id == only_report:
                label = self._report_label(report_id)
                self.add_attribute("text", text, f"evidence from {label}", self.index.get(report_id))

    def add_source(self, report_id: str) -> None:
        report = self.index.get(report_id)
        if report is None:
            return
        for url in self.index.source_urls(report):
            self.add_attribute("link", url, f"source: {self._report_label(report_id)}", report)

    def add_claims(self, report_ids: list[str]) -> None:
        for report_id in report_ids:
            for note in self.index.claims_in(report_id):
                comment = f"figure in {self._report_label(report_id)}"
                evidence = text_of(note.get("content"))
                if evidence:
                    comment += f": “{evidence}”"
                self.add_attribute("text", _claim_text(note), comment, note)

    def _report_label(self, report_id: str) -> str:
        report = self.index.get(report_id)
        if report is None:
            return report_id
        published = text_of(report.get("published"))[:10]
        title = text_of(report.get("name")) or report_id
        return f"{title} ({published}, {report_id})" if published else f"{title} ({report_id})"


def _event_for_liaison_event(index: BundleIndex, event: dict[str, Any]) -> MISPEvent:
    builder = _EventBuilder(index, "event", event)
    reports = index.event_reports(event)
    builder.event.info = _event_info(index, event)
    builder.event.set_date(_event_date(event, index, reports))
    topics = texts_of(event.get("topics")) or texts_of(event.get("labels"))
    builder.tag_topics(topics or _report_labels(index, reports))
    builder.add_liaison_event(event)
    builder.add_relationships()
    builder.add_evidence(event)
    for report_id in reports:
        builder.add_source(report_id)
    builder.add_claims(reports)
    return builder.event


def _event_for_report(index: BundleIndex, report: dict[str, Any]) -> MISPEvent:
    builder = _EventBuilder(index, "report", report)
    builder.event.info = text_of(report.get("name")) or report["id"]
    builder.event.set_date(_parse_date(text_of(report.get("published"))) or _created_date(report))
    builder.tag_topics(texts_of(report.get("labels")))
    builder.add_source(report["id"])
    for ref in texts_of(report.get("object_refs")):
        builder.add_entity(ref)
    for event in index.events_in(report["id"]):
        builder.add_liaison_event(event)
        builder.add_evidence(event, only_report=report["id"])
    builder.add_relationships()
    builder.add_claims([report["id"]])
    return builder.event


def _entity_object(obj: dict[str, Any]) -> MISPObject | None:
    """A ``person``, ``organization`` or ``geolocation`` object for a STIX entity (None for others)."""
    name = text_of(obj.get("name"))
    if not name:
        return None
    kind = obj["type"]
    if kind == "identity" and entity_kind(obj) == "person":
        misp_object = MISPObject("person", standalone=False)
        misp_object.add_attribute("full-name", value=name)
        for alias in aliases_of(obj):
            misp_object.add_attribute("alias", value=alias)
        for role in texts_of(obj.get("roles")):
            misp_object.add_attribute("role", value=role)
        return misp_object
    if kind == "identity":
        misp_object = MISPObject("organization", standalone=False)
        misp_object.add_attribute("name", value=name)
        for alias in aliases_of(obj):
            misp_object.add_attribute("alias", value=alias)
        if text_of(obj.get("description")):
            misp_object.add_attribute("description", value=obj["description"])
        return misp_object
    if kind == "location":
        return _geolocation(obj, name)
    return None


def _geolocation(obj: dict[str, Any], name: str) -> MISPObject:
    misp_object = MISPObject("geolocation", standalone=False)
    kinds = {"country": "country", "city": "city", "region": "region", "administrative-area": "region"}
    relation = kinds.get(entity_kind(obj), "text")
    misp_object.add_attribute(relation, value=name)
    country = text_of(obj.get("country"))
    if len(country) == 2:
        misp_object.add_attribute("countrycode", value=country.upper())
    for coordinate in ("latitude", "longitude"):
        value = obj.get(coordinate)
        if isinstance(value, int | float) and not isinstance(value, bool):
            misp_object.add_attribute(coordinate, value=str(value))
    return misp_object


def _event_codes(event: dict[str, Any]) -> list[str]:
    """``PLOVER COERCE/arrest`` and ``CAMEO 173``, for those the event has."""
    codes = []
    if text_of(event.get("plover")):
        mode = text_of(event.get("plover_mode"))
        codes.append(f"PLOVER {event['plover']}/{mode}" if mode else f"PLOVER {event['plover']}")
    if text_of(event.get("cameo")):
        codes.append(f"CAMEO {event['cameo']}")
    return codes


def _event_info(index: BundleIndex, event: dict[str, Any]) -> str:
    """``arrest (PLOVER COERCE/arrest, CAMEO 173): Europol, LockBit — Poland, 2024-02-20``."""
    # The event type, not the name: Liaison names events "arrest, 2024-02-20" and the date comes last.
    name = text_of(event.get("event_type")) or text_of(event.get("name")) or "event"
    codes = ", ".join(_event_codes(event))
    info = f"{name} ({codes})" if codes else name
    people = [index.name(ref) for ref, _ in index.participants(event)]
    if people:
        info += ": " + ", ".join(people[:5]) + (", …" if len(people) > 5 else "")
    where_when = [part for part in (_place_name(index, event), text_of(event.get("date"))) if part]
    return info + (" — " + ", ".join(where_when) if where_when else "")


def _place_name(index: BundleIndex, event: dict[str, Any]) -> str:
    place = text_of(event.get("location_ref"))
    return index.name(place) if place else ""


def _event_date(event: dict[str, Any], index: BundleIndex, reports: list[str]) -> date:
    """The event's date; a partial one (``2024-02``) is its first day; else its first report's date."""
    parsed = _parse_date(text_of(event.get("date")))
    if parsed:
        return parsed
    for report_id in reports:
        report = index.get(report_id)
        published = _parse_date(text_of(report.get("published"))) if report else None
        if published:
            return published
    return _created_date(event)


def _parse_date(value: str) -> date | None:
    """``2024-02-20``, ``2024-02-20T…``, ``2024-02`` or ``2024`` (TIMEX3 values) as a date."""
    for candidate, suffix in ((value[:10], ""), (value[:7], "-01"), (value[:4], "-01-01")):
        try:
            return date.fromisoformat(candidate + suffix)
        except ValueError:
            continue
    return None


def _created_date(obj: dict[str, Any]) -> date:
    # Every STIX object has `created`; 1970 only for a malformed one, rather than today's date, which
    # would make two exports of the same bundle differ.
    return _parse_date(text_of(obj.get("created"))) or date(1970, 1, 1)


def _report_labels(index: BundleIndex, reports: list[str]) -> list[str]:
    labels: list[str] = []
    for report_id in reports:
        report = index.get(report_id)
        labels += texts_of(report.get("labels")) if report else []
    return labels


def _claim_text(note: dict[str, Any]) -> str:
    """``cryptocurrency accounts: about 200 cryptocurrency accounts (2024)`` from a note's figure."""
    claim = BundleIndex.claim(note) or {}
    value = claim.get("value")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    parts = [text_of(claim.get("qualifier")), "" if value is None else str(value), text_of(claim.get("unit"))]
    text = " ".join(part for part in parts if part)
    period = text_of(claim.get("period"))
    subject = text_of(claim.get("subject")) or text_of(note.get("abstract"))
    if subject and subject not in text:
        text = f"{subject}: {text}"
    return f"{text} ({period})" if period else text
