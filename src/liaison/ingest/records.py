"""JSON and JSON Lines records: ``{"id","title","text","url","source","published","language"}``.

Only ``text`` is required. A ``.json`` file holds one record or a list of records; a ``.jsonl`` file holds
one record per line. A bad line is reported with its number and the other lines are still read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from liaison.domain import Marking, Report
from liaison.errors import InputError, MalformedRecord
from liaison.ingest.text import parse_date, parse_marking
from liaison.json_nesting import nested_deeper_than

RECORD_FIELDS = frozenset({"id", "title", "text", "url", "source", "published", "language", "tlp"})
MAX_JSON_DEPTH = 64


def parse_records(content: str, source: str, lines: bool) -> Iterator[Report | InputError]:
    """Yield a report per record, or a ``MalformedRecord`` error for each invalid one."""
    if lines:
        for number, line in enumerate(content.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                yield record_to_report(_loads(line), source, number)
            except InputError as error:
                yield error
            except ValueError as error:
                yield MalformedRecord(source, number, f"invalid JSON: {error}")
        return
    try:
        data = _loads(content)
    except ValueError as error:
        raise InputError(source, f"invalid JSON: {error}") from error
    if not isinstance(data, list):
        try:
            yield record_to_report(data, source, 0, in_list=False)
        except MalformedRecord as error:
            raise InputError(source, error.problem) from None
        return
    for number, item in enumerate(data):
        try:
            yield record_to_report(item, source, number, in_list=True)
        except InputError as error:
            yield error


def _loads(text: str) -> Any:
    if nested_deeper_than(text, MAX_JSON_DEPTH):
        raise ValueError(f"nested deeper than {MAX_JSON_DEPTH} levels")
    return json.loads(text)


def record_to_report(item: Any, source: str, number: int, in_list: bool = False) -> Report:
    """Validate one record. ``number`` is its line (JSON Lines) or its position in a JSON list."""
    where = f"{source}[{number}]" if in_list else (f"{source}:{number}" if number else source)

    def fail(problem: str) -> InputError:
        return MalformedRecord(source, number, problem, in_list=in_list)

    if not isinstance(item, dict):
        raise fail(f"a record must be a JSON object, not {type(item).__name__}")
    unknown = sorted(set(item) - RECORD_FIELDS)
    if unknown:
        raise fail(f"unknown field(s) {', '.join(unknown)}; allowed: {', '.join(sorted(RECORD_FIELDS))}")
    for key, value in item.items():
        if value is not None and not isinstance(value, str):
            raise fail(f"field {key!r} must be a string")
        if value is not None and not value.isascii() and _has_lone_surrogate(value):
            # "\ud800" is a legal JSON escape but not Unicode text: nothing downstream can encode it.
            raise fail(f"field {key!r} holds a lone surrogate, which is not Unicode text")
    text = item.get("text")
    if not text or not text.strip():
        raise fail("the record has no 'text'")
    return Report(
        text=text.strip(),
        title=item.get("title") or None,
        source=item.get("source") or None,
        url=item.get("url") or None,
        published=parse_date(item["published"], where) if item.get("published") else None,
        language=item.get("language") or None,
        marking=parse_marking(item["tlp"], where) if item.get("tlp") else Marking(),
        external_id=item.get("id") or None,
        origin=where,
    )


def _has_lone_surrogate(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
