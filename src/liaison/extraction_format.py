"""The ``liaison.extraction/1`` JSON format (documented in ``docs/extraction-format.md``)."""

from __future__ import annotations

from typing import Any

from liaison.domain import Claim, Entity, Event, Evidence, Extraction, Role, Time

SCHEMA = "liaison.extraction/1"


def evidence_to_dict(evidence: Evidence) -> dict[str, Any]:
    return {
        "report": evidence.report_id,
        "start": evidence.start,
        "end": evidence.end,
        "text": evidence.text,
        "sentence": evidence.sentence,
    }


def entity_to_dict(entity: Entity) -> dict[str, Any]:
    return {
        "id": entity.id,
        "type": entity.type.value,
        "name": entity.name,
        "aliases": list(entity.aliases),
        "attributes": dict(entity.attributes),
        "mentions": [
            {"start": m.start, "end": m.end, "text": m.text, "sentence": m.sentence} for m in entity.mentions
        ],
    }


def role_to_dict(role: Role) -> dict[str, Any]:
    return {
        "person": role.person,
        "title": role.title,
        "organization": role.organization,
        "country": role.country,
        "evidence": evidence_to_dict(role.evidence),
    }


def event_to_dict(event: Event, text: str = "") -> dict[str, Any]:
    return {
        "id": event.id,
        "type": event.type,
        "plover": event.plover,
        "plover_mode": event.plover_mode,
        "cameo": event.cameo,
        "date": (
            {"value": event.date.value, "precision": event.date.precision, "text": event.date.text}
            if event.date
            else None
        ),
        "location": event.location,
        "participants": [{"entity": p.entity, "role": p.role} for p in event.participants],
        "topics": list(event.topics),
        "status": event.status.value,
        "evidence": [evidence_to_dict(e) for e in event.evidence],
        "confidence": event.confidence,
        "triggers": [{"start": s, "end": e, "text": text[s:e]} for s, e in event.triggers],
    }


def time_to_dict(time: Time) -> dict[str, Any]:
    return {
        "start": time.start,
        "end": time.end,
        "text": time.text,
        "type": time.type.value,
        "value": time.value,
        "precision": time.precision,
    }


def claim_to_dict(claim: Claim) -> dict[str, Any]:
    return {
        "subject": claim.subject,
        "value": claim.value,
        "qualifier": claim.qualifier,
        "unit": claim.unit,
        "period": claim.period,
        "evidence": evidence_to_dict(claim.evidence),
    }


def extraction_to_dict(extraction: Extraction, report_id: str | None = None) -> dict[str, Any]:
    """Serialise an extraction; ``report_id`` overrides the content-derived ID (e.g. a JSONL record's)."""
    report = extraction.report
    return {
        "schema": SCHEMA,
        "pipeline": extraction.pipeline_version,
        "report": {
            "id": report_id or report.id,
            "title": report.title,
            "source": report.source,
            "url": report.url,
            "published": report.published.isoformat() if report.published else None,
            "published_inferred": report.published_inferred,
            "language": report.language,
            "tlp": report.marking.tlp.value,
            "content_hash": report.content_hash,
        },
        "sentences": [
            {"index": s.index, "start": s.start, "end": s.end, "language": s.language}
            for s in extraction.sentences
        ],
        "entities": [entity_to_dict(e) for e in extraction.entities],
        "roles": [role_to_dict(r) for r in extraction.roles],
        "events": [event_to_dict(e, report.text) for e in extraction.events],
        "times": [time_to_dict(t) for t in extraction.times],
        "claims": [claim_to_dict(c) for c in extraction.claims],
        "topics": list(extraction.topics),
    }
