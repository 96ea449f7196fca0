"""The wire format of TAXII 2.1: media types, error messages, query parameters, timestamps.

Kept apart from the routes (``liaison.api.taxii``) so that each rule of the specification reads in one
place: what a client may send in ``Accept`` and ``Content-Type``, how a bad ``limit`` or ``added_after``
is answered, how ``match[...]`` becomes a store filter, and how timestamps are written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse, Response

from liaison.share.stix_json import version_key
from liaison.store.publication import ObjectFilter

TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"
STIX_MEDIA_TYPE = "application/stix+json;version=2.1"
TAXII_VERSION = "2.1"

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000

# STIX timestamps are UTC, written with a "Z"; any sub-second precision (kept to the microsecond here).
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$")
_VERSION_WORDS = ("first", "last", "all")
_WHOLE_NUMBER = re.compile(r"[0-9]{1,18}")
# ``next`` is a row's ``seq``, a 32-bit INTEGER column: anything larger was never given out, and PostgreSQL
# would refuse to even compare with it (a server error, found by tests/api/test_schema_fuzz.py).
_LARGEST_SEQ = 2**31 - 1


class TaxiiJSONResponse(JSONResponse):
    """JSON with the TAXII 2.1 media type: every response, envelopes included (TAXII 2.1 §3.1)."""

    media_type = TAXII_MEDIA_TYPE


class TaxiiError(HTTPException):
    """An error answered as a TAXII error message (title, description, http_status)."""

    def __init__(self, status_code: int, description: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(status_code, description, headers=dict(headers) if headers else None)


def error_response(status_code: int, description: str, headers: Mapping[str, str] | None = None) -> Response:
    """A TAXII 2.1 error message (§3.6.1); ``http_status`` is a string there."""
    try:
        title = HTTPStatus(status_code).phrase
    except ValueError:
        title = "Error"
    body = {"title": title, "description": description, "http_status": str(status_code)}
    return TaxiiJSONResponse(body, status_code=status_code, headers=dict(headers) if headers else None)


def raw_json_response(
    text: str, status_code: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    """A body already serialised (an envelope made of stored objects' JSON, not parsed again)."""
    return Response(
        content=text.encode("utf-8"),
        status_code=status_code,
        media_type=TAXII_MEDIA_TYPE,
        headers=dict(headers) if headers else None,
    )


def _media_types(header: str) -> list[tuple[str, dict[str, str]]]:
    parsed = []
    for item in header.split(","):
        kind, *parameters = (part.strip() for part in item.split(";"))
        if not kind:
            continue
        values = {}
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            values[name.strip().lower()] = value.strip().strip('"')
        parsed.append((kind.lower(), values))
    return parsed


def accepts_taxii(header: str | None) -> bool:
    """Whether ``Accept`` admits TAXII 2.1: ``application/taxii+json`` (version 2.1 or none), ``*/*``, or
    no header at all."""
    if header is None or not header.strip():
        return True
    for kind, parameters in _media_types(header):
        if parameters.get("q") in ("0", "0.0", "0.00", "0.000"):
            continue
        if kind == "*/*":
            return True
        if kind == "application/taxii+json" and parameters.get("version", TAXII_VERSION) == TAXII_VERSION:
            return True
    return False


def is_taxii_content(header: str | None) -> bool:
    """Whether a request body is declared ``application/taxii+json;version=2.1`` (other parameters, such
    as a charset, are allowed)."""
    parsed = _media_types(header or "")
    if len(parsed) != 1:
        return False
    kind, parameters = parsed[0]
    return kind == "application/taxii+json" and parameters.get("version") == TAXII_VERSION


def require_taxii_accept(request: Request) -> None:
    if not accepts_taxii(request.headers.get("accept")):
        raise TaxiiError(406, f"this server answers with {TAXII_MEDIA_TYPE} only")


def stix_timestamp(moment: datetime) -> str:
    """A moment as a STIX timestamp to the microsecond: what ``date_added`` and the headers carry."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_timestamp(value: str, name: str) -> datetime:
    text = value.strip()
    if not _TIMESTAMP.match(text):
        raise TaxiiError(400, f"{name} is not a STIX timestamp (such as 2024-01-02T03:04:05.000000Z)")
    whole, _, fraction = text[:-1].partition(".")
    try:
        moment = datetime.strptime(whole, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
    except ValueError as error:
        raise TaxiiError(400, f"{name} is not a valid date and time") from error
    return moment.replace(microsecond=int(fraction[:6].ljust(6, "0")) if fraction else 0)


def _single(request: Request, name: str) -> str | None:
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise TaxiiError(400, f"give {name} once")
    return values[0] if values else None


def _listed(request: Request, name: str) -> tuple[str, ...]:
    """A ``match[...]`` parameter: comma-separated values, the parameter possibly repeated."""
    values: list[str] = []
    for raw in request.query_params.getlist(name):
        values.extend(part.strip() for part in raw.split(",") if part.strip())
    return tuple(dict.fromkeys(values))


@dataclass(frozen=True)
class PageRequest:
    """What a paged read asked for: the filter, the page size, and where the previous page ended."""

    where: ObjectFilter
    limit: int
    after_seq: int
    summary: dict[str, Any]  # the filters given, for the audit log


def page_request(
    request: Request, *, ids: tuple[str, ...] | None = None, matches: tuple[str, ...], default_version: str
) -> PageRequest:
    """Parse ``limit``, ``next``, ``added_after`` and the ``match[...]`` filters an endpoint supports
    (``matches``: some of "id", "type", "version", "spec_version"); other parameters are ignored."""
    summary: dict[str, Any] = {}
    limit = DEFAULT_PAGE_SIZE
    raw_limit = _single(request, "limit")
    if raw_limit is not None:
        if not _WHOLE_NUMBER.fullmatch(raw_limit.strip()) or int(raw_limit) < 1:
            raise TaxiiError(400, "limit is a positive whole number")
        limit = min(int(raw_limit), MAX_PAGE_SIZE)  # the server may lower it (TAXII 2.1 §3.4)
        summary["limit"] = limit
    after_seq = 0
    raw_next = _single(request, "next")
    if raw_next is not None:
        if not _WHOLE_NUMBER.fullmatch(raw_next.strip()) or int(raw_next) > _LARGEST_SEQ:
            raise TaxiiError(400, "next is not a value this server gave")
        after_seq = int(raw_next)
        summary["next"] = raw_next.strip()
    added_after = None
    raw_added_after = _single(request, "added_after")
    if raw_added_after is not None:
        added_after = parse_timestamp(raw_added_after, "added_after")
        summary["added_after"] = raw_added_after.strip()
    chosen_ids = ids if ids is not None else (_listed(request, "match[id]") if "id" in matches else ())
    types = _listed(request, "match[type]") if "type" in matches else ()
    spec_versions = _listed(request, "match[spec_version]") if "spec_version" in matches else ()
    requested_versions = _listed(request, "match[version]") if "version" in matches else ()
    words = tuple(v for v in requested_versions if v in _VERSION_WORDS)
    exact = tuple(v for v in requested_versions if v not in _VERSION_WORDS)
    for value in exact:
        parse_timestamp(value, "match[version]")
    if not requested_versions:
        words = (default_version,)
    for name, values in (
        ("ids", () if ids is not None else chosen_ids),
        ("types", types),
        ("versions", requested_versions),
        ("spec_versions", spec_versions),
    ):
        if values:
            summary[name] = list(values[:10]) + ([f"+{len(values) - 10}"] if len(values) > 10 else [])
    where = ObjectFilter(
        added_after=added_after,
        ids=chosen_ids,
        types=types,
        versions=words,
        spec_versions=spec_versions,
        version_keys=tuple(version_key(v) for v in exact),
    )
    return PageRequest(where, limit, after_seq, summary)
