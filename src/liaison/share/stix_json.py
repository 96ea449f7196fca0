"""STIX objects as JSON: one key order, one serialisation, references, timestamps that sort.

Exporting twice must give byte-identical bundles, and an object received from a partner must come out
exactly as it came in, so every object — made here or received — goes through ``ordered`` and is written
by ``bundle_json``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from liaison.domain import deterministic_id

# The properties a reader looks for first; everything else follows in alphabetical order.
_LEADING_KEYS = ("type", "spec_version", "id", "created_by_ref", "created", "modified")

_TIMESTAMP = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$")


def ordered(value: Any) -> Any:
    """A copy of a JSON value with every object's keys in Liaison's order (lists keep theirs)."""
    if isinstance(value, Mapping):
        keys = [k for k in _LEADING_KEYS if k in value]
        keys += sorted(k for k in value if k not in _LEADING_KEYS)
        return {k: ordered(value[k]) for k in keys}
    if isinstance(value, list):
        return [ordered(item) for item in value]
    return value


def canonical_json(value: Any) -> str:
    """Compact JSON with sorted keys: the form received objects are kept in and hashed in."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)


def bundle_json(bundle: Mapping[str, Any]) -> str:
    """The text of a bundle as Liaison writes it (indented, UTF-8, keys in Liaison's order)."""
    return json.dumps(ordered(bundle), ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def bundle_id_for(objects: Iterable[Mapping[str, Any]]) -> str:
    """A bundle's ID derives from its content: the same objects make the same bundle."""
    digest = hashlib.sha256(canonical_json(list(objects)).encode("utf-8")).hexdigest()
    return "bundle--" + deterministic_id("stix-bundle", digest)


def references(value: Any) -> set[str]:
    """Every STIX ID a value refers to: the ``*_ref`` and ``*_refs`` properties at any depth."""
    found: set[str] = set()
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key.endswith("_ref") and isinstance(item, str):
                found.add(item)
            elif key.endswith("_refs") and isinstance(item, list):
                found.update(ref for ref in item if isinstance(ref, str))
            else:
                found.update(references(item))
    elif isinstance(value, list):
        for item in value:
            found.update(references(item))
    return found


def timestamp(moment: datetime) -> datetime:
    """A stored moment in UTC (SQLite returns naive datetimes, PostgreSQL aware ones)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def version_key(stix_timestamp: str) -> str:
    """``modified`` as text that sorts in time order whatever its precision ("" sorts first)."""
    match = _TIMESTAMP.match(stix_timestamp)
    if match is None:
        return stix_timestamp
    day, clock, fraction = match.groups()
    return f"{day}T{clock}.{(fraction or '').ljust(9, '0')}Z"


def is_timestamp(value: str) -> bool:
    return _TIMESTAMP.match(value) is not None
