"""Reading reports, entities, events and figures: every route reads through the caller's collection.

Lists carry the total of matching readable items; an item the caller may not read answers exactly as one
that does not exist, through the same filtered query (``liaison.store.readable``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from liaison.api.auth import store_of
from liaison.api.rest_common import NOT_FOUND_RESPONSE, Caller, Limit, Offset, audit, not_found, parse_tlp
from liaison.api.rest_models import (
    ClaimOut,
    ClaimPage,
    CopyOut,
    Day,
    EntityDetailOut,
    EntityOut,
    EntityPage,
    EventDetailOut,
    EventOut,
    EventPage,
    MarkingOut,
    MentionedEntityOut,
    ReportDetailOut,
    ReportOut,
    ReportPage,
    RoleOut,
)

router = APIRouter()


@router.get("/reports", summary="Reports the caller may read, newest first")
def list_reports(
    request: Request,
    principal: Caller,
    limit: Limit = 50,
    offset: Offset = 0,
    since: Annotated[Day | None, Query(description="Published (or, undated, ingested) on or after.")] = None,
    language: Annotated[str | None, Query(description="Language code, e.g. en.")] = None,
    tlp: Annotated[str | None, Query(description="Only reports of this TLP level.")] = None,
    topic: Annotated[str | None, Query(description="Only reports on this topic.")] = None,
) -> ReportPage:
    level = parse_tlp(tlp)
    page = store_of(request).readable_reports(
        principal.collection_id, limit, offset, since, language, level.value if level else None, topic
    )
    audit(request, principal, "api.read", {"total": page.total, "returned": len(page.items)})
    return ReportPage(
        total=page.total, limit=limit, offset=offset, items=[ReportOut.model_validate(r) for r in page.items]
    )


@router.get(
    "/reports/{report_id}", summary="One report and what was read in it", responses=NOT_FOUND_RESPONSE
)
def show_report(request: Request, principal: Caller, report_id: str) -> ReportDetailOut:
    detail = store_of(request).readable_report(principal.collection_id, report_id)
    audit(request, principal, "api.read", {"found": detail is not None})
    if detail is None:
        raise not_found()
    return ReportDetailOut(
        report=ReportOut.model_validate(detail.summary),
        text=detail.text,
        # Who else a RED report went to is the home organisation's business.
        marking=MarkingOut(
            tlp=detail.summary.tlp, recipients=list(detail.recipients) if principal.user.home else None
        ),
        copies=[CopyOut(report_id=r, similarity=s) for r, s in detail.copies],
        entities=[MentionedEntityOut.model_validate(m) for m in detail.mentions],
        events=[EventOut.model_validate(e) for e in detail.events],
        claims=[ClaimOut.model_validate(c) for c in detail.claims],
        roles=[RoleOut.model_validate(r) for r in detail.roles],
    )


@router.get("/entities", summary="Entities the caller may read, the most reported first")
def list_entities(
    request: Request,
    principal: Caller,
    entity_type: Annotated[
        str | None,
        Query(alias="type", description="person, organization, country, location, named_event, nationality."),
    ] = None,
    q: Annotated[str | None, Query(description="Words of the name or of an alias.")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> EntityPage:
    page = store_of(request).readable_entities(principal.collection_id, entity_type, q, limit, offset)
    audit(request, principal, "api.read", {"total": page.total, "returned": len(page.items)})
    return EntityPage(
        total=page.total, limit=limit, offset=offset, items=[EntityOut.model_validate(e) for e in page.items]
    )


@router.get(
    "/entities/{entity_id}",
    summary="One entity: aliases, roles, events, mentions",
    responses=NOT_FOUND_RESPONSE,
)
def show_entity(request: Request, principal: Caller, entity_id: str) -> EntityDetailOut:
    detail = store_of(request).readable_entity(principal.collection_id, entity_id)
    audit(request, principal, "api.read", {"found": detail is not None})
    if detail is None:
        raise not_found()
    return EntityDetailOut.model_validate(
        {
            "entity": EntityOut.model_validate(detail.summary),
            "attributes": detail.attributes,
            "aliases": detail.aliases,
            "mentions": detail.mentions,
            "roles": detail.roles,
            "events": detail.events,
            "event_count": detail.event_count,
        },
        from_attributes=True,
    )


@router.get("/events", summary="Events the caller may read, latest first")
def list_events(
    request: Request,
    principal: Caller,
    event_type: Annotated[
        str | None,
        Query(
            alias="type", description="A PLOVER category (COERCE), an event type (arrest) or a CAMEO code."
        ),
    ] = None,
    since: Annotated[Day | None, Query(description="Events on or after this day.")] = None,
    until: Annotated[Day | None, Query(description="Events on or before this day.")] = None,
    entity: Annotated[str | None, Query(description="ID of an entity taking part.")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> EventPage:
    page = store_of(request).readable_events(
        principal.collection_id, event_type, since, until, entity, limit, offset
    )
    audit(request, principal, "api.read", {"total": page.total, "returned": len(page.items)})
    return EventPage(
        total=page.total, limit=limit, offset=offset, items=[EventOut.model_validate(e) for e in page.items]
    )


@router.get(
    "/events/{event_id}", summary="One event, its sources and their figures", responses=NOT_FOUND_RESPONSE
)
def show_event(request: Request, principal: Caller, event_id: str) -> EventDetailOut:
    detail = store_of(request).readable_event(principal.collection_id, event_id)
    audit(request, principal, "api.read", {"found": detail is not None})
    if detail is None:
        raise not_found()
    return EventDetailOut.model_validate(
        {"event": detail.summary, "sources": detail.sources, "claims": detail.claims}, from_attributes=True
    )


@router.get("/claims", summary="Figures the caller may read, newest report first")
def list_claims(
    request: Request,
    principal: Caller,
    subject: Annotated[str | None, Query(description="ID of the entity the figures are about.")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> ClaimPage:
    page = store_of(request).readable_claims(principal.collection_id, subject, limit, offset)
    audit(request, principal, "api.read", {"total": page.total, "returned": len(page.items)})
    return ClaimPage(
        total=page.total, limit=limit, offset=offset, items=[ClaimOut.model_validate(c) for c in page.items]
    )
