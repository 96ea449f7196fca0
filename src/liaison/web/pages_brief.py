"""The brief page, ``/brief``: a form (subject, period, TLP limit, format) and the brief it makes,
``/brief/document``, as the caller's organisation reads the store (``liaison.briefing``).

Both are GET: making a brief changes nothing. The document is answered by ``rest_brief.brief_response``, as
``GET /api/brief`` answers it: self-contained HTML under its own strict policy, or a PDF attachment. A
subject the caller may not brief on gives the same 404 page as an unknown one.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from liaison.api.rest_brief import MAX_SUBJECT, BriefFormat, brief_request, brief_response
from liaison.domain import TLP
from liaison.errors import NotFound
from liaison.web.session import Viewer, settings_of
from liaison.web.templates import page_not_found, render

router = APIRouter()

SUBJECT_KINDS = ("entity", "topic", "place")


def _form_values(request: Request) -> dict[str, str]:
    query = request.query_params
    kind = query.get("kind", "")
    values = {name: (query.get(name) or "").strip()[:MAX_SUBJECT] for name in (*SUBJECT_KINDS, "from", "to")}
    values["tlp_max"] = (query.get("tlp_max") or "").strip()[:20]
    values["format"] = "pdf" if query.get("format") == "pdf" else "html"
    # the form has one subject box and a kind selector; links (the entity page) give entity= directly
    subject = (query.get("subject") or "").strip()[:MAX_SUBJECT]
    if kind in SUBJECT_KINDS and subject:
        values[kind] = subject
    values["kind"] = next(
        (k for k in SUBJECT_KINDS if values[k]), kind if kind in SUBJECT_KINDS else "entity"
    )
    values["subject"] = values[values["kind"]]
    return values


def _day(value: str, problems: list[str], label: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(f"{label}: give a day as YYYY-MM-DD.")
        return None


def _form(request: Request, values: dict[str, Any], problems: list[str], status_code: int = 200) -> Response:
    context = {
        "values": values,
        "problems": problems,
        "tlp_levels": [level.value for level in TLP],
        "kinds": SUBJECT_KINDS,
    }
    return render(request, "brief/form.html", context, status_code=status_code)


@router.get("/brief", response_class=HTMLResponse)
def brief_form(request: Request, principal: Viewer) -> Response:
    return _form(request, _form_values(request), [])


@router.get("/brief/document")
async def brief_document(request: Request, principal: Viewer) -> Response:
    values = _form_values(request)
    problems: list[str] = []
    since, until = _day(values["from"], problems, "From"), _day(values["to"], problems, "To")
    try:
        wanted = brief_request(
            values["entity"] or None,
            values["topic"] or None,
            values["place"] or None,
            since,
            until,
            values["tlp_max"] or None,
        )
    except HTTPException as error:
        problems.append(str(error.detail))
    if problems:
        return _form(request, values, problems, 422)
    settings = settings_of(request)
    output: BriefFormat = "pdf" if values["format"] == "pdf" else "html"

    def answer() -> Response:
        try:
            return brief_response(request, principal, settings, wanted, output, "web.brief")
        except NotFound as error:
            raise page_not_found() from error

    return await run_in_threadpool(answer)
