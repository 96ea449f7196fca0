"""A ``ShareableSet`` as one STIX 2.1 bundle, deterministic to the byte.

- report → ``report``: ``published``, ``object_refs`` (everything read in it), ``description`` (its
  text), topics as ``labels``, ``lang``, the source URL as an external reference;
- person, organisation, place → ``identity``, ``threat-actor``, ``location`` (``stix_entities``);
- role → ``relationship``: individual ``part-of`` organisation, individual ``located-at`` country
  (OpenCTI's conventions), titles in ``description``, evidence in ``x_liaison_evidence``;
- event → ``x-liaison-event`` (``liaison.share.extensions``);
- figure (claim) → ``note``: ``abstract``, ``content`` (the sentence), ``object_refs`` to the report and
  the subject, the figure in ``x_liaison_value``, ``x_liaison_unit`` …;
- syndicated copy → ``relationship``: copy ``derived-from`` original;
- the producing organisation (``Settings.organization_name``) → ``identity``, the ``created_by_ref`` of
  everything Liaison made.

Every object carries the TLP 2.0 marking of its reports (``liaison.store.sharing``). IDs are UUIDv5 over
canonical keys — mostly the Liaison ID of what the object shows — and ``created``/``modified`` come from
stored timestamps, so exporting twice gives the same bytes. A reference to an object that is not in the
bundle (left out by a filter, or not shareable) is dropped, never left dangling.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from stix2.v21 import Identity, Note, Relationship, Report

from liaison.domain import (
    TLP,
    ShareableClaim,
    ShareableEvent,
    ShareableReport,
    ShareableRole,
    ShareableSet,
    deterministic_id,
    normalise_name,
)
from liaison.share.extensions import EXTENSIONS_DEFINED, USES_PROPERTIES, LiaisonEvent, extension_objects
from liaison.share.markings import marking_ref, tlp_objects, tlp_of
from liaison.share.stix_entities import entity_object
from liaison.share.stix_json import bundle_id_for, ordered, references, timestamp, version_key

JsonObject = dict[str, Any]


def producer_id_for(organization: str) -> str:
    """The identity ID of the organisation that produces bundles (the same for the same name)."""
    return "identity--" + deterministic_id("stix-organization", normalise_name(organization))


def producer_identity(organization: str) -> Identity:
    return Identity(
        id=producer_id_for(organization),
        created=EXTENSIONS_DEFINED,
        modified=EXTENSIONS_DEFINED,
        name=organization,
        identity_class="organization",
        object_marking_refs=[marking_ref(TLP.CLEAR)],
    )


def _most_restrictive(levels: Iterable[TLP]) -> TLP:
    return max(levels, key=lambda level: level.rank, default=TLP.CLEAR)


def _as_json(stix_object: Any) -> JsonObject:
    """A stix2 object, or a plain dict, as a JSON object in Liaison's key order."""
    data = stix_object if isinstance(stix_object, dict) else json.loads(stix_object.serialize())
    return dict(ordered(data))


