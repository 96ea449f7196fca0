"""The report pages: ``/reports`` (the reports the caller may read) and ``/reports/{id}`` (the reader).

The reader shows the report's text with what was read in it highlighted by type — entity mentions (each
naming its canonical entity), time expressions and event triggers — built server-side from character
offsets with every piece of the text escaped (``liaison.web.highlight``), and a side panel with the
extraction (entities, roles, events, figures) and the report's source, language, date (and whether it was
inferred from the text), TLP marking and near-duplicates. Everything comes from the caller's collection:
a report the caller may not read is answered with the very page of one that does not exist.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from liaison.domain import TLP
from liaison.store.readable_records import MentionedEntity, ReadableReportDetail
from liaison.store.readable_web import ReportMarks
from liaison.web.highlight import (
    Highlight,
    highlighted_text,
    mention_highlight,
    timex_highlight,
    trigger_highlight,
)
from liaison.web.reading import (
    MAX_PAGE_NUMBER,
    PAGE_SIZE,
    audit_view,
    figure_text,
    page_count,
    page_offset,
    web_link,
)
from liaison.web.session import Viewer, store_of
from liaison.web.templates import page_not_found, render

router = APIRouter()

# Order of entity types in the side panel and the legend: who, then where, then what.
ENTITY_TYPE_ORDER = ("person", "organization", "country", "location", "nationality", "named_event")


@dataclass(frozen=True)
class EntityInReport:
    id: str
    name: str
    type: str
    mentions: int


def _tlp_value(value: str | None) -> str | None:
    """The TLP level of a facet, or None when absent or not a level (the list is then unfiltered)."""
    if not value or not value.strip():
        return None
    try:
        return TLP.parse(value.strip().replace(" ", "+")).value
    except ValueError:
        return None


def _day(value: str | None) -> date | None:
    """A day from a facet (an empty date field sends ""), or None when there is none or it is no day."""
    try:
        return date.fromisoformat(value.strip()) if value and value.strip() else None
    except ValueError:
        return None


def _type_rank(entity_type: str) -> int:
    return (
        ENTITY_TYPE_ORDER.index(entity_type) if entity_type in ENTITY_TYPE_ORDER else len(ENTITY_TYPE_ORDER)
    )


def entities_in_report(mentions: tuple[MentionedEntity, ...]) -> list[EntityInReport]:
    """Each readable canonical entity of the report once, with how often it is mentioned."""
    counts = Counter(m.entity_id for m in mentions)
    first = {m.entity_id: m for m in reversed(mentions)}
    return sorted(
        (EntityInReport(i, first[i].name, first[i].type, counts[i]) for i in counts),
        key=lambda e: (_type_rank(e.type), -e.mentions, e.name.casefold(), e.id),
    )


def report_highlights(detail: ReadableReportDetail, marks: ReportMarks) -> list[Highlight]:
    highlights = [mention_highlight(m.start, m.end, m.entity_id, m.name, m.type) for m in detail.mentions]
    highlights += [timex_highlight(t.start, t.end, t.value, t.type) for t in marks.times]
    highlights += [
        trigger_highlight(t.start, t.end, t.event_id, t.event_type, t.plover) for t in marks.triggers
    ]
    return highlights


@router.get("/reports", response_class=HTMLResponse)
def report_list(
    request: Request,
    principal: Viewer,
    page: str = "1",
    language: str = "",
    tlp: str = "",
    topic: str = "",
    since: str = "",
) -> Response:
    # Facets come from a form whose empty fields arrive as "": anything unusable filters nothing.
    number = (
        int(page)
        if page.isascii() and page.isdigit() and len(page) <= 6 and 0 < int(page) <= MAX_PAGE_NUMBER
        else 1
    )
    language, topic = language.strip()[:16], topic.strip()[:64]
    level = _tlp_value(tlp[:16])
    day = _day(since[:10])
    found = store_of(request).readable_reports(
        principal.collection_id,
        limit=PAGE_SIZE,
        offset=page_offset(number),
        since=day,
        language=language or None,
        tlp=level,
        topic=topic or None,
    )
    audit_view(request, principal, {"total": found.total, "returned": len(found.items)})
    filters = {
        "language": language,
        "tlp": level or "",
        "topic": topic,
        "since": day.isoformat() if day else "",
    }
    return render(
        request,
        "reports/list.html",
        {
            "reports": found.items,
            "total": found.total,
            "page": number,
            "pages": page_count(found.total),
            "filters": filters,
            "query": {key: value for key, value in filters.items() if value},
            "levels": [level.value for level in TLP],
        },
    )


@router.get("/reports/{report_id}", response_class=HTMLResponse)
def report_reader(request: Request, principal: Viewer, report_id: str) -> Response:
    store = store_of(request)
    detail = store.readable_report(principal.collection_id, report_id)
    audit_view(request, principal, {"found": detail is not None})
    if detail is None:
        raise page_not_found()
    marks = store.readable_report_marks(principal.collection_id, detail.summary.id)
    context: dict[str, Any] = {
        "report": detail.summary,
        "detail": detail,
        "text_html": highlighted_text(detail.text, report_highlights(detail, marks)),
        "source_link": web_link(detail.summary.url),
        # Who else a RED report went to is the home organisation's business (as in the REST API).
        "recipients": detail.recipients if principal.user.home else (),
        "entities": entities_in_report(detail.mentions),
        "time_count": len(marks.times),
        "trigger_count": len(marks.triggers),
        "entity_types": sorted({m.type for m in detail.mentions}, key=_type_rank),
        "figure": figure_text,
    }
    return render(request, "reports/reader.html", context)
