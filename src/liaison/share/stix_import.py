"""Reading a partner's STIX 2.1 bundle: every check before anything is stored.

A bundle is refused as a whole, with every reason found, when it is over the size cap, not JSON (or
nested too deep to read), not a bundle of STIX objects, not STIX 2.1 (a bundle-level ``spec_version`` or
an object whose ``spec_version`` is not 2.1), rejected by the OASIS validator (``liaison.share.validation``),
or when an object refers to an ID that is neither in the bundle nor known to the store ("dangling").
The objects of an accepted bundle are kept exactly as received, as canonical JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from liaison.domain import ReceivedStixObject
from liaison.errors import InvalidBundle
from liaison.json_nesting import nested_deeper_than
from liaison.share.markings import well_known_ids
from liaison.share.stix_json import canonical_json, references, version_key
from liaison.share.validation import validation_errors

# Enough to show what is wrong without flooding a terminal; the count of the rest is given.
MAX_MESSAGES = 25
# Far deeper than any STIX object (extensions included); bounds the parser's recursion on hostile input.
MAX_JSON_DEPTH = 100

KnownIds = Callable[[set[str]], set[str]]


@dataclass(frozen=True)
class ReadBundle:
    """A bundle that passed every check but the references to the store."""

    id: str
    objects: tuple[ReceivedStixObject, ...]
    references: frozenset[str]  # every ID referred to from outside the bundle


def _size(data: Mapping[str, Any] | str | bytes) -> int:
    if isinstance(data, bytes):
        return len(data)
    # Lone surrogates ("\ud800", legal as a JSON escape) are counted, not encoded: they are refused later.
    if isinstance(data, str):
        return len(data.encode("utf-8", "surrogatepass"))
    return len(json.dumps(data, ensure_ascii=False, default=str).encode("utf-8", "surrogatepass"))


def _unicode_errors(bundle: Any) -> list[str]:
    """A lone surrogate is valid JSON (as an escape) but not Unicode text: it cannot be stored or sent on."""
    try:
        json.dumps(bundle, ensure_ascii=False, default=str).encode("utf-8")
    except UnicodeEncodeError as error:
        return [f"a string holds a lone surrogate ({error.object[error.start]!a}), which is not Unicode text"]
    return []


def _parse(data: Mapping[str, Any] | str | bytes, source: str) -> Any:
    if not isinstance(data, str | bytes):
        return data  # already parsed (by a caller that read JSON itself)
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise InvalidBundle(
                source, [f"not UTF-8 text (byte {error.start}); STIX JSON is UTF-8"]
            ) from error
    if nested_deeper_than(data, MAX_JSON_DEPTH):
        raise InvalidBundle(
            source,
            [f"JSON nested too deeply (over {MAX_JSON_DEPTH} levels); a STIX bundle is a few levels deep"],
        )
    try:
        return json.loads(data)
    except json.JSONDecodeError as error:
        raise InvalidBundle(
            source, [f"not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"]
        ) from error
    except RecursionError as error:
        raise InvalidBundle(
            source, ["JSON nested too deeply to read; a STIX bundle is a few levels deep"]
        ) from error


def _structure_errors(bundle: Any) -> list[str]:
    if not isinstance(bundle, dict):
        return [f"a STIX bundle is a JSON object, not {type(bundle).__name__}"]
    problems = []
    if bundle.get("type") != "bundle":
        problems.append(f"type is {bundle.get('type')!r}; a STIX bundle has type 'bundle'")
    if not isinstance(bundle.get("id"), str) or not bundle["id"].startswith("bundle--"):
        problems.append("the bundle has no 'bundle--' id")
    if "spec_version" in bundle:
        problems.append(
            f"the bundle declares spec_version {bundle['spec_version']!r}, as STIX 2.0 bundles do; "
            "Liaison reads STIX 2.1 (objects carry spec_version '2.1', the bundle none)"
        )
    objects = bundle.get("objects", [])
    if not isinstance(objects, list):
        return [*problems, "'objects' is not a list"]
    for index, item in enumerate(objects):
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("type"), str)
            or not isinstance(item.get("id"), str)
        ):
            problems.append(f"objects[{index}] is not a STIX object with a type and an id")
            continue
        version = item.get("spec_version")
        if version is None and "created" in item:
            problems.append(f"{item['id']}: no spec_version; STIX 2.1 objects carry spec_version '2.1'")
        elif version is not None and version != "2.1":
            problems.append(f"{item['id']}: spec_version {version!r}; Liaison reads STIX 2.1 only")
    return problems


def _received(item: Mapping[str, Any]) -> ReceivedStixObject:
    modified = item.get("modified") or item.get("created") or ""
    modified = modified if isinstance(modified, str) else ""
    return ReceivedStixObject(
        id=item["id"],
        type=item["type"],
        spec_version=str(item.get("spec_version", "2.1")),
        modified=modified,
        version_key=version_key(modified),
        json=canonical_json(item),
    )


def _fail(source: str, problems: list[str]) -> InvalidBundle:
    shown = problems[:MAX_MESSAGES]
    if len(problems) > MAX_MESSAGES:
        shown.append(f"… and {len(problems) - MAX_MESSAGES} more")
    return InvalidBundle(source, shown)


def read_bundle(data: Mapping[str, Any] | str | bytes, max_bytes: int, source: str) -> ReadBundle:
    """Parse and check a bundle; raises ``InvalidBundle`` (with every reason) when it is refused."""
    size = _size(data)
    if size > max_bytes:
        problem = f"over the limit of {max_bytes} bytes: split it, or raise LIAISON_MAX_BUNDLE_BYTES"
        raise InvalidBundle(source, [problem])
    bundle = _parse(data, source)
    problems = _structure_errors(bundle) or _unicode_errors(bundle)
    if problems:
        raise _fail(source, problems)
    problems = validation_errors(bundle, for_import=True)
    if problems:
        raise _fail(source, problems)
    objects = bundle.get("objects", [])
    inside = {item["id"] for item in objects}
    outside = {ref for item in objects for ref in references(item)} - inside - well_known_ids()
    return ReadBundle(bundle["id"], tuple(_received(item) for item in objects), frozenset(outside))


def check_references(bundle: ReadBundle, known: KnownIds, source: str) -> None:
    """Refuse a bundle whose objects refer to IDs neither in it nor known to ``known`` (the store)."""
    missing = set(bundle.references) - known(set(bundle.references))
    if not missing:
        return
    problems: list[str] = []
    for item in bundle.objects:
        dangling = sorted(references(json.loads(item.json)) & missing)
        problems.extend(
            f"{item.id} refers to {ref}, which is neither in the bundle nor in the store" for ref in dangling
        )
    raise _fail(source, problems)
