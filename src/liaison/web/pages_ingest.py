"""Ingesting from the web UI: upload a file or give a URL, with a marking — home analysts and admins.

A report goes through ``services.ingest_reports`` exactly as one from ``liaison ingest`` or the REST API:
read (``services.read_reports`` for a file, ``collection.fetch_reports`` for a page, which refuses
private and loopback addresses), extracted, stored and published to every organisation's collection.
Ingests share the REST API's lock: the store has a single writer.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from liaison import services
from liaison.accounts import Principal
from liaison.api.rest_ingest import ingest_one_at_a_time
from liaison.collection import fetch_reports
from liaison.domain import TLP, Marking, Report
from liaison.errors import InputError, NotFound
from liaison.ingest import SUPPORTED_SUFFIXES, ReportMetadata
from liaison.settings import Settings
from liaison.store import Store
from liaison.web.session import Viewer, settings_of, store_of, verify_csrf
from liaison.web.templates import PageError, render

router = APIRouter()

MAX_FIELD = 500


class _Invalid(Exception):
    """A field of the form that cannot be used: shown above the form, nothing is ingested."""


def _require_writer(principal: Principal) -> None:
    if not principal.can_write:
        raise PageError(403, "Ingesting is for analysts and administrators of the home organisation.")


def _context(store: Store, **extra: Any) -> dict[str, Any]:
    partners = [o.name for o in store.organizations() if not o.home]
    return {
        "levels": [level.value for level in TLP],
        "organizations": partners,
        "suffixes": SUPPORTED_SUFFIXES,
        "error": None,
        "result": None,
        **extra,
    }


# Page routes are plain functions where they can be: FastAPI runs them in its thread pool.
@router.get("/ingest", include_in_schema=False)
def ingest_page(request: Request, principal: Viewer) -> Response:
    _require_writer(principal)
    return render(request, "home/ingest.html", _context(store_of(request)))


def _metadata(store: Store, fields: dict[str, list[str]]) -> ReportMetadata:
    def one(name: str) -> str:
        return (fields.get(name) or [""])[0].strip()[:MAX_FIELD]

    try:
        level = TLP.parse(one("tlp"))
    except ValueError as error:
        raise _Invalid("Choose a TLP marking.") from error
    names = tuple(n.strip() for given in fields.get("recipients", []) for n in given.split(",") if n.strip())
    if names and level is not TLP.RED:
        raise _Invalid("Recipients name who may read a TLP:RED report; choose TLP:RED or no recipients.")
    try:
        marking = Marking(level, services.red_recipients(store, level.value, names))
    except NotFound as error:
        raise _Invalid(str(error)) from error
    try:
        published = date.fromisoformat(one("published")) if one("published") else None
    except ValueError as error:
        raise _Invalid("Published: write the date as YYYY-MM-DD.") from error
    return ReportMetadata(
        one("source") or None, one("url") or None, published, marking, one("language") or None
    )


async def _form(request: Request) -> tuple[dict[str, list[str]], UploadFile | None]:
    form = await request.form()
    fields: dict[str, list[str]] = {}
    upload = None
    for key, value in form.multi_items():
        if isinstance(value, str):
            fields.setdefault(key, []).append(value)
        elif key == "file":
            upload = value
    return fields, upload


def _read_upload(
    settings: Settings, metadata: ReportMetadata, name: str, data: bytes
) -> list[Report | InputError]:
    """Read an uploaded file as ``liaison ingest`` reads one from disk, named by its upload name."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise _Invalid(f"Liaison reads {', '.join(SUPPORTED_SUFFIXES)} files, not {suffix or 'this kind'}.")
    if len(data) > settings.max_report_bytes:
        raise _Invalid(f"The file is over the {settings.max_report_bytes:,}-byte limit.")
    return services.read_upload(name, data, settings, metadata)


def _outcome(store: Store, principal: Principal, summary: services.IngestSummary) -> dict[str, Any]:
    reports = [
        {
            "id": report_id,
            "outcome": outcome,
            # a RED report for other organisations is stored, but not the ingesting one's to open
            "readable": store.is_readable(principal.collection_id, "report", report_id),
        }
        for report_id, outcome in summary.outcomes.items()
    ]
    failures = [{"source": f.source, "message": f.message} for f in summary.failures]
    return {
        "stored": summary.stored,
        "unchanged": summary.unchanged,
        "reports": reports,
        "failures": failures,
    }


def _run(
    store: Store,
    settings: Settings,
    principal: Principal,
    path: str,
    fields: dict[str, list[str]],
    upload: tuple[str, bytes] | None,
) -> tuple[dict[str, Any], int]:
    """Read, ingest and audit; the page's context and status. ``upload`` is None for a URL."""
    try:
        metadata = _metadata(store, fields)
        title = (fields.get("title") or [""])[0].strip()[:MAX_FIELD]
        if upload is not None:
            items = _read_upload(settings, metadata, *upload)
        else:
            address = (fields.get("address") or [""])[0].strip()[:2000]
            if not address.lower().startswith(("http://", "https://")):
                raise _Invalid("Give the address of a web page (http:// or https://).")
            items = fetch_reports([address], settings, metadata)
        if title:
            items = [replace(item, title=title) if isinstance(item, Report) else item for item in items]
    except _Invalid as invalid:
        store.append_audit(principal.name, "web.ingest", path, {"refused": str(invalid)[:200]})
        return _context(store, error=str(invalid)), 422
    summary = ingest_one_at_a_time(settings, store, items)
    detail = {"stored": summary.stored, "unchanged": summary.unchanged, "failed": len(summary.failures)}
    store.append_audit(
        principal.name, "web.ingest", path, {**detail, "reports": sorted(summary.outcomes)[:20]}
    )
    status = 200 if summary.stored or summary.unchanged else 422
    return _context(store, result=_outcome(store, principal, summary)), status


async def _ingest(request: Request, principal: Principal, kind: str) -> Response:
    _require_writer(principal)
    store, settings = store_of(request), settings_of(request)
    fields, upload = await _form(request)
    given: tuple[str, bytes] | None = None
    if kind == "upload":
        if upload is None or not upload.filename:
            context = await run_in_threadpool(_context, store, error="Choose a file to upload.")
            return render(request, "home/ingest.html", context, status_code=422)
        given = (Path(upload.filename).name[:200], await upload.read(settings.max_report_bytes + 1))
    context, status = await run_in_threadpool(
        _run, store, settings, principal, request.url.path, fields, given
    )
    return render(request, "home/ingest.html", context, status_code=status)


@router.post("/ingest/upload", include_in_schema=False, dependencies=[Depends(verify_csrf)])
async def ingest_upload(request: Request, principal: Viewer) -> Response:
    return await _ingest(request, principal, "upload")


@router.post("/ingest/url", include_in_schema=False, dependencies=[Depends(verify_csrf)])
async def ingest_url(request: Request, principal: Viewer) -> Response:
    return await _ingest(request, principal, "url")
