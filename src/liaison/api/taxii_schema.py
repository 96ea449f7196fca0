"""How the TAXII 2.1 routes are described in the server's OpenAPI schema (``/openapi.json``).

The routes read their parameters from the request themselves (``liaison.api.taxii_protocol``: TAXII has
its own rules for ``limit``, ``next``, ``added_after`` and ``match[...]``, and answers a bad one with a
TAXII error, never FastAPI's 422), so FastAPI cannot see them: they are described here instead — the path
and query parameters, each resource's shape under the TAXII media type, and every error status a route
can answer, each a TAXII error message. A client generated from the schema, or a fuzzer driven by it
(``tests/api/test_schema_fuzz.py``), sees what the server really does.
"""

from __future__ import annotations

from typing import Any

from liaison.api.taxii_protocol import TAXII_MEDIA_TYPE

_STRING = {"type": "string"}
_STRINGS = {"type": "array", "items": _STRING}

ERROR_MESSAGE = {
    "type": "object",
    "description": "A TAXII 2.1 error message (section 3.6.1).",
    "required": ["title", "http_status"],
    "properties": {"title": _STRING, "description": _STRING, "http_status": _STRING},
}
DISCOVERY = {
    "type": "object",
    "required": ["title"],
    "properties": {"title": _STRING, "description": _STRING, "default": _STRING, "api_roots": _STRINGS},
}
API_ROOT = {
    "type": "object",
    "required": ["title", "versions", "max_content_length"],
    "properties": {
        "title": _STRING,
        "description": _STRING,
        "versions": _STRINGS,
        "max_content_length": {"type": "integer"},
    },
}
COLLECTION = {
    "type": "object",
    "required": ["id", "title", "can_read", "can_write"],
    "properties": {
        "id": _STRING,
        "title": _STRING,
        "description": _STRING,
        "can_read": {"type": "boolean"},
        "can_write": {"type": "boolean"},
        "media_types": _STRINGS,
    },
}
COLLECTIONS = {"type": "object", "properties": {"collections": {"type": "array", "items": COLLECTION}}}
_STIX_OBJECT = {
    "type": "object",
    "required": ["type", "id"],
    "properties": {"type": _STRING, "id": _STRING, "spec_version": _STRING},
}
_PAGING = {"more": {"type": "boolean"}, "next": _STRING}
ENVELOPE = {
    "type": "object",
    "properties": {**_PAGING, "objects": {"type": "array", "minItems": 1, "items": _STIX_OBJECT}},
}
MANIFEST = {
    "type": "object",
    "properties": {
        **_PAGING,
        "objects": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "date_added", "version"],
                "properties": {
                    "id": _STRING,
                    "date_added": _STRING,
                    "version": _STRING,
                    "media_type": _STRING,
                },
            },
        },
    },
}
VERSIONS = {"type": "object", "properties": {**_PAGING, "versions": {**_STRINGS, "minItems": 1}}}
_STATUS_DETAILS = {"type": "array", "items": {"type": "object"}}
STATUS = {
    "type": "object",
    "required": [
        "id",
        "status",
        "total_count",
        "success_count",
        "failure_count",
        "pending_count",
    ],
    "properties": {
        "id": _STRING,
        "status": {"type": "string", "enum": ["complete", "pending"]},
        "request_timestamp": _STRING,
        "total_count": {"type": "integer"},
        "success_count": {"type": "integer"},
        "failure_count": {"type": "integer"},
        "pending_count": {"type": "integer"},
        "successes": _STATUS_DETAILS,
        "failures": _STATUS_DETAILS,
        "pendings": _STATUS_DETAILS,
    },
}

_ERRORS = {
    400: "A query parameter is not valid (limit, next, added_after, match[version], or a NUL).",
    401: "No valid credentials (HTTP Basic or a bearer token).",
    403: "The account may read this collection but not add to it.",
    404: "No such collection, object or status — or one the caller may not read: the two are not told apart.",
    406: f"The Accept header does not admit {TAXII_MEDIA_TYPE}.",
    413: "The body is over the API root's max_content_length.",
    415: f"The body is not declared {TAXII_MEDIA_TYPE}.",
    422: "The body is not a TAXII envelope of STIX objects, or the objects were refused.",
    429: "Too many failed authentication attempts from this client or for this user.",
}
_DATE_ADDED_HEADERS = {
    "X-TAXII-Date-Added-First": {"description": "date_added of the first item returned", "schema": _STRING},
    "X-TAXII-Date-Added-Last": {"description": "date_added of the last item returned", "schema": _STRING},
}


def _path(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": _STRING}


def _query(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or _STRING,
    }


COLLECTION_ID = _path("collection_id", "The caller's collection (see GET /taxii2/api/collections/).")
OBJECT_ID = _path("object_id", "A STIX identifier, such as indicator--<UUID>.")
STATUS_ID = _path("status_id", "The id of a status resource returned by adding objects.")
_PAGING_PARAMETERS = [
    _query(
        "limit", "How many items at most (the server may return fewer; at most 1000).", {"type": "integer"}
    ),
    _query("next", "The value of next in the previous page: continue from there."),
    _query("added_after", "Only what was added after this STIX timestamp (2024-01-02T03:04:05.000Z)."),
]
_MATCHES = {
    "id": "STIX IDs, comma-separated.",
    "type": "STIX object types, comma-separated.",
    "version": "first, last, all, or STIX timestamps (modified), comma-separated.",
    "spec_version": "STIX specification versions (2.1), comma-separated.",
}


def _match(name: str) -> dict[str, Any]:
    return _query(f"match[{name}]", _MATCHES[name])


def parameters(*path: dict[str, Any], matches: tuple[str, ...] = (), paged: bool = False) -> dict[str, Any]:
    """``openapi_extra`` declaring a route's path parameters, and its TAXII query parameters."""
    query = (_PAGING_PARAMETERS if paged else []) + [_match(name) for name in matches]
    return {"parameters": [*path, *query]}


def responses(
    success: int, schema: dict[str, Any], *errors: int, paged: bool = False
) -> dict[int | str, dict[str, Any]]:
    """The answers of a route: ``success`` with ``schema``, and 400, 401, 406, 429 and ``errors`` as TAXII
    error messages — every one under the TAXII media type."""
    answers: dict[int | str, dict[str, Any]] = {
        success: {
            "description": "The resource.",
            "content": {TAXII_MEDIA_TYPE: {"schema": schema}},
            **({"headers": _DATE_ADDED_HEADERS} if paged else {}),
        }
    }
    for code in sorted({400, 401, 406, 429, *errors}):
        answers[code] = {
            "description": _ERRORS[code],
            "content": {TAXII_MEDIA_TYPE: {"schema": ERROR_MESSAGE}},
        }
    return answers


ADD_OBJECTS_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            TAXII_MEDIA_TYPE: {
                "schema": {
                    "type": "object",
                    "required": ["objects"],
                    "properties": {"objects": {"type": "array", "minItems": 1, "items": _STIX_OBJECT}},
                }
            }
        },
    }
}
