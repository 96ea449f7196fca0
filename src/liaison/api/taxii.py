"""TAXII 2.1 under ``/taxii2``: discovery, one API root, each organisation's collection, status.

A caller sees one collection: their organisation's, materialised by ``liaison.publishing`` with exactly
what its handling rules allow. Asking for another organisation's collection, or for an object that is not
in one's own, answers exactly as for something that does not exist: the same 404, the same body, the same
queries. A page is one query whatever its size (``limit`` + 1 rows, to know whether there is ``more``);
``next`` is the position of the last row returned, so paging never skips nor repeats a row added meanwhile.

Adding objects (``POST .../objects/``) is for the home organisation's admins and analysts and for partners
whose agreement allows writing; the envelope is imported as one bundle (``liaison.sharing.import_bundle``:
checked whole, all or nothing) and the answer is a status resource, complete at once.

Every error under ``/taxii2`` — authentication included — is a TAXII error message with the TAXII media
type; every read and write is written to the audit log. The routes read their parameters themselves, by the
TAXII rules; ``liaison.api.taxii_schema`` describes them, and every answer, in the OpenAPI schema.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Coroutine, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from liaison.accounts import Principal
from liaison.api import taxii_schema as schema
from liaison.api.auth import authenticate, store_of
from liaison.api.json_limits import TOO_DEEP, too_deep
from liaison.api.taxii_protocol import (
    STIX_MEDIA_TYPE,
    TAXII_MEDIA_TYPE,
    PageRequest,
    TaxiiError,
    TaxiiJSONResponse,
    error_response,
    is_taxii_content,
    page_request,
    raw_json_response,
    require_taxii_accept,
    stix_timestamp,
)
from liaison.domain import deterministic_id
from liaison.settings import Settings
from liaison.sharing import import_bundle
from liaison.store import Store
from liaison.store.publication import CollectionObject, TaxiiStatusRecord

API_ROOT = "/taxii2/api/"
_NOT_FOUND = "no such collection on this API root"
_NO_OBJECT = "no object with this ID in the collection"
_NO_STATUS = "no such status resource"
_ALL_MATCHES = ("id", "type", "version", "spec_version")
_ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class TaxiiRoute(APIRoute):
    """A route whose errors — from authentication, parameters or the handler — are TAXII error messages.

    Handled here rather than by an application-wide exception handler, so that the rest of the server
    keeps its own error format.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def taxii_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except StarletteHTTPException as error:
                return error_response(error.status_code, str(error.detail), error.headers)
            except RequestValidationError:
                return error_response(400, "the request's parameters are not valid")

        return taxii_handler


router = APIRouter(
    prefix="/taxii2", route_class=TaxiiRoute, default_response_class=TaxiiJSONResponse, tags=["TAXII 2.1"]
)


def taxii_caller(request: Request) -> Principal:
    """Who is asking (401 otherwise), once they accept a TAXII 2.1 answer (406 otherwise)."""
    principal = authenticate(request)
    require_taxii_accept(request)
    return principal


