"""Sharing: partner agreements, what each partner received (with every object's marking), partners pulled
from, agreement changes for admins, and exports of what the caller may read (STIX, MISP, CSV).

What a partner received is its TAXII collection, cut to what the viewer may read as well: a TLP:RED report
naming only that partner stays out of the home organisation's view, as everywhere else. A partner's user
sees its own organisation's line and collection only; another organisation's page answers 404.

Exports are built from the caller's own collection, byte for byte what TAXII serves it (as
``liaison.api.rest_export``), then converted with ``liaison.share`` for MISP and CSV.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from liaison.accounts import Principal
from liaison.domain import TLP
from liaison.errors import NotFound, StoreError
from liaison.publishing import publish
from liaison.share.bundle_index import text_of
from liaison.share.markings import tlp_of
from liaison.share.stix_json import bundle_id_for, version_key
from liaison.share.tabular import bundle_to_csv
from liaison.store import Store
from liaison.store.accounts import CollectionRecord
from liaison.store.publication import ObjectFilter
from liaison.web.session import Viewer, settings_of, store_of, verify_csrf
from liaison.web.templates import PageError, page_not_found, render

router = APIRouter()

OBJECTS_PAGE = 100
_EXPORT_PAGE = 1000
AGREEMENT_LEVELS = (TLP.CLEAR, TLP.GREEN, TLP.AMBER)  # an agreement allows at most AMBER
MAX_TOPICS = 20


def _partner_collections(store: Store, principal: Principal) -> list[CollectionRecord]:
    """The partner collections the viewer may look into: all for the home organisation, its own for a
    partner's user."""
    home = store.home_organization()
    found = []
    for collection in store.collections():
        if home is not None and collection.organization_id == home.id:
            continue
        if principal.user.home or collection.organization_id == principal.user.organization_id:
            found.append(collection)
    return found


def _sharing(store: Store, principal: Principal) -> dict[str, Any]:
    agreements = {a.organization_id: a for a in store.agreements()}
    partners = [
        {
            "collection": collection,
            "agreement": agreements.get(collection.organization_id),
            "levels": store.shared_report_levels(principal.collection_id, collection.id),
        }
        for collection in _partner_collections(store, principal)
    ]
    return {
        "partners": partners,
        "pulled": store.partners() if principal.user.home else [],
        "imports": store.stix_import_log(limit=20) if principal.user.home else [],
        "agreement_levels": [level.value for level in AGREEMENT_LEVELS],
        "export_levels": [level.value for level in TLP],
    }


# Page routes are plain functions: FastAPI runs them in its thread pool, as the store's calls block.
@router.get("/sharing", include_in_schema=False)
def sharing(request: Request, principal: Viewer) -> Response:
    store = store_of(request)
    context = _sharing(store, principal)
    store.append_audit(principal.name, "web.read", "/sharing", {})
    return render(request, "home/sharing.html", context)


def _object_name(item: dict[str, Any]) -> str:
    for key in ("name", "value", "abstract", "relationship_type", "content"):
        if item.get(key):
            return text_of(item[key])[:200]
    return ""


def _received_page(
    store: Store, principal: Principal, collection: CollectionRecord, after: int
) -> tuple[list[dict[str, Any]], int | None]:
    """One page of the partner's collection (current versions), less what the viewer may not read."""
    rows = store.collection_objects(collection.id, ObjectFilter(), limit=OBJECTS_PAGE + 1, after_seq=after)
    more = len(rows) > OBJECTS_PAGE
    rows = rows[:OBJECTS_PAGE]
    ids = tuple(row.stix_id for row in rows)
    mine = (
        {
            row.stix_id
            for row in store.collection_objects(
                principal.collection_id, ObjectFilter(ids=ids), limit=len(ids) + 1, with_json=False
            )
        }
        if ids
        else set()
    )
    objects = []
    for row in rows:
        if row.stix_id not in mine:
            continue
        item = json.loads(row.json)
        level = tlp_of(item)
        stix_type, _, uuid = row.stix_id.partition("--")
        objects.append(
            {
                "id": row.stix_id,
                "type": row.type,
                "name": _object_name(item),
                "tlp": level.value if level else None,
                "added": row.date_added,
                "link": f"/reports/{uuid}" if stix_type == "report" else None,
            }
        )
    return objects, (rows[-1].seq if more and rows else None)


@router.get("/sharing/{organization}", include_in_schema=False)
def received(request: Request, principal: Viewer, organization: str, after: int = 0) -> Response:
    store = store_of(request)
    wanted = organization.strip().casefold()
    found = [c for c in _partner_collections(store, principal) if c.organization.casefold() == wanted]
    if not found:
        raise page_not_found()
    collection = found[0]
    objects, next_after = _received_page(store, principal, collection, max(0, after))
    store.append_audit(principal.name, "web.read", request.url.path, {"after": after})
    context = {
        "collection": collection,
        "objects": objects,
        "next_after": next_after,
        "levels": store.shared_report_levels(principal.collection_id, collection.id),
    }
    return render(request, "home/received.html", context)


