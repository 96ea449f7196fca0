"""Ingesting reports over the API: a JSON body or a file upload, for the home organisation's analysts.

The body is read up to the report size limit (``LIAISON_MAX_REPORT_BYTES``) plus a small envelope for the
JSON or multipart framing, and refused with 413 past it, before anything is parsed. The report then goes
through ``services.ingest_reports`` like any other: extracted, stored, and published to every
organisation's collection. One ingest runs at a time per process: the store has a single writer.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response, status
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from liaison import services
from liaison.accounts import Principal
from liaison.api.auth import store_of
from liaison.api.json_limits import TOO_DEEP, too_deep
from liaison.api.rest_common import Caller, audit
from liaison.api.rest_models import IngestedReportOut, IngestFailureOut, IngestOut, IngestRequest, ProblemOut
from liaison.domain import TLP, Marking, Report
from liaison.errors import InputError, NotFound
from liaison.ingest import SUPPORTED_SUFFIXES, ReportMetadata
from liaison.settings import Settings
from liaison.store import Store

router = APIRouter()

# JSON escapes and multipart boundaries and fields around a report of the largest size allowed.
ENVELOPE_BYTES = 64 * 1024
# Every ingest runs on this one thread. The NLP libraries keep working memory for each thread that runs
# the models and do not give it back: extraction run in turn on 40 long-lived threads (the size of the
# server's pool of request threads) kept 68 MB more than on one thread (docs/reliability.md, Soak).
_INGEST_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="liaison-ingest")

_FORM_SCHEMA = {
    "type": "object",
    "required": ["file", "tlp"],
    "properties": {
        "file": {
            "type": "string",
            "format": "binary",
            "description": f"One of {', '.join(SUPPORTED_SUFFIXES)}",
        },
        "tlp": {"type": "string"},
        "title": {"type": "string"},
        "source": {"type": "string"},
        "url": {"type": "string"},
        "published": {"type": "string", "format": "date"},
        "language": {"type": "string"},
        "recipients": {"type": "array", "items": {"type": "string"}},
    },
}


class _Refused(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


async def _read_capped(request: Request, cap: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise _Refused(status.HTTP_413_CONTENT_TOO_LARGE, f"the body is over the {cap:,}-byte limit")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > cap:
            raise _Refused(status.HTTP_413_CONTENT_TOO_LARGE, f"the body is over the {cap:,}-byte limit")
    return bytes(body)


async def _once(data: bytes) -> AsyncGenerator[bytes, None]:
    yield data
    yield b""


def _marking(store: Store, tlp: str, names: list[str]) -> Marking:
    try:
        level = TLP.parse(tlp)
    except ValueError as error:
        raise _Refused(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from error
    cleaned = tuple(n.strip() for name in names for n in name.split(",") if n.strip())
    if cleaned and level is not TLP.RED:
        raise _Refused(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            "recipients name who may read a TLP:RED report; use tlp red",
        )
    try:
        return Marking(level, services.red_recipients(store, level.value, cleaned))
    except NotFound as error:
        raise _Refused(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from error


def _json_reports(
    store: Store, settings: Settings, principal: Principal, body: bytes
) -> list[Report | InputError]:
    if too_deep(body):
        raise _Refused(status.HTTP_422_UNPROCESSABLE_CONTENT, TOO_DEEP)
    try:
        given = IngestRequest.model_validate_json(body)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in error.errors())
        raise _Refused(status.HTTP_422_UNPROCESSABLE_CONTENT, problems) from error
    text = given.text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    if not text.strip():
        raise _Refused(status.HTTP_422_UNPROCESSABLE_CONTENT, "the report has no text")
    if len(text.encode("utf-8")) > settings.max_report_bytes:
        raise _Refused(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"the report is over the {settings.max_report_bytes:,}-byte limit",
        )
    report = Report(
        text=text,
        title=given.title,
        source=given.source,
        url=given.url,
        published=given.published,
        language=given.language,
        marking=_marking(store, given.tlp, given.recipients),
        origin=f"api:{principal.name}",
    )
    return [report]


def _file_reports(
    store: Store, settings: Settings, fields: dict[str, Any], name: str, data: bytes
) -> list[Report | InputError]:
    """Read an uploaded file as ``liaison ingest`` reads one from disk; form fields override its own."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise _Refused(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            f"unsupported file kind {suffix or '(none)'!r}; Liaison reads {', '.join(SUPPORTED_SUFFIXES)}",
        )
    if len(data) > settings.max_report_bytes:
        raise _Refused(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"the file is over the {settings.max_report_bytes:,}-byte limit",
        )
    if not fields.get("tlp"):
        raise _Refused(status.HTTP_422_UNPROCESSABLE_CONTENT, "tlp: a marking is required")
    try:
        published = date.fromisoformat(fields["published"]) if fields.get("published") else None
    except ValueError as error:
        raise _Refused(status.HTTP_422_UNPROCESSABLE_CONTENT, "published: use YYYY-MM-DD") from error
    metadata = ReportMetadata(
        fields.get("source") or None,
        fields.get("url") or None,
        published,
        _marking(store, fields["tlp"], fields.get("recipients", [])),
        fields.get("language") or None,
    )
    items = services.read_upload(name, data, settings, metadata)
    if not fields.get("title"):
        return items
    return [item if isinstance(item, InputError) else replace(item, title=fields["title"]) for item in items]


