"""The event page, ``/events/{id}``: what happened, when and where, who took part, and who says so.

The event's type with its PLOVER category (and mode) and CAMEO code, its date and place, its participants
with their roles, every readable source with the sentences that support it, and the figures those sources
give — grouped as ``liaison event`` groups them (``services.compare_figures``), conflicting ones side by
side and never averaged. Only readable accounts tell the event: an event the caller may not read is not
found, exactly as one that does not exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from liaison import services
from liaison.store import ClaimRecord
from liaison.store.readable_records import ReadableClaim, ReadableEventSource
from liaison.web.reading import audit_view, figure_text
from liaison.web.session import Viewer, store_of
from liaison.web.templates import page_not_found, render

router = APIRouter()


@dataclass(frozen=True)
class FigureComparison:
    """Figures of different sources that state the same thing; ``conflicting`` when they cannot all be
    true."""

    unit: str
    period: str | None
    conflicting: bool
    claims: tuple[ReadableClaim, ...]


def compare_event_figures(
    claims: Sequence[ReadableClaim], sources: Sequence[ReadableEventSource]
) -> list[FigureComparison]:
    """Group the figures of an event's sources, conflicts first. The sources all tell this one event, so
    they are one story; a syndicated copy repeats its original and is left out of the comparison."""
    repeated = {s.report_id for s in sources if s.copy_of and s.copy_of in {o.report_id for o in sources}}
    records: list[ClaimRecord] = []
    readable: dict[int, ReadableClaim] = {}
    for claim in claims:
        if claim.report_id in repeated:
            continue
        record = claim.record()
        records.append(record)
        readable[id(record)] = claim
    groups = services.compare_figures(records)
    comparisons = [
        FigureComparison(g.unit, g.period, g.conflicting, tuple(readable[id(r)] for r in g.records))
        for g in groups
    ]
    return sorted(comparisons, key=lambda c: (not c.conflicting, c.unit, c.period or ""))


@router.get("/events/{event_id}", response_class=HTMLResponse)
def event_page(request: Request, principal: Viewer, event_id: str) -> Response:
    detail = store_of(request).readable_event(principal.collection_id, event_id)
    audit_view(request, principal, {"found": detail is not None})
    if detail is None:
        raise page_not_found()
    comparisons = compare_event_figures(detail.claims, detail.sources)
    return render(
        request,
        "events/event.html",
        {
            "event": detail.summary,
            "detail": detail,
            "comparisons": comparisons,
            "conflicts": sum(1 for c in comparisons if c.conflicting),
            "figure": figure_text,
        },
    )
