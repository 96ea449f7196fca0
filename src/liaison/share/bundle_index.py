"""Read a Liaison STIX 2.1 bundle (a JSON dict) for the non-STIX formats: MISP, CSV and GraphML.

The converters work on the bundle, not on the store, so that every format carries exactly what the STIX
export carries, filtered and marked the same way. Reading is tolerant: unknown object types and missing
optional properties are skipped, since partners' bundles and older exports may lack them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from liaison.domain import TLP
from liaison.share.markings import MARKING_IDS, TLP1_MARKING_IDS, TLP_EXTENSION_ID, well_known_ids

# TLP 2.0 and, in partners' bundles, TLP 1.0 marking definitions are known by their published IDs.
_KNOWN_MARKINGS: dict[str, TLP] = {
    **{marking_id: level for level, marking_id in MARKING_IDS.items()},
    **TLP1_MARKING_IDS,
}

EVENT_TYPE = "x-liaison-event"
ENTITY_TYPES = ("identity", "threat-actor", "intrusion-set", "location")


def text_of(value: Any) -> str:
    """A property as text: strings as they are, anything else (missing, null, a list) as ``""``."""
    return value if isinstance(value, str) else ""


def texts_of(value: Any) -> list[str]:
    """A list property's strings, skipping anything that is not a non-empty string."""
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, str) and item]


def uuid_part(stix_id: str) -> str:
    """``identity--1234…`` → ``1234…``."""
    return stix_id.partition("--")[2]