# -- agreement changes (home admins) --------------------------------------------------------------


def _require_admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise PageError(403, "Only administrators of the home organisation change sharing agreements.")


async def _form_values(request: Request) -> dict[str, list[str]]:
    form = await request.form()
    values: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            values.setdefault(key, []).append(value[:200])
    return values


@router.post("/sharing/agreements", include_in_schema=False, dependencies=[Depends(verify_csrf)])
async def set_agreement(request: Request, principal: Viewer) -> Response:
    _require_admin(principal)
    values = await _form_values(request)
    organization = (values.get("organization") or [""])[0].strip()
    topics = tuple(
        t.strip().lower()
        for given in values.get("topics", [])
        for t in given.replace(";", ",").split(",")
        if t.strip()
    )[:MAX_TOPICS]
    try:
        level = TLP.parse((values.get("tlp_max") or [""])[0])
    except ValueError as error:
        raise PageError(400, str(error)) from error
    can_write = (values.get("can_write") or [""])[0] == "yes"
    return await _change(request, principal, "share.set", organization, level, topics, can_write)


@router.post("/sharing/agreements/remove", include_in_schema=False, dependencies=[Depends(verify_csrf)])
async def remove_agreement(request: Request, principal: Viewer) -> Response:
    _require_admin(principal)
    values = await _form_values(request)
    organization = (values.get("organization") or [""])[0].strip()
    return await _change(request, principal, "share.remove", organization)


async def _change(
    request: Request,
    principal: Principal,
    action: str,
    organization: str,
    level: TLP | None = None,
    topics: tuple[str, ...] = (),
    can_write: bool = False,
) -> Response:
    store, settings = store_of(request), settings_of(request)

    def apply() -> None:
        if action == "share.set":
            assert level is not None
            agreement = store.set_agreement(organization, level, topics, can_write=can_write)
            detail = {"tlp_max": level.value, "topics": list(agreement.topics), "write": can_write}
            store.append_audit(principal.name, action, agreement.organization, detail)
        else:
            record = store.organization(organization)
            if store.agreement_for(record.id) is None:
                raise NotFound(f"{record.name} has no agreement")
            store.remove_agreement(record.name)
            store.append_audit(principal.name, action, record.name, {})
        # As `liaison share add/remove`: every collection follows the new agreement at once.
        publish(store, settings)

    try:
        await run_in_threadpool(apply)
    except (NotFound, StoreError) as error:
        raise PageError(400, str(error)) from error
    return RedirectResponse("/sharing", status_code=303)


# -- exports of what the caller may read ---------------------------------------------------------


def collection_bundle(store: Store, collection_id: str, tlp_max: TLP | None = None) -> dict[str, Any]:
    """A STIX 2.1 bundle of the current objects of a collection, at most ``tlp_max`` (as the REST export)."""
    objects: list[dict[str, Any]] = []
    after = 0
    while True:
        rows = store.collection_objects(collection_id, ObjectFilter(), limit=_EXPORT_PAGE, after_seq=after)
        for row in rows:
            item = json.loads(row.json)
            if tlp_max is None or (tlp_of(item) or TLP.CLEAR).rank <= tlp_max.rank:
                objects.append(item)
        if len(rows) < _EXPORT_PAGE:
            break
        after = rows[-1].seq
    objects.sort(key=lambda o: (o["id"], version_key(str(o.get("modified", "")))))
    return {"type": "bundle", "id": bundle_id_for(objects), "objects": objects}


def _export_level(request: Request) -> TLP | None:
    value = request.query_params.get("tlp_max", "").strip().replace(" ", "+")
    if not value:
        return None
    try:
        return TLP.parse(value)
    except ValueError as error:
        raise PageError(400, str(error)) from error


def _download(content: bytes, media_type: str, filename: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


@router.get("/export/{kind}", include_in_schema=False)
def export(request: Request, principal: Viewer, kind: str) -> Response:
    if kind not in ("stix", "misp", "csv"):
        raise page_not_found()
    level = _export_level(request)
    store = store_of(request)
    bundle = collection_bundle(store, principal.collection_id, level)
    detail = {"format": kind, "tlp_max": level.value if level else None, "objects": len(bundle["objects"])}
    store.append_audit(principal.name, "web.export", request.url.path, detail)
    if kind == "stix":
        text = json.dumps(bundle, ensure_ascii=False, indent=2) + "\n"
        return _download(text.encode("utf-8"), "application/json", "liaison-stix.json")
    if kind == "misp":
        from liaison.share.misp import bundle_to_misp_events  # PyMISP takes ~0.2 s to import: only here

        by_report = request.query_params.get("per") == "report"
        events = bundle_to_misp_events(bundle, per="report" if by_report else "event")
        text = json.dumps({"response": events}, ensure_ascii=False, indent=2) + "\n"
        return _download(text.encode("utf-8"), "application/json", "liaison-misp.json")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, table in bundle_to_csv(bundle).items():
            archive.writestr(name, table)
    return _download(buffer.getvalue(), "application/zip", "liaison-csv.zip")
