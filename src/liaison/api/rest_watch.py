"""Watches and alerts over the REST API: each caller manages its own watches and reads its own alerts.

Every route acts for the authenticated user only (``liaison.watching`` takes the user's name): another
user's watch or alert answers 404 ``{"detail": "not found"}``, exactly like an id that does not exist.
Alerts are recorded only for reports the user's organisation may read; the lists also leave out an alert
whose report it can no longer read (an agreement narrowed since), so a title never outlives the right to
read it. A webhook secret is shown once, in the answer that creates the watch.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from pydantic import BaseModel, Field, field_validator

from liaison import watching, watching_received
from liaison.accounts import Principal
from liaison.api.auth import store_of
from liaison.api.rest_common import NOT_FOUND_RESPONSE, Caller, Offset, audit, not_found, parse_tlp
from liaison.domain import Alert, Watch, WatchKind
from liaison.errors import InputError, NotFound
from liaison.store import Store

router = APIRouter()

MAX_VALUE = 500


class WatchIn(BaseModel):
    kind: WatchKind = Field(description="entity, topic, place or query.")
    value: str = Field(
        min_length=1,
        max_length=MAX_VALUE,
        description="An entity's name, alias or id; a topic label; a country or place; a full-text query.",
    )
    min_tlp: str | None = Field(
        default=None,
        max_length=20,
        description="Only reports marked at least this TLP level (clear ... red); none: any marking.",
    )
    webhook_url: str | None = Field(
        default=None, max_length=2000, description="POST each alert here, signed (see docs/watch.md)."
    )
    email: str | None = Field(default=None, max_length=320, description="Send each alert to this address.")

    @field_validator("value", "min_tlp", "webhook_url", "email")
    @classmethod
    def _no_nul(cls, value: str | None) -> str | None:
        if value is not None and not storable(value):
            raise ValueError("a NUL character is not allowed")
        return value


class WatchOut(BaseModel):
    id: str
    kind: str
    value: str
    label: str
    min_tlp: str | None
    webhook_url: str | None
    email: str | None
    created: datetime


class CreatedWatchOut(BaseModel):
    watch: WatchOut
    webhook_secret: str | None = Field(
        description="The key of the webhook's HMAC-SHA256 signature: shown this once, never again."
    )


class WatchList(BaseModel):
    items: list[WatchOut]


class AlertMatchOut(BaseModel):
    kind: str = Field(description="mention, event, claim, alias, topic, place or query.")
    target_id: str | None
    label: str
    evidence: str
    report_id: str = Field(description="The stored report, or the STIX ID of the partner's object, it is in.")


class AlertOut(BaseModel):
    id: str
    watch_id: str
    created: datetime
    source_kind: str = Field(description="report (a stored report) or stix (a STIX object a partner sent).")
    report_id: str | None = Field(description="The stored report; null for a partner's STIX object.")
    stix_id: str | None = Field(description="The partner's STIX object (a report or an entity), if so.")
    received_from: str | None = Field(description="The partner that sent the STIX object, if so.")
    report_title: str
    tlp: str
    reason: str
    matches: list[AlertMatchOut]
    read: bool


class AlertPage(BaseModel):
    unread: int = Field(description="How many of the caller's alerts are unread.")
    limit: int
    offset: int
    items: list[AlertOut]


class ChangedOut(BaseModel):
    changed: int = Field(description="How many alerts this marked read (0 when already read).")


def storable(value: str) -> bool:
    """False for text no store can hold (PostgreSQL text has no NUL): never a watch's value or an id."""
    return "\x00" not in value


def watch_out(watch: Watch) -> WatchOut:
    return WatchOut(
        id=watch.id,
        kind=watch.kind.value,
        value=watch.value,
        label=watch.label,
        min_tlp=watch.min_tlp.value if watch.min_tlp else None,
        webhook_url=watch.webhook_url,
        email=watch.email,
        created=watch.created,
    )