class BundleIndex:
    """The objects of one bundle by ID and by type, with the questions every format asks of them."""

    def __init__(self, bundle: dict[str, Any]) -> None:
        objects = bundle.get("objects") if isinstance(bundle, dict) else None
        self.objects: dict[str, dict[str, Any]] = {}
        for obj in objects if isinstance(objects, list) else []:
            if isinstance(obj, dict) and isinstance(obj.get("id"), str) and isinstance(obj.get("type"), str):
                # A bundle may carry several versions of an object; the latest `modified` is current.
                known = self.objects.get(obj["id"])
                if known is None or text_of(obj.get("modified")) >= text_of(known.get("modified")):
                    self.objects[obj["id"]] = obj
        self._cited_by: dict[str, set[str]] = defaultdict(set)
        for report in self.of_type("report"):
            for ref in texts_of(report.get("object_refs")):
                self._cited_by[ref].add(report["id"])
        # Indexed once: a large export has thousands of reports, events and figures.
        self._events_in: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for event in self.of_type(EVENT_TYPE):
            for report_id in self.event_reports(event):
                self._cited_by[event["id"]].add(report_id)
                self._events_in[report_id].append(event)
        self._claims_in: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for note in self.claims():
            self._claims_in[self.claim_report(note)].append(note)

    def of_type(self, *types: str) -> list[dict[str, Any]]:
        """Objects of these types, in ID order (so that every output is deterministic)."""
        return [self.objects[key] for key in sorted(self.objects) if self.objects[key]["type"] in types]

    def entities(self) -> list[dict[str, Any]]:
        """The people, organisations, groups and places reported on, in ID order. Authors are not: the
        producing organisation, the Liaison project (author of its extensions), CISA (author of TLP 2.0)
        and a partner whose objects were received all appear as some object's ``created_by_ref``."""
        authors = {text_of(obj.get("created_by_ref")) for obj in self.objects.values()}
        skip = well_known_ids() | authors
        return [obj for obj in self.of_type(*ENTITY_TYPES) if obj["id"] not in skip]

    def get(self, stix_id: str) -> dict[str, Any] | None:
        return self.objects.get(stix_id)

    def name(self, stix_id: str) -> str:
        """The object's name, or its ID when the bundle does not hold it (a dangling reference)."""
        obj = self.objects.get(stix_id)
        return (text_of(obj.get("name")) or stix_id) if obj else stix_id

    def tlp(self, obj: dict[str, Any]) -> TLP:
        """The most restrictive TLP level among the object's markings; unmarked objects are CLEAR."""
        levels = [self._marking_level(ref) for ref in texts_of(obj.get("object_marking_refs"))]
        known = [level for level in levels if level is not None]
        return max(known, key=lambda level: level.rank, default=TLP.CLEAR)

    def _marking_level(self, marking_id: str) -> TLP | None:
        if marking_id in _KNOWN_MARKINGS:
            return _KNOWN_MARKINGS[marking_id]
        marking = self.objects.get(marking_id)
        if marking is None:
            return None
        candidates: list[str] = []
        extensions = marking.get("extensions")
        if isinstance(extensions, dict):
            extension = extensions.get(TLP_EXTENSION_ID)
            if isinstance(extension, dict):
                candidates.append(text_of(extension.get("tlp_2_0")))
        definition = marking.get("definition")
        if marking.get("definition_type") == "tlp" and isinstance(definition, dict):
            candidates.append(text_of(definition.get("tlp")))
        candidates.append(text_of(marking.get("name")))
        for candidate in candidates:
            try:
                return TLP.parse(candidate)
            except ValueError:
                continue
        return None

    def reports_citing(self, stix_id: str) -> list[str]:
        """IDs of the reports that reference the object (for an event: that give its evidence)."""
        return sorted(self._cited_by.get(stix_id, ()))

    def event_reports(self, event: dict[str, Any]) -> list[str]:
        """The reports an event's evidence comes from, in order of first citation."""
        seen: dict[str, None] = {}
        for item in self.evidence(event):
            seen.setdefault(item[0], None)
        return [report for report in seen if report]

    @staticmethod
    def evidence(event: dict[str, Any]) -> Iterator[tuple[str, str]]:
        """``(report_ref, text)`` for each evidence item of an ``x-liaison-event``."""
        items = event.get("evidence")
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict):
                yield text_of(item.get("report_ref")), text_of(item.get("text"))

    @staticmethod
    def participants(event: dict[str, Any]) -> list[tuple[str, str]]:
        """``(entity_ref, role)`` for each participant of an ``x-liaison-event`` (role: participant if
        unsaid); ``ref`` is read too, and a bare ID string."""
        items = event.get("participants")
        found: list[tuple[str, str]] = []
        for item in items if isinstance(items, list) else []:
            if isinstance(item, str) and item:
                found.append((item, "participant"))
            elif isinstance(item, dict):
                ref = text_of(item.get("entity_ref")) or text_of(item.get("ref"))
                if ref:
                    found.append((ref, text_of(item.get("role")) or "participant"))
        return found

    def claims(self) -> list[dict[str, Any]]:
        """The ``note`` objects that carry a figure (``x_liaison_value`` and the other ``x_liaison_*``)."""
        return [note for note in self.of_type("note") if self.claim(note) is not None]

    @staticmethod
    def claim(note: dict[str, Any]) -> dict[str, Any] | None:
        """A note's figure as ``{subject, value, qualifier, unit, period}``, or None if it has none."""
        if "x_liaison_value" in note or "x_liaison_unit" in note:
            keys = ("subject", "value", "qualifier", "unit", "period")
            return {key: note.get(f"x_liaison_{key}") for key in keys}
        nested = note.get("x_liaison_claim")  # the shape planned before the STIX mapping settled
        return dict(nested) if isinstance(nested, dict) else None

    def events_in(self, report_id: str) -> list[dict[str, Any]]:
        """The events a report gives evidence for, in ID order."""
        return list(self._events_in.get(report_id, ()))

    def claims_in(self, report_id: str) -> list[dict[str, Any]]:
        """The figures read in a report, in ID order."""
        return list(self._claims_in.get(report_id, ()))

    def claim_report(self, note: dict[str, Any]) -> str:
        """The report a claim was read in: its first referenced report."""
        refs = texts_of(note.get("object_refs"))
        return next((ref for ref in refs if ref.startswith("report--")), "")

    def source_urls(self, report: dict[str, Any]) -> list[str]:
        """The report's source URLs from its external references."""
        refs = report.get("external_references")
        found = [ref for ref in refs if isinstance(ref, dict)] if isinstance(refs, list) else []
        return [text_of(ref.get("url")) for ref in found if text_of(ref.get("url"))]

    def relationships(self, among: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """Relationships (in ID order), limited to those whose two ends are both in ``among`` if given."""
        keep = set(among) if among is not None else None
        found = []
        for rel in self.of_type("relationship"):
            source, target = text_of(rel.get("source_ref")), text_of(rel.get("target_ref"))
            if not source or not target:
                continue
            if keep is None or (source in keep and target in keep):
                found.append(rel)
        return found

    def producer(self) -> dict[str, Any] | None:
        """The producing organisation: the identity most objects name as ``created_by_ref``."""
        counts: dict[str, int] = defaultdict(int)
        for obj in self.objects.values():
            creator = text_of(obj.get("created_by_ref"))
            if creator in self.objects:
                counts[creator] += 1
        if not counts:
            return None
        best = min(counts, key=lambda key: (-counts[key], key))
        return self.objects[best]


def entity_kind(obj: dict[str, Any]) -> str:
    """What an entity object is, in Liaison's words: person, organization, country, city, region, …"""
    kind = obj.get("type")
    if kind == "identity":
        identity_class = text_of(obj.get("identity_class"))
        return "person" if identity_class == "individual" else identity_class or "organization"
    if kind == "location":
        location_type = text_of(obj.get("x_opencti_location_type")).lower()
        if location_type:
            return location_type
        return "country" if obj.get("country") and not obj.get("city") else "location"
    return text_of(kind)


def aliases_of(obj: dict[str, Any]) -> list[str]:
    """Aliases in OpenCTI's property and STIX's own (threat actors), without the name itself."""
    name = text_of(obj.get("name"))
    seen: dict[str, None] = {}
    for alias in texts_of(obj.get("x_opencti_aliases")) + texts_of(obj.get("aliases")):
        if alias != name:
            seen.setdefault(alias, None)
    return list(seen)