Caller = Annotated[Principal, Depends(taxii_caller)]


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _root_path(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


def _audit(store: Store, principal: Principal, action: str, target: str, detail: dict[str, Any]) -> None:
    store.append_audit(principal.name, action, target, detail)


def _can_write(store: Store, principal: Principal) -> bool:
    """Home admins and analysts; partners whose agreement allows writing."""
    if principal.user.home:
        return principal.can_write
    agreement = store.agreement_for(principal.user.organization_id)
    return agreement is not None and agreement.can_write


def _require_own_collection(store: Store, principal: Principal, collection_id: str, path: str) -> None:
    """404 for any collection but the caller's: unknown and someone else's are the same answer."""
    if collection_id != principal.collection_id:
        _audit(store, principal, "taxii.read", path, {"found": False})
        raise TaxiiError(404, _NOT_FOUND)


def _collection_resource(store: Store, principal: Principal) -> dict[str, Any]:
    record = store.collection_for(principal.user.organization_id)
    return {
        "id": record.id,
        "title": record.title,
        "description": record.description,
        "can_read": True,
        "can_write": _can_write(store, principal),
        "media_types": [STIX_MEDIA_TYPE],
    }


def _date_headers(rows: Sequence[CollectionObject]) -> dict[str, str]:
    if not rows:
        return {}
    return {
        "X-TAXII-Date-Added-First": stix_timestamp(rows[0].date_added),
        "X-TAXII-Date-Added-Last": stix_timestamp(rows[-1].date_added),
    }


def _page(
    store: Store, collection_id: str, page: PageRequest, with_json: bool = True
) -> tuple[list[CollectionObject], bool]:
    rows = store.collection_objects(collection_id, page.where, page.limit + 1, page.after_seq, with_json)
    return rows[: page.limit], len(rows) > page.limit


def _paging_prefix(rows: Sequence[CollectionObject], more: bool) -> str:
    """``"more"`` (and ``"next"`` when there is more) as the start of a JSON object."""
    if more:
        return f'"more":true,"next":{json.dumps(str(rows[-1].seq))}'
    return '"more":false'


def _envelope(rows: Sequence[CollectionObject], more: bool) -> Response:
    """An envelope of stored objects, their JSON written as stored (not parsed again). With nothing to
    return, ``objects`` is left out: the specification's list holds one or more objects."""
    objects = f',"objects":[{",".join(row.json for row in rows)}]' if rows else ""
    return raw_json_response("{" + _paging_prefix(rows, more) + objects + "}", headers=_date_headers(rows))


def _listing(rows: Sequence[CollectionObject], more: bool, key: str, items: list[Any]) -> Response:
    body: dict[str, Any] = {"more": more}
    if more:
        body["next"] = str(rows[-1].seq)
    if items:
        body[key] = items
    return TaxiiJSONResponse(body, headers=_date_headers(rows))


def _read_detail(page: PageRequest, count: int, more: bool) -> dict[str, Any]:
    return {"count": count, "more": more, **page.summary}


# --- discovery and the API root ---


@router.get("/", summary="TAXII server discovery", responses=schema.responses(200, schema.DISCOVERY))
def discovery(request: Request, principal: Caller) -> Response:
    settings, store = _settings(request), store_of(request)
    root = _root_path(request) + API_ROOT
    _audit(store, principal, "taxii.read", request.url.path, {})
    return TaxiiJSONResponse(
        {
            "title": f"{settings.organization_name} TAXII 2.1",
            "description": "Liaison: the intelligence your organisation may read, as STIX 2.1.",
            "default": root,
            "api_roots": [root],
        }
    )


@router.get("/api/", summary="TAXII API root information", responses=schema.responses(200, schema.API_ROOT))
def api_root(request: Request, principal: Caller) -> Response:
    settings, store = _settings(request), store_of(request)
    _audit(store, principal, "taxii.read", request.url.path, {})
    return TaxiiJSONResponse(
        {
            "title": f"{settings.organization_name} sharing",
            "description": "One collection per organisation: what its handling rules allow it to read.",
            "versions": [TAXII_MEDIA_TYPE],
            "max_content_length": settings.max_bundle_bytes,
        }
    )


@router.get(
    "/api/collections/",
    summary="The collections the caller may read",
    responses=schema.responses(200, schema.COLLECTIONS),
)
def get_collections(request: Request, principal: Caller) -> Response:
    store = store_of(request)
    resource = _collection_resource(store, principal)
    _audit(store, principal, "taxii.read", request.url.path, {"count": 1})
    return TaxiiJSONResponse({"collections": [resource]})


@router.get(
    "/api/collections/{collection_id}/",
    summary="One collection",
    responses=schema.responses(200, schema.COLLECTION, 404),
    openapi_extra=schema.parameters(schema.COLLECTION_ID),
)
def get_collection(request: Request, principal: Caller) -> Response:
    store, collection_id = store_of(request), request.path_params["collection_id"]
    _require_own_collection(store, principal, collection_id, request.url.path)
    resource = _collection_resource(store, principal)
    _audit(store, principal, "taxii.read", request.url.path, {"count": 1})
    return TaxiiJSONResponse(resource)


# --- objects, manifest, versions ---


@router.get(
    "/api/collections/{collection_id}/objects/",
    summary="A page of the collection's objects",
    responses=schema.responses(200, schema.ENVELOPE, 404, paged=True),
    openapi_extra=schema.parameters(schema.COLLECTION_ID, matches=_ALL_MATCHES, paged=True),
)
def get_objects(request: Request, principal: Caller) -> Response:
    store, collection_id = store_of(request), request.path_params["collection_id"]
    _require_own_collection(store, principal, collection_id, request.url.path)
    page = page_request(request, matches=_ALL_MATCHES, default_version="last")
    rows, more = _page(store, collection_id, page)
    _audit(store, principal, "taxii.read", request.url.path, _read_detail(page, len(rows), more))
    return _envelope(rows, more)


@router.get(
    "/api/collections/{collection_id}/manifest/",
    summary="A page of the collection's manifest",
    responses=schema.responses(200, schema.MANIFEST, 404, paged=True),
    openapi_extra=schema.parameters(schema.COLLECTION_ID, matches=_ALL_MATCHES, paged=True),
)
def get_manifest(request: Request, principal: Caller) -> Response:
    store, collection_id = store_of(request), request.path_params["collection_id"]
    _require_own_collection(store, principal, collection_id, request.url.path)
    page = page_request(request, matches=_ALL_MATCHES, default_version="last")
    rows, more = _page(store, collection_id, page, with_json=False)
    _audit(store, principal, "taxii.read", request.url.path, _read_detail(page, len(rows), more))
    records = [
        {
            "id": row.stix_id,
            "date_added": stix_timestamp(row.date_added),
            "version": row.version,
            "media_type": f"application/stix+json;version={row.spec_version}",
        }
        for row in rows
    ]
    return _listing(rows, more, "objects", records)


@router.get(
    "/api/collections/{collection_id}/objects/{object_id}/",
    summary="One object (its versions)",
    responses=schema.responses(200, schema.ENVELOPE, 404, paged=True),
    openapi_extra=schema.parameters(
        schema.COLLECTION_ID, schema.OBJECT_ID, matches=("version", "spec_version"), paged=True
    ),
)
def get_object(request: Request, principal: Caller) -> Response:
    store, collection_id = store_of(request), request.path_params["collection_id"]
    object_id = request.path_params["object_id"]
    _require_own_collection(store, principal, collection_id, request.url.path)
    page = page_request(
        request, ids=(object_id,), matches=("version", "spec_version"), default_version="last"
    )
    rows, more = _page(store, collection_id, page)
    _audit(store, principal, "taxii.read", request.url.path, _read_detail(page, len(rows), more))
    if not rows and not page.after_seq:
        raise TaxiiError(404, _NO_OBJECT)
    return _envelope(rows, more)


@router.get(
    "/api/collections/{collection_id}/objects/{object_id}/versions/",
    summary="An object's versions",
    responses=schema.responses(200, schema.VERSIONS, 404, paged=True),
    openapi_extra=schema.parameters(
        schema.COLLECTION_ID, schema.OBJECT_ID, matches=("spec_version",), paged=True
    ),
)
def get_object_versions(request: Request, principal: Caller) -> Response:
    store, collection_id = store_of(request), request.path_params["collection_id"]
    object_id = request.path_params["object_id"]
    _require_own_collection(store, principal, collection_id, request.url.path)
    page = page_request(request, ids=(object_id,), matches=("spec_version",), default_version="all")
    rows, more = _page(store, collection_id, page, with_json=False)
    _audit(store, principal, "taxii.read", request.url.path, _read_detail(page, len(rows), more))
    if not rows and not page.after_seq:
        raise TaxiiError(404, _NO_OBJECT)
    return _listing(rows, more, "versions", [row.version for row in rows])


# --- adding objects and their status ---


async def _read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 beyond ``limit`` bytes — announced or actually sent."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not (declared.strip().isascii() and declared.strip().isdigit()):
            raise TaxiiError(400, "Content-Length is not a number")
        if int(declared) > limit:
            raise TaxiiError(413, f"the body is over this API root's max_content_length ({limit} bytes)")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TaxiiError(413, f"the body is over this API root's max_content_length ({limit} bytes)")
        chunks.append(chunk)
    return b"".join(chunks)


def _envelope_objects(body: bytes) -> list[dict[str, Any]]:
    if too_deep(body):
        raise TaxiiError(400, TOO_DEEP)
    try:
        envelope = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise TaxiiError(400, "the body is not JSON") from error
    objects = envelope.get("objects") if isinstance(envelope, dict) else None
    if not isinstance(objects, list) or not objects:
        raise TaxiiError(422, "a TAXII envelope with one or more objects in 'objects' was expected")
    for index, item in enumerate(objects):
        if not (
            isinstance(item, dict) and isinstance(item.get("id"), str) and isinstance(item.get("type"), str)
        ):
            raise TaxiiError(422, f"objects[{index}] is not a STIX object with a type and an id")
    return objects


def _version_of(item: dict[str, Any], received: str) -> str:
    version = item.get("modified") or item.get("created")
    return version if isinstance(version, str) else received


def _failures(
    objects: list[dict[str, Any]], versions: list[str], errors: list[str], source: str
) -> list[dict[str, str]]:
    """One failure per object: the problems found in it, or why the whole envelope was refused."""
    problems = [message.removeprefix(f"{source}: ") for message in errors]
    general = f"refused with the whole envelope: {problems[0]}" if problems else "refused"
    failures = []
    for item, version in zip(objects, versions, strict=True):
        own = [message for message in problems if message.startswith(item["id"])]
        failures.append({"id": item["id"], "version": version, "message": "; ".join(own)[:2000] or general})
    return failures


def _import_envelope(
    store: Store, settings: Settings, principal: Principal, collection_id: str, objects: list[dict[str, Any]]
) -> TaxiiStatusRecord:
    received = datetime.now(UTC)
    versions = [_version_of(item, stix_timestamp(received)) for item in objects]
    # The same objects make the same bundle, whatever their order: posting again changes nothing.
    key = "\n".join(
        sorted(f"{item['id']}|{version}" for item, version in zip(objects, versions, strict=True))
    )
    bundle = {
        "type": "bundle",
        "id": "bundle--" + deterministic_id("taxii-envelope", key),
        "objects": objects,
    }
    text = json.dumps(bundle, ensure_ascii=False, separators=(",", ":"))
    source = f"taxii:{principal.name}"
    summary = import_bundle(text, settings, store, received_from=principal.user.organization, source=source)
    if summary.ok:
        successes = [{"id": item["id"], "version": v} for item, v in zip(objects, versions, strict=True)]
        failures: list[dict[str, str]] = []
    else:
        successes, failures = [], _failures(objects, versions, summary.errors, source)
    record = TaxiiStatusRecord(
        id=str(uuid.uuid4()),
        collection_id=collection_id,
        user_id=principal.user.id,
        status="complete",
        request_timestamp=received,
        detail={
            "total_count": len(objects),
            "success_count": len(successes),
            "successes": successes,
            "failure_count": len(failures),
            "failures": failures,
            "pending_count": 0,
            "pendings": [],
        },
    )
    store.save_taxii_status(record)
    _audit(
        store,
        principal,
        "taxii.write",
        collection_id,
        {
            "status": record.id,
            "total": len(objects),
            "successes": len(successes),
            "failures": len(failures),
            "stored": summary.stored,
            "replaced": summary.replaced,
        },
    )
    return record


def _status_resource(record: TaxiiStatusRecord) -> dict[str, Any]:
    detail = record.detail
    resource: dict[str, Any] = {
        "id": record.id,
        "status": record.status,
        "request_timestamp": stix_timestamp(record.request_timestamp),
        "total_count": detail["total_count"],
        "success_count": detail["success_count"],
        "failure_count": detail["failure_count"],
        "pending_count": detail["pending_count"],
    }
    for key in ("successes", "failures", "pendings"):
        if detail.get(key):
            resource[key] = detail[key]
    return resource


def _refuse_write(store: Store, principal: Principal, collection_id: str, reason: str) -> None:
    _audit(store, principal, "taxii.write", collection_id, {"refused": reason})


@router.post(
    "/api/collections/{collection_id}/objects/",
    status_code=202,
    summary="Add objects",
    responses=schema.responses(202, schema.STATUS, 403, 404, 413, 415, 422),
    openapi_extra={**schema.parameters(schema.COLLECTION_ID), **schema.ADD_OBJECTS_BODY},
)
async def add_objects(request: Request, principal: Caller) -> Response:
    store, settings = store_of(request), _settings(request)
    collection_id = request.path_params["collection_id"]
    if collection_id != principal.collection_id:
        await run_in_threadpool(_refuse_write, store, principal, collection_id, "not found")
        raise TaxiiError(404, _NOT_FOUND)
    if not await run_in_threadpool(_can_write, store, principal):
        await run_in_threadpool(_refuse_write, store, principal, collection_id, "no write permission")
        raise TaxiiError(403, "this account may read this collection but not add to it")
    if not is_taxii_content(request.headers.get("content-type")):
        raise TaxiiError(415, f"send objects as {TAXII_MEDIA_TYPE}")
    body = await _read_body(request, settings.max_bundle_bytes)
    objects = _envelope_objects(body)
    record = await run_in_threadpool(_import_envelope, store, settings, principal, collection_id, objects)
    return TaxiiJSONResponse(_status_resource(record), status_code=202)


@router.get(
    "/api/status/{status_id}/",
    summary="What became of objects one posted",
    responses=schema.responses(200, schema.STATUS, 404),
    openapi_extra=schema.parameters(schema.STATUS_ID),
)
def get_status(request: Request, principal: Caller) -> Response:
    store, status_id = store_of(request), request.path_params["status_id"]
    record = store.taxii_status(status_id, principal.user.id)
    _audit(store, principal, "taxii.read", request.url.path, {"found": record is not None})
    if record is None:
        raise TaxiiError(404, _NO_STATUS)
    return TaxiiJSONResponse(_status_resource(record))


# --- everything else under /taxii2 ---


@router.api_route("/{rest:path}", methods=_ALL_METHODS, include_in_schema=False)
def elsewhere(request: Request, principal: Caller) -> Response:
    """Not a TAXII endpoint: 405 for a known one asked with another method, a redirect for a missing
    trailing slash (as the rest of the server does), 404 otherwise — all as TAXII errors."""
    known = [
        route for route in router.routes if isinstance(route, APIRoute) and route.endpoint is not elsewhere
    ]
    allowed = sorted(
        {
            m
            for route in known
            if route.matches(request.scope)[0] is Match.PARTIAL
            for m in route.methods or ()
        }
    )
    if allowed:
        raise TaxiiError(405, f"this endpoint answers {', '.join(allowed)}", {"Allow": ", ".join(allowed)})
    path = request.scope["path"]
    toggled = path[:-1] if path.endswith("/") else path + "/"
    if any(route.matches({**request.scope, "path": toggled})[0] is Match.FULL for route in known):
        return RedirectResponse(str(request.url.replace(path=toggled)), status_code=307)
    raise TaxiiError(404, "no such TAXII endpoint")