async def _form(headers: Headers, body: bytes) -> tuple[dict[str, Any], str, bytes]:
    try:
        form = await MultiPartParser(headers, _once(body), max_files=1, max_fields=32).parse()
    except MultiPartException as error:
        raise _Refused(status.HTTP_400_BAD_REQUEST, error.message) from error
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise _Refused(status.HTTP_422_UNPROCESSABLE_CONTENT, "file: a multipart upload needs a file")
        data = await upload.read()
        name = Path(upload.filename or "upload.txt").name[:200]
        fields: dict[str, Any] = {
            k: v for k, v in form.multi_items() if isinstance(v, str) and k != "recipients"
        }
        fields["recipients"] = [v for v in form.getlist("recipients") if isinstance(v, str)]
    finally:
        await form.close()
    return fields, name, data


def ingest_one_at_a_time(
    settings: Settings, store: Store, items: list[Report | InputError]
) -> services.IngestSummary:
    """Ingest on the one ingest thread, waiting for it: one ingest at a time (the store has one writer)."""
    return _INGEST_THREAD.submit(services.ingest_reports, items, settings, store, workers=1).result()


@router.post(
    "/reports",
    summary="Ingest a report (home analysts and admins)",
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"model": IngestOut, "description": "Nothing new: the report was already stored."},
        400: {"model": ProblemOut, "description": "A malformed multipart body (or a NUL in the query)."},
        403: {
            "model": ProblemOut,
            "description": "Only analysts and admins of the home organisation ingest.",
        },
        413: {"model": ProblemOut, "description": "Over the report size limit."},
        415: {
            "model": ProblemOut,
            "description": "Neither JSON nor a multipart upload of a supported file kind.",
        },
        422: {
            "model": IngestOut | ProblemOut,
            "description": "Invalid fields (a refusal), or no report could be read (the failures).",
        },
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": IngestRequest.model_json_schema()},
                "multipart/form-data": {"schema": _FORM_SCHEMA},
            },
        }
    },
)
async def ingest_report(request: Request, response: Response, principal: Caller) -> IngestOut:
    store: Store = store_of(request)
    settings: Settings = request.app.state.settings
    try:
        if not principal.can_write:
            raise _Refused(
                status.HTTP_403_FORBIDDEN, "ingesting is for analysts and admins of the home organisation"
            )
        body = await _read_capped(request, settings.max_report_bytes + ENVELOPE_BYTES)
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind == "application/json":
            items = await run_in_threadpool(_json_reports, store, settings, principal, body)
        elif kind == "multipart/form-data":
            fields, name, data = await _form(request.headers, body)
            items = await run_in_threadpool(_file_reports, store, settings, fields, name, data)
        else:
            raise _Refused(
                status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                "send application/json or a multipart/form-data upload",
            )
    except _Refused as refused:
        await run_in_threadpool(audit, request, principal, "api.ingest", {"refused": refused.code})
        raise HTTPException(refused.code, refused.message) from None
    summary = await run_in_threadpool(ingest_one_at_a_time, settings, store, items)
    result = IngestOut(
        stored=summary.stored,
        unchanged=summary.unchanged,
        near_duplicates=summary.near_duplicates,
        reports=[IngestedReportOut(id=i, outcome=o) for i, o in summary.outcomes.items()],
        failures=[IngestFailureOut(source=f.source, message=f.message) for f in summary.failures],
    )
    detail = {"stored": summary.stored, "unchanged": summary.unchanged, "failed": len(summary.failures)}
    await run_in_threadpool(
        audit, request, principal, "api.ingest", {**detail, "reports": sorted(summary.outcomes)[:20]}
    )
    if not summary.stored:
        response.status_code = (
            status.HTTP_200_OK if summary.unchanged else status.HTTP_422_UNPROCESSABLE_CONTENT
        )
    return result