class _Builder:
    """Maps one ShareableSet; holds what was mapped so that references can be checked."""

    def __init__(self, shareable: ShareableSet, organization: str) -> None:
        self.shareable = shareable
        self.producer = producer_id_for(organization)
        self.report_ids = {r.id: f"report--{r.id}" for r in shareable.reports}
        self.entity_ids: dict[str, str] = {}
        self.objects: list[JsonObject] = [
            _as_json(producer_identity(organization)),
            *(_as_json(o) for o in extension_objects()),
            *(_as_json(o) for o in tlp_objects()),
        ]
        # report ID -> STIX IDs read in it, for the report's object_refs
        self.read_in: dict[str, set[str]] = {r.id: set() for r in shareable.reports}

    def build(self) -> list[JsonObject]:
        for entity in self.shareable.entities:
            made = entity_object(entity, self.producer)
            if made is not None:
                self.entity_ids[entity.id] = made.id
                self.objects.append(_as_json(made))
                for report_id in entity.report_ids:
                    self._read(report_id, made.id)
        self._roles(self.shareable.roles)
        for event in self.shareable.events:
            self._event(event)
        for claim in self.shareable.claims:
            self._claim(claim)
        for report in self.shareable.reports:
            self._report(report)
        return self.objects

    def _read(self, report_id: str, stix_id: str) -> None:
        if report_id in self.read_in:
            self.read_in[report_id].add(stix_id)

    def _roles(self, roles: Sequence[ShareableRole]) -> None:
        grouped: dict[tuple[str, str, str], list[ShareableRole]] = {}
        for role in roles:
            person = self.entity_ids.get(role.person_id, "")
            if not person.startswith("identity--"):
                continue
            organization = self.entity_ids.get(role.organization_id or "")
            if organization and not organization.startswith("location--"):
                grouped.setdefault(("part-of", person, organization), []).append(role)
            country = self.entity_ids.get(role.country_id or "")
            if country and country.startswith("location--"):
                grouped.setdefault(("located-at", person, country), []).append(role)
        for (kind, source, target), found in sorted(grouped.items()):
            stix_id = "relationship--" + deterministic_id("stix-relationship", kind, source, target)
            evidence = sorted({(self.report_ids[r.report_id], r.evidence) for r in found})
            self.objects.append(
                _as_json(
                    Relationship(
                        id=stix_id,
                        created_by_ref=self.producer,
                        created=timestamp(min(r.ingested_at for r in found)),
                        modified=timestamp(max(r.ingested_at for r in found)),
                        relationship_type=kind,
                        source_ref=source,
                        target_ref=target,
                        description="; ".join(sorted({r.title for r in found})),
                        object_marking_refs=[marking_ref(_most_restrictive(r.tlp for r in found))],
                        x_liaison_evidence=[{"report_ref": ref, "text": text} for ref, text in evidence],
                        extensions=USES_PROPERTIES,
                        allow_custom=True,
                    )
                )
            )
            for role in found:
                self._read(role.report_id, stix_id)

    def _event(self, event: ShareableEvent) -> None:
        stix_id = f"x-liaison-event--{event.id}"
        participants = [
            {"entity_ref": self.entity_ids[entity_id], "role": role}
            for entity_id, role in event.participants
            if entity_id in self.entity_ids
        ]
        evidence = sorted({(self.report_ids[r], text) for r, text in event.sources if r in self.report_ids})
        if not evidence:  # an event is shared with the sentences that support it, or not at all
            return
        location = self.entity_ids.get(event.location_id or "", "")
        optional: dict[str, Any] = {
            "plover_mode": event.plover_mode,
            "cameo": event.cameo,
            "date": event.date,
            "date_precision": event.date_precision,
            "location_ref": location if location.startswith("location--") else None,
            "topics": list(event.topics) or None,
            "participants": sorted(participants, key=lambda p: (p["entity_ref"], p["role"])) or None,
        }
        self.objects.append(
            _as_json(
                LiaisonEvent(
                    id=stix_id,
                    created_by_ref=self.producer,
                    created=timestamp(event.created_at),
                    modified=timestamp(event.modified_at),
                    name=f"{event.type}, {event.date}" if event.date else event.type,
                    event_type=event.type,
                    plover=event.plover,
                    status=event.status,
                    confidence=round(event.confidence * 100),
                    evidence=[{"report_ref": ref, "text": text} for ref, text in evidence],
                    object_marking_refs=[marking_ref(event.tlp)],
                    **{key: value for key, value in optional.items() if value is not None},
                )
            )
        )
        for report_id, _ in event.sources:
            self._read(report_id, stix_id)

    def _claim(self, claim: ShareableClaim) -> None:
        stix_id = f"note--{claim.id}"
        value: int | float = int(claim.value) if claim.value.is_integer() else claim.value
        figure = " ".join(p for p in (claim.qualifier, f"{value:,}", claim.unit) if p)
        refs = [self.report_ids[claim.report_id]]
        subject = self.entity_ids.get(claim.subject_id or "")
        if subject:
            refs.append(subject)
        optional = {"x_liaison_qualifier": claim.qualifier, "x_liaison_period": claim.period}
        self.objects.append(
            _as_json(
                Note(
                    id=stix_id,
                    created_by_ref=self.producer,
                    created=timestamp(claim.ingested_at),
                    modified=timestamp(claim.ingested_at),
                    abstract=f"{claim.subject}: {figure}" + (f" ({claim.period})" if claim.period else ""),
                    content=claim.evidence,
                    object_refs=sorted(refs),
                    object_marking_refs=[marking_ref(claim.tlp)],
                    x_liaison_value=value,
                    x_liaison_unit=claim.unit,
                    x_liaison_subject=claim.subject,
                    **{key: item for key, item in optional.items() if item is not None},
                    extensions=USES_PROPERTIES,
                    allow_custom=True,
                )
            )
        )
        self._read(claim.report_id, stix_id)

    def _report(self, report: ShareableReport) -> None:
        stix_id = self.report_ids[report.id]
        published = (
            datetime(report.published.year, report.published.month, report.published.day, tzinfo=UTC)
            if report.published
            else timestamp(report.ingested_at)
        )
        optional: dict[str, Any] = {"lang": report.language, "labels": list(report.topics) or None}
        if report.url:
            optional["external_references"] = [{"source_name": report.source or "web", "url": report.url}]
        elif report.source:
            optional["external_references"] = [{"source_name": report.source, "description": "the outlet"}]
        self.objects.append(
            _as_json(
                Report(
                    id=stix_id,
                    created_by_ref=self.producer,
                    created=timestamp(report.ingested_at),
                    modified=timestamp(report.ingested_at),
                    name=report.title or f"Report {report.id[:8]}",
                    published=published,
                    description=report.text,
                    # STIX requires at least one reference: a report with nothing shareable read in it
                    # refers to the organisation that shares it.
                    object_refs=sorted(self.read_in[report.id]) or [self.producer],
                    object_marking_refs=[marking_ref(report.tlp)],
                    **{key: value for key, value in optional.items() if value is not None},
                    allow_custom=True,  # object_refs name x-liaison-event objects
                )
            )
        )
        original = report.near_duplicate_of
        if original and original in self.report_ids:
            tlp = _most_restrictive(r.tlp for r in self.shareable.reports if r.id in (report.id, original))
            similarity = report.near_duplicate_similarity or 0.0
            self.objects.append(
                _as_json(
                    Relationship(
                        id="relationship--"
                        + deterministic_id(
                            "stix-relationship", "derived-from", stix_id, self.report_ids[original]
                        ),
                        created_by_ref=self.producer,
                        created=timestamp(report.ingested_at),
                        modified=timestamp(report.ingested_at),
                        relationship_type="derived-from",
                        source_ref=stix_id,
                        target_ref=self.report_ids[original],
                        description=f"syndicated copy (text similarity {similarity:.2f})",
                        object_marking_refs=[marking_ref(tlp)],
                    )
                )
            )


