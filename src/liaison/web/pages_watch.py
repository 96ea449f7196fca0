"""Watches and alerts in the web UI: ``/watches`` (what the user follows) and ``/alerts`` (what fired).

Each user sees and changes only their own watches and alerts (``liaison.watching`` takes the user's
name): another user's watch or alert id answers the very 404 page of one that does not exist. Alerts are
recorded only for reports the user's organisation may read; the list also leaves out one whose report it
can no longer read. Every change is a form post carrying the session's CSRF token.

The top bar shows the number of unread alerts on every page: ``unread_alerts(principal)`` is a global of
the template environment, so the layout asks for it only when someone is logged in.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from liaison import watching
from liaison.accounts import Principal
from liaison.api.rest_watch import readable_alerts, storable
from liaison.domain import TLP, Alert, Watch, WatchKind
from liaison.errors import InputError, NotFound
from liaison.store import Store
from liaison.web.reading import audit_view
from liaison.web.session import Viewer, settings_of, store_of, verify_csrf
from liaison.web.templates import page_not_found, render, templates

router = APIRouter()

MAX_FORM_VALUE = 500
MAX_URL = 2000
UNREAD_SHOWN = 200
READ_SHOWN = 100
KINDS = (
    (WatchKind.ENTITY, "Entity", "A person, organisation or place by its name, an alias or its ID"),
    (WatchKind.TOPIC, "Topic", "A topic label, e.g. terrorism or cybercrime"),
    (WatchKind.PLACE, "Place", "A country (name or ISO code) or a place name"),
    (WatchKind.QUERY, "Query", "Words that must all appear in a report's text"),
)
FORM_FIELDS = ("kind", "value", "min_tlp", "webhook_url", "email")
# Where the thing a match names is shown: an entity page for a mention or alias, an event page for an
# event; a claim, topic, place or query hit is shown in its report.
_MATCH_PAGES = {"mention": "entities", "alias": "entities", "event": "events"}


def _unread_alerts(store: Store, principal: Principal | None) -> int:
    return 0 if principal is None else watching.unread_count(store, principal.name)


def unread_alerts_for(request: Request) -> int:
    """The badge of the top bar: how many alerts of the logged-in user are unread (0 for nobody)."""
    principal = getattr(request.state, "principal", None)
    return _unread_alerts(store_of(request), principal if isinstance(principal, Principal) else None)


# The layout (base.html) is rendered by every page, including those of other modules: the count is a
# global of the shared environment rather than something each page would have to remember to pass.
templates.env.globals["unread_alerts_for"] = unread_alerts_for


def match_link(kind: str, target_id: str | None, report_id: str) -> str:
    """The page that shows what matched (pages check readability themselves; links reveal nothing)."""
    section = _MATCH_PAGES.get(kind)
    if section and target_id:
        return f"/{section}/{target_id}"
    return f"/reports/{report_id}"


# -- watches ---------------------------------------------------------------------------------------


def _watches_context(store: Store, principal: Principal, **extra: Any) -> dict[str, Any]:
    return {
        "watches": watching.watches_of(store, principal.name),
        "kinds": KINDS,
        "levels": [level.value for level in TLP],
        "form": dict.fromkeys(FORM_FIELDS, ""),
        "error": None,
        "created": None,
        "secret": None,
        "removed": False,
        **extra,
    }


@router.get("/watches", response_class=HTMLResponse)
def watches_page(request: Request, principal: Viewer) -> Response:
    store = store_of(request)
    context = _watches_context(store, principal, removed=request.query_params.get("removed") == "1")
    audit_view(request, principal, {"watches": len(context["watches"])})
    return render(request, "watch/watches.html", context)


async def _form_values(request: Request) -> dict[str, str]:
    form = await request.form()  # already parsed by verify_csrf: no second read of the body
    values = {}
    for name in FORM_FIELDS:
        value = form.get(name)
        limit = MAX_URL if name == "webhook_url" else MAX_FORM_VALUE
        values[name] = value.strip()[:limit] if isinstance(value, str) else ""
    return values


def _new_watch(store: Store, request: Request, principal: Principal, values: dict[str, str]) -> Response:
    try:
        kind = WatchKind(values["kind"])
    except ValueError:
        return _refused(
            store, request, principal, values, "Choose what to watch: entity, topic, place or query."
        )
    if not values["value"]:
        return _refused(store, request, principal, values, "Say what to watch.")
    if not all(storable(value) for value in values.values()):
        return _refused(store, request, principal, values, "A NUL character is not allowed.")
    try:
        min_tlp = TLP.parse(values["min_tlp"]) if values["min_tlp"] else None
    except ValueError:
        return _refused(store, request, principal, values, "Choose a TLP level, or any marking.")
    try:
        watch, secret = watching.add_watch(
            store,
            settings_of(request),
            principal.name,
            kind,
            values["value"],
            min_tlp=min_tlp,
            webhook_url=values["webhook_url"] or None,
            email=values["email"] or None,
        )
    except (InputError, NotFound) as error:
        return _refused(store, request, principal, values, str(error))
    context = _watches_context(store, principal, created=watch, secret=secret)
    return render(request, "watch/watches.html", context, status_code=201)


def _refused(
    store: Store, request: Request, principal: Principal, values: dict[str, str], message: str
) -> Response:
    """The page again, with the form as it was sent and what is wrong with it; nothing was added."""
    context = _watches_context(store, principal, form=values, error=message)
    return render(request, "watch/watches.html", context, status_code=422)


@router.post("/watches", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)])
async def add_watch(request: Request, principal: Viewer) -> Response:
    values = await _form_values(request)
    return await run_in_threadpool(_new_watch, store_of(request), request, principal, values)


@router.post("/watches/{watch_id}/remove", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)])
def remove_watch(request: Request, principal: Viewer, watch_id: str) -> Response:
    if not storable(watch_id):
        raise page_not_found()
    try:
        watching.remove_watch(store_of(request), principal.name, watch_id)
    except NotFound as error:
        raise page_not_found() from error
    return RedirectResponse("/watches?removed=1", status_code=303)


# -- alerts ----------------------------------------------------------------------------------------


def _alert_view(alert: Alert, watches: dict[str, Watch]) -> dict[str, Any]:
    watch = watches.get(alert.watch_id)
    return {
        "alert": alert,
        "watch": watch.label if watch else None,
        # A partner's STIX object has no page of its own: its STIX IDs are shown instead of links.
        "matches": [
            {
                "match": match,
                "link": None if alert.stix_id else match_link(match.kind, match.target_id, match.report_id),
            }
            for match in alert.matches
        ],
    }


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(request: Request, principal: Viewer) -> Response:
    store = store_of(request)
    watches = {w.id: w for w in watching.watches_of(store, principal.name)}
    unread = readable_alerts(
        store, principal, watching.alerts_of(store, principal.name, unread_only=True, limit=UNREAD_SHOWN)
    )
    recent = watching.alerts_of(store, principal.name, limit=UNREAD_SHOWN + READ_SHOWN)
    read = readable_alerts(store, principal, [a for a in recent if a.read][:READ_SHOWN])
    audit_view(request, principal, {"unread": len(unread), "read": len(read)})
    context = {
        "unread": [_alert_view(a, watches) for a in unread],
        "read": [_alert_view(a, watches) for a in read],
        "watch_count": len(watches),
    }
    return render(request, "watch/alerts.html", context)


@router.post("/alerts/read-all", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)])
def read_all_alerts(request: Request, principal: Viewer) -> Response:
    watching.mark_read(store_of(request), principal.name, None)
    return RedirectResponse("/alerts", status_code=303)


@router.post("/alerts/{alert_id}/read", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)])
def read_alert(request: Request, principal: Viewer, alert_id: str) -> Response:
    if not storable(alert_id):
        raise page_not_found()
    try:
        watching.mark_read(store_of(request), principal.name, alert_id)
    except NotFound as error:
        raise page_not_found() from error
    return RedirectResponse("/alerts", status_code=303)
