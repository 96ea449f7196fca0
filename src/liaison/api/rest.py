"""The JSON REST API under ``/api``: reports, entities, events, figures, search, ingest and export.

Every route authenticates (``liaison.api.auth``) and reads only what the caller's organisation may read:
the rows published to its collection (``liaison.store.readable``), so the handling rules of TAXII hold
here too. Something the caller may not read answers 404 ``{"detail": "not found"}``, exactly as something
that does not exist; lists and counts leave it out. Every read, write and export is written to the audit
log. The routes live in ``rest_reads`` (reports, entities, events, claims), ``rest_ingest`` (POST
/api/reports), ``rest_export`` (STIX) and ``rest_watch`` (the caller's own watches and alerts); the caller,
the counts and search are here.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from liaison.api import rest_brief, rest_export, rest_ingest, rest_reads, rest_watch
from liaison.api.auth import store_of
from liaison.api.rest_common import ERROR_RESPONSES, Caller, audit
from liaison.api.rest_models import MeOut, SearchHitOut, SearchOut, StatsOut

router = APIRouter(prefix="/api", tags=["rest"], responses=ERROR_RESPONSES)


@router.get("/me", summary="Who the caller is and what it reads")
def me(request: Request, principal: Caller) -> MeOut:
    audit(request, principal, "api.read", {})
    audience = principal.audience
    return MeOut(
        name=principal.name,
        organization=principal.user.organization,
        home=principal.user.home,
        role=principal.user.role.value,
        can_write=principal.can_write,
        collection_id=principal.collection_id,
        tlp_levels=[level.value for level in sorted(audience.levels, key=lambda level: level.rank)],
        topics=sorted(audience.topics),
    )


@router.get("/stats", summary="How many reports, entities, events and figures the caller may read")
def stats(request: Request, principal: Caller) -> StatsOut:
    counts = store_of(request).readable_counts(principal.collection_id)
    audit(request, principal, "api.read", {})
    return StatsOut.model_validate(counts)


@router.get("/search", summary="Full-text search over the reports the caller may read")
def search(
    request: Request,
    principal: Caller,
    q: Annotated[str, Query(min_length=1, max_length=500, description="Words that must all appear.")],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> SearchOut:
    hits = store_of(request).readable_search(principal.collection_id, q, limit)
    audit(request, principal, "api.read", {"query": q[:100], "returned": len(hits)})
    return SearchOut(query=q, items=[SearchHitOut.model_validate(hit) for hit in hits])


router.include_router(rest_reads.router)
router.include_router(rest_brief.router)
router.include_router(rest_ingest.router)
router.include_router(rest_export.router)
router.include_router(rest_watch.router)
