"""CSV tables for analysts' spreadsheets from a Liaison STIX bundle: entities, events and claims.

Every cell that a spreadsheet would read as a formula — one starting with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return — is written with a leading apostrophe (``'=HYPERLINK(…)``), as OWASP recommends
against CSV injection: report text is untrusted, and a name such as ``=HYPERLINK("http://…")`` or a bullet
``- 200 accounts`` must reach the analyst as text, never run. Numbers written by Liaison itself (claim
values) are left as they are. Lists within a cell are joined with ``"; "``; report and entity columns
hold STIX IDs, so the three tables join with each other and with the STIX export.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from liaison.share.bundle_index import EVENT_TYPE, BundleIndex, aliases_of, entity_kind, text_of

ENTITY_COLUMNS = ("id", "type", "name", "aliases", "country", "tlp", "reports")
EVENT_COLUMNS = ("id", "date", "type", "plover", "cameo", "place", "participants", "sources", "status", "tlp")
CLAIM_COLUMNS = ("id", "subject", "value", "qualifier", "unit", "period", "report", "evidence", "tlp")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LIST_SEPARATOR = "; "


def defuse_formula(cell: str) -> str:
    """The cell as text a spreadsheet will not evaluate: a leading apostrophe before a formula start."""
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def bundle_to_csv(bundle: dict[str, Any]) -> dict[str, str]:
    """``{"entities.csv": text, "events.csv": text, "claims.csv": text}`` for a bundle."""
    index = BundleIndex(bundle)
    return {
        "entities.csv": _table(ENTITY_COLUMNS, _entity_rows(index)),
        "events.csv": _table(EVENT_COLUMNS, _event_rows(index)),
        "claims.csv": _table(CLAIM_COLUMNS, _claim_rows(index)),
    }


def _table(columns: tuple[str, ...], rows: list[list[str | int | float]]) -> str:
    buffer = io.StringIO()
    # RFC 4180: CRLF line ends and every cell that needs it quoted; write the text with newline="".
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([defuse_formula(cell) if isinstance(cell, str) else cell for cell in row])
    return buffer.getvalue()


def _entity_rows(index: BundleIndex) -> list[list[str | int | float]]:
    rows: list[list[str | int | float]] = []
    located = _countries_located(index)
    for obj in index.entities():
        rows.append(
            [
                obj["id"],
                entity_kind(obj),
                text_of(obj.get("name")),
                LIST_SEPARATOR.join(aliases_of(obj)),
                text_of(obj.get("country")) if obj["type"] == "location" else located.get(obj["id"], ""),
                index.tlp(obj).value,
                LIST_SEPARATOR.join(index.reports_citing(obj["id"])),
            ]
        )
    rows.sort(key=lambda row: (str(row[1]), str(row[2]).casefold(), str(row[0])))
    return rows


def _countries_located(index: BundleIndex) -> dict[str, str]:
    """For each object ``located-at`` a place with a country code, that code (the first by ID)."""
    found: dict[str, str] = {}
    for rel in index.relationships():
        if rel.get("relationship_type") == "located-at" and rel["source_ref"] not in found:
            place = index.get(rel["target_ref"])
            if place is not None and text_of(place.get("country")):
                found[rel["source_ref"]] = text_of(place.get("country"))
    return found


def _event_rows(index: BundleIndex) -> list[list[str | int | float]]:
    rows: list[list[str | int | float]] = []
    for event in index.of_type(EVENT_TYPE):
        plover, mode = text_of(event.get("plover")), text_of(event.get("plover_mode"))
        place = text_of(event.get("location_ref"))
        participants = [f"{index.name(ref)} ({role})" for ref, role in index.participants(event)]
        rows.append(
            [
                event["id"],
                text_of(event.get("date")),
                text_of(event.get("event_type")) or text_of(event.get("name")),
                f"{plover}/{mode}" if plover and mode else plover,
                text_of(event.get("cameo")),
                index.name(place) if place else "",
                LIST_SEPARATOR.join(participants),
                LIST_SEPARATOR.join(index.event_reports(event)),
                text_of(event.get("status")),
                index.tlp(event).value,
            ]
        )
    rows.sort(key=lambda row: (str(row[1]), str(row[0])))
    return rows


def _claim_rows(index: BundleIndex) -> list[list[str | int | float]]:
    rows: list[list[str | int | float]] = []
    for note in index.claims():
        claim = index.claim(note) or {}
        value = claim.get("value")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        rows.append(
            [
                note["id"],
                text_of(claim.get("subject")) or text_of(note.get("abstract")),
                value if isinstance(value, int | float) and not isinstance(value, bool) else text_of(value),
                text_of(claim.get("qualifier")),
                text_of(claim.get("unit")),
                text_of(claim.get("period")),
                index.claim_report(note),
                text_of(note.get("content")),
                index.tlp(note).value,
            ]
        )
    rows.sort(key=lambda row: (str(row[6]), str(row[1]).casefold(), str(row[0])))
    return rows