def _merge(
    native: list[JsonObject], received: Sequence[Mapping[str, Any]], tlp_max: TLP | None
) -> list[JsonObject]:
    """Native objects with the received ones (unchanged); for one ID the later ``modified`` wins."""
    chosen: dict[str, JsonObject] = {o["id"]: o for o in native}
    kept_received: dict[str, JsonObject] = {}
    for item in received:
        level = tlp_of(item)
        if tlp_max is not None and level is not None and level.rank > tlp_max.rank:
            continue
        current = chosen.get(item["id"])
        if current is None or version_key(str(item.get("modified", ""))) > version_key(
            str(current.get("modified", ""))
        ):
            chosen[item["id"]] = kept_received[item["id"]] = dict(ordered(item))
    # A received object that refers to something this bundle leaves out is left out too (it cannot be
    # changed: it is the partner's), until nothing dangles.
    changed = True
    while changed:
        changed = False
        for object_id in sorted(kept_received):
            if not references(kept_received[object_id]) <= chosen.keys():
                del kept_received[object_id]
                del chosen[object_id]
                changed = True
    return list(chosen.values())


def build_bundle(
    shareable: ShareableSet,
    organization: str,
    received: Sequence[Mapping[str, Any]] = (),
    tlp_max: TLP | None = None,
) -> dict[str, Any]:
    """The STIX 2.1 bundle of a ShareableSet and of received objects, as a JSON-ready dict.

    ``received`` are partners' objects (current versions), exported unchanged; those marked above
    ``tlp_max`` and those that would refer outside the bundle are left out.
    """
    objects = _merge(_Builder(shareable, organization).build(), received, tlp_max)
    objects.sort(key=lambda o: (o["id"], version_key(str(o.get("modified", "")))))
    return {"type": "bundle", "id": bundle_id_for(objects), "objects": objects}
