"""The entity page, ``/entities/{id}``, and the analysts' merge and split of entities.

The page shows the canonical name and type, the aliases with the reports they were read in, the roles
held over time, and three pictures drawn in the browser by our own scripts from JSON blocks of the page:
a timeline of the entity's events (``timeline.js``), a map of the places linked to it (``map.js``: its
events' places, the countries of its roles, itself when it is a place) and its neighbourhood graph
(``graph.js``: who it took part in events with, the organisations and countries of its roles). Tables
below each picture say the same in text.

Merging and splitting call the store functions ``liaison entity merge``/``split`` call, then publish, so
that every organisation's collection follows. Only the home organisation's analysts and administrators may
change entities, and only entities they may read; an entity they may not read is not found, as on the page.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from liaison.accounts import Principal
from liaison.errors import LiaisonError
from liaison.publishing import publish
from liaison.store import Store
from liaison.store.readable_records import (
    ReadableEntityDetail,
    ReadableEntitySummary,
    ReadableEventSummary,
    ReadableRole,
)
from liaison.web.places import LinkedPlace, map_data
from liaison.web.reading import audit_view
from liaison.web.session import Viewer, settings_of, store_of, verify_csrf
from liaison.web.templates import PageError, page_not_found, render, vendor_available

router = APIRouter()

GRAPH_NEIGHBOURS = 40  # the most connected neighbours drawn; more would not be readable
MERGE_CANDIDATES = 200  # entities of the same type offered in the merge form's list
PLACE_TYPES = ("country", "location")
MAX_FORM_VALUE = 500


def timeline_data(events: Sequence[ReadableEventSummary]) -> dict[str, Any]:
    return {
        "events": [
            {
                "id": event.id,
                "date": event.date,
                "precision": event.date_precision,
                "type": event.type.replace("_", " "),
                "plover": event.plover,
                "place": event.location,
            }
            for event in events
        ]
    }


def entity_events(
    store: Store, collection_id: str, detail: ReadableEntityDetail
) -> list[ReadableEventSummary]:
    """The events of an entity, oldest first: those it took part in and, for a place, those held there."""
    events = {event.id: event for event in detail.events}
    if detail.summary.type in PLACE_TYPES:
        for event in store.readable_events_at(collection_id, detail.summary.id):
            events.setdefault(event.id, event)
    return sorted(events.values(), key=lambda e: (e.date is None, e.date or "", e.id))


def linked_place_ids(
    centre: ReadableEntitySummary, events: Sequence[ReadableEventSummary], roles: Sequence[ReadableRole]
) -> set[str]:
    """The places linked to an entity: itself when it is one, where its events happened, the places
    taking part in them, and the countries of its roles."""
    ids = {centre.id} if centre.type in PLACE_TYPES else set()
    for event in events:
        if event.location_id:
            ids.add(event.location_id)
        ids.update(p.entity_id for p in event.participants if p.type in PLACE_TYPES)
    ids.update(role.country_id for role in roles if role.country_id)
    return ids


def neighbourhood_graph(
    centre: ReadableEntitySummary,
    events: Sequence[ReadableEventSummary],
    roles: Sequence[ReadableRole],
    limit: int = GRAPH_NEIGHBOURS,
) -> dict[str, Any]:
    """Nodes and links for ``graph.js``: the entity, the entities taking part in its events and the
    organisations and countries of its roles (the most connected ``limit``), and who is linked to whom."""
    known: dict[str, tuple[str, str]] = {}
    weight: Counter[str] = Counter()
    reasons: dict[str, set[str]] = {}
    together: Counter[tuple[str, str]] = Counter()
    for event in events:
        others = sorted({p.entity_id for p in event.participants} - {centre.id})
        for participant in event.participants:
            if participant.entity_id != centre.id:
                known[participant.entity_id] = (participant.name, participant.type)
        for index, entity_id in enumerate(others):
            weight[entity_id] += 1
            reasons.setdefault(entity_id, set()).add(event.type.replace("_", " "))
            for later in others[index + 1 :]:
                together[entity_id, later] += 1
    for role in roles:
        for holder_id, holder in ((role.organization_id, role.organization), (role.country_id, role.country)):
            if holder_id and holder and holder_id != centre.id:
                known[holder_id] = (
                    holder,
                    "organization" if holder_id == role.organization_id else "country",
                )
                weight[holder_id] += 1
                reasons.setdefault(holder_id, set()).add(role.title)
    chosen = sorted(weight, key=lambda i: (-weight[i], known[i][0].casefold(), i))[:limit]
    chosen_set = set(chosen)
    nodes = [{"id": centre.id, "name": centre.name, "type": centre.type, "centre": True, "weight": 0}]
    nodes += [
        {"id": i, "name": known[i][0], "type": known[i][1], "centre": False, "weight": weight[i]}
        for i in chosen
    ]
    links = [
        {"source": centre.id, "target": i, "label": ", ".join(sorted(reasons[i])), "weight": weight[i]}
        for i in chosen
    ]
    links += [
        {
            "source": a,
            "target": b,
            "label": f"{count} event{'s' if count != 1 else ''} together",
            "weight": count,
        }
        for (a, b), count in sorted(together.items())
        if a in chosen_set and b in chosen_set
    ]
    return {"nodes": nodes, "links": links}


def roles_over_time(roles: Sequence[ReadableRole]) -> list[ReadableRole]:
    return sorted(roles, key=lambda r: (r.published or date.min, r.title, r.report_id))


def _entity_context(store: Store, principal: Principal, detail: ReadableEntityDetail) -> dict[str, Any]:
    collection = principal.collection_id
    summary = detail.summary
    events = entity_events(store, collection, detail)
    places = store.readable_places(collection, linked_place_ids(summary, events, detail.roles))
    where = map_data(LinkedPlace(p.entity_id, p.name, p.type, p.attributes) for p in places)
    alias_reports = {report_id for alias in detail.aliases for report_id in alias.report_ids}
    titles = store.readable_report_titles(collection, alias_reports | {r.report_id for r in detail.roles})
    graph = neighbourhood_graph(summary, events, detail.roles)
    why = {link["target"]: link["label"] for link in graph["links"] if link["source"] == summary.id}
    candidates: list[Any] = []
    if principal.can_write:
        page = store.readable_entities(collection, entity_type=summary.type, limit=MERGE_CANDIDATES)
        candidates = [c for c in page.items if c.id != summary.id]
    return {
        "entity": summary,
        "detail": detail,
        "titles": titles,
        "roles": roles_over_time(detail.roles),
        "events": events,
        "dated_events": [e for e in events if e.date],
        "undated_events": [e for e in events if not e.date],
        "timeline": timeline_data(events),
        "places": places,
        "map": where.as_json(),
        "unplaced": where.unplaced,
        "map_shapes": vendor_available("world-atlas") and vendor_available("topojson-client"),
        "graph": graph,
        "neighbours": [(node, why[node["id"]]) for node in graph["nodes"][1:]],
        "can_change": principal.can_write,
        "merge_candidates": candidates,
        "splittable": [a.alias for a in detail.aliases if a.alias != summary.name],
    }


def _entity_response(
    request: Request,
    principal: Principal,
    detail: ReadableEntityDetail,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    context = _entity_context(store_of(request), principal, detail)
    context["error"] = error
    context["changed"] = request.query_params.get("changed", "")
    return render(request, "entities/entity.html", context, status_code=status_code)


@router.get("/entities/{entity_id}", response_class=HTMLResponse)
def entity_page(request: Request, principal: Viewer, entity_id: str) -> Response:
    detail = store_of(request).readable_entity(principal.collection_id, entity_id)
    audit_view(request, principal, {"found": detail is not None})
    if detail is None:
        raise page_not_found()
    return _entity_response(request, principal, detail)


async def _form_value(request: Request, name: str) -> str:
    value = (await request.form()).get(name)  # already parsed by verify_csrf: no second read of the body
    return value.strip()[:MAX_FORM_VALUE] if isinstance(value, str) else ""


def _changeable(request: Request, principal: Principal, entity_id: str) -> ReadableEntityDetail:
    """The entity to change: not found unless readable; refused unless the caller may change entities."""
    detail = store_of(request).readable_entity(principal.collection_id, entity_id)
    if detail is None:
        raise page_not_found()
    if not principal.can_write:
        raise PageError(403, "Only analysts and administrators of the home organisation change entities.")
    return detail


def _other_entity(store: Store, principal: Principal, kept: ReadableEntityDetail, given: str) -> str | None:
    """The readable canonical entity the merge form names, by ID or by an unambiguous name."""
    if not given:
        return None
    if store.readable_entity(principal.collection_id, given) is not None:
        return given
    found = store.readable_entities(principal.collection_id, kept.summary.type, query=given, limit=20)
    exact = [e for e in found.items if e.name.casefold() == given.casefold()]
    if len(exact) == 1:
        return exact[0].id
    return found.items[0].id if found.total == 1 else None


def _changed(request: Request, principal: Principal, action: str, detail: dict[str, Any]) -> None:
    """After a merge or split: audit it, and publish so every collection reads the entities as they are."""
    store = store_of(request)
    store.append_audit(principal.name, action, request.url.path, detail)
    publish(store, settings_of(request))


@router.post("/entities/{entity_id}/merge", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)])
async def merge_entity(request: Request, principal: Viewer, entity_id: str) -> Response:
    given = await _form_value(request, "other")
    store = store_of(request)

    def merge() -> Response:
        kept = _changeable(request, principal, entity_id)
        other = _other_entity(store, principal, kept, given)
        if other is None:
            message = "Name one other entity you may read, of the same type: by its ID or its exact name."
            return _entity_response(request, principal, kept, message, 400)
        try:
            kept_id = store.merge_entities(kept.summary.id, other)
        except LiaisonError as error:
            return _entity_response(request, principal, kept, str(error), 400)
        _changed(request, principal, "web.entity.merge", {"kept": kept_id, "other": other})
        return RedirectResponse(f"/entities/{kept_id}?changed=merged", status_code=303)

    return await run_in_threadpool(merge)


@router.post("/entities/{entity_id}/split", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)])
async def split_entity(request: Request, principal: Viewer, entity_id: str) -> Response:
    alias = await _form_value(request, "alias")
    store = store_of(request)

    def split() -> Response:
        detail = _changeable(request, principal, entity_id)
        # only an alias the caller was shown: a withheld report's name for the entity stays withheld
        if alias not in {a.alias for a in detail.aliases}:
            return _entity_response(request, principal, detail, "Choose one of the aliases listed.", 400)
        try:
            new_id = store.split_entity(detail.summary.id, alias)
        except LiaisonError as error:
            return _entity_response(request, principal, detail, str(error), 400)
        _changed(
            request,
            principal,
            "web.entity.split",
            {"entity": detail.summary.id, "alias": alias, "new": new_id},
        )
        return RedirectResponse(f"/entities/{new_id}?changed=split", status_code=303)

    return await run_in_threadpool(split)