def alert_out(alert: Alert) -> AlertOut:
    return AlertOut(
        id=alert.id,
        watch_id=alert.watch_id,
        created=alert.created,
        source_kind=alert.source_kind,
        report_id=alert.report_id,
        stix_id=alert.stix_id,
        received_from=alert.received_from,
        report_title=alert.report_title,
        tlp=alert.tlp.value,
        reason=alert.reason,
        matches=[
            AlertMatchOut(
                kind=m.kind, target_id=m.target_id, label=m.label, evidence=m.evidence, report_id=m.report_id
            )
            for m in alert.matches
        ],
        read=alert.read,
    )


def readable_alerts(store: Store, principal: Principal, alerts: list[Alert]) -> list[Alert]:
    """The alerts whose report, or received STIX object, the caller's organisation may still read (the
    web pages use it too)."""
    return [a for a in alerts if watching_received.alert_is_readable(store, principal.collection_id, a)]


@router.get("/watches", summary="The caller's watches")
def list_watches(request: Request, principal: Caller) -> WatchList:
    watches = watching.watches_of(store_of(request), principal.name)
    audit(request, principal, "api.read", {"returned": len(watches)})
    return WatchList(items=[watch_out(w) for w in watches])


@router.post(
    "/watches",
    summary="Watch an entity, topic, place or query",
    status_code=status.HTTP_201_CREATED,
    responses={422: {"description": "The value cannot be watched (unknown, ambiguous, refused URL)."}},
)
def add_watch(request: Request, principal: Caller, body: WatchIn) -> CreatedWatchOut:
    try:
        watch, secret = watching.add_watch(
            store_of(request),
            request.app.state.settings,
            principal.name,
            body.kind,
            body.value.strip(),
            min_tlp=parse_tlp(body.min_tlp),
            webhook_url=(body.webhook_url or "").strip() or None,
            email=(body.email or "").strip() or None,
        )
    except (InputError, NotFound) as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from error
    return CreatedWatchOut(watch=watch_out(watch), webhook_secret=secret)


@router.delete(
    "/watches/{watch_id}",
    summary="Stop watching",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=NOT_FOUND_RESPONSE,
)
def remove_watch(request: Request, principal: Caller, watch_id: str) -> Response:
    if not storable(watch_id):
        raise not_found()
    try:
        watching.remove_watch(store_of(request), principal.name, watch_id)
    except NotFound as error:
        raise not_found() from error
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/alerts", summary="The caller's alerts, newest first")
def list_alerts(
    request: Request,
    principal: Caller,
    unread: Annotated[bool, Query(description="Only alerts not yet marked read.")] = False,
    limit: Annotated[int, Query(ge=1, le=500, description="How many alerts at most.")] = 100,
    offset: Offset = 0,
) -> AlertPage:
    store = store_of(request)
    alerts = watching.alerts_of(store, principal.name, unread_only=unread, limit=limit, offset=offset)
    shown = readable_alerts(store, principal, alerts)
    audit(request, principal, "api.read", {"returned": len(shown)})
    return AlertPage(
        unread=watching.unread_count(store, principal.name),
        limit=limit,
        offset=offset,
        items=[alert_out(a) for a in shown],
    )


@router.post("/alerts/read-all", summary="Mark every alert of the caller read")
def read_all_alerts(request: Request, principal: Caller) -> ChangedOut:
    changed = watching.mark_read(store_of(request), principal.name, None)
    audit(request, principal, "api.alerts.read", {"changed": changed})
    return ChangedOut(changed=changed)


@router.post("/alerts/{alert_id}/read", summary="Mark one alert read", responses=NOT_FOUND_RESPONSE)
def read_alert(request: Request, principal: Caller, alert_id: str) -> ChangedOut:
    if not storable(alert_id):
        raise not_found()
    try:
        changed = watching.mark_read(store_of(request), principal.name, alert_id)
    except NotFound as error:
        raise not_found() from error
    audit(request, principal, "api.alerts.read", {"changed": changed})
    return ChangedOut(changed=changed)
