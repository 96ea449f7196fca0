"""``GET /api/brief``: an analyst brief (``liaison.briefing``) as the caller's organisation reads the store.

The brief is a self-contained document: served as HTML with a Content-Security-Policy that allows nothing
but its inline styles and data: images, or as a PDF attachment. A subject the caller may not read — or
whose marking is above ``tlp_max`` — answers 404 ``{"detail": "not found"}`` exactly as one that does not
exist. The web UI's ``/brief`` page answers through ``brief_response`` too.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from liaison.accounts import Principal
from liaison.api.auth import store_of
from liaison.api.rest_common import NOT_FOUND_RESPONSE, Caller, audit, not_found, parse_tlp
from liaison.briefing import BriefRequest, build_brief, render_html, render_pdf
from liaison.errors import NotFound
from liaison.settings import Settings

router = APIRouter()

# The brief's own policy: it runs nothing and loads nothing; its styles and SVG are inline.
BRIEF_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'"
)
BriefFormat = Literal["html", "pdf"]
MAX_SUBJECT = 300


def _file_name(subject: str, extension: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", subject).strip("-")[:60] or "subject"
    return f"brief-{slug}.{extension}"


def brief_request(
    entity: str | None,
    topic: str | None,
    place: str | None,
    date_from: date | None,
    date_to: date | None,
    tlp_max: str | None,
) -> BriefRequest:
    """The request, or 422 when it names no subject or several, or a period that ends before it starts."""
    try:
        return BriefRequest(entity, topic, place, date_from, date_to, parse_tlp(tlp_max))
    except ValueError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from error


def brief_response(
    request: Request,
    principal: Principal,
    settings: Settings,
    wanted: BriefRequest,
    output: BriefFormat,
    action: str,
) -> Response:
    """The brief as a response (raises ``NotFound`` for a subject the caller may not brief on)."""
    store = store_of(request)
    brief = build_brief(store, settings, wanted, principal.collection_id, principal.user.organization)
    audit(
        request,
        principal,
        action,
        {
            "subject": brief.subject_id or brief.subject,
            "tlp_max": wanted.tlp_max.value if wanted.tlp_max else None,
            "format": output,
        },
    )
    headers = {"Content-Security-Policy": BRIEF_CSP, "Cache-Control": "no-store"}
    if output == "pdf":
        headers["Content-Disposition"] = f'attachment; filename="{_file_name(brief.subject, "pdf")}"'
        return Response(render_pdf(brief), media_type="application/pdf", headers=headers)
    headers["Content-Disposition"] = f'inline; filename="{_file_name(brief.subject, "html")}"'
    return HTMLResponse(render_html(brief), headers=headers)


@router.get(
    "/brief",
    summary="An analyst brief on an entity, a topic or a place, as HTML or PDF",
    response_class=Response,
    responses={
        200: {
            "description": "The brief: a self-contained HTML document, or a PDF attachment",
            "content": {"text/html": {}, "application/pdf": {}},
        },
        **NOT_FOUND_RESPONSE,
    },
)
async def get_brief(
    request: Request,
    principal: Caller,
    entity: Annotated[
        str | None, Query(max_length=MAX_SUBJECT, description="An entity's ID or name.")
    ] = None,
    topic: Annotated[
        str | None, Query(max_length=MAX_SUBJECT, description="A topic (docs/topics.md).")
    ] = None,
    place: Annotated[str | None, Query(max_length=MAX_SUBJECT, description="A country or a city.")] = None,
    date_from: Annotated[date | None, Query(alias="from", description="Events on or after this day.")] = None,
    date_to: Annotated[date | None, Query(alias="to", description="Events on or before this day.")] = None,
    tlp_max: Annotated[
        str | None, Query(max_length=20, description="Leave out anything marked above this TLP level.")
    ] = None,
    output: Annotated[BriefFormat, Query(alias="format", description="html or pdf.")] = "html",
) -> Response:
    wanted = brief_request(entity, topic, place, date_from, date_to, tlp_max)
    settings: Settings = request.app.state.settings

    def answer() -> Response:
        try:
            return brief_response(request, principal, settings, wanted, output, "api.brief")
        except NotFound as error:
            raise not_found() from error

    return await run_in_threadpool(answer)
