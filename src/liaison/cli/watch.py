"""Watchlists and alerts: ``liaison watch add|list|remove``, ``liaison alerts``, ``liaison alerts deliver``.

Every command acts for one user: ``--user NAME``, else ``LIAISON_USER``, else the home organisation's only
administrator. Adding and removing watches and delivering alerts are audited under that user's name.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.table import Table

from liaison import alert_delivery, watching
from liaison.cli.common import (
    DbOption,
    JsonOption,
    add_row,
    app,
    fail,
    out,
    print_json,
    settings_for,
    store_session,
)
from liaison.domain import TLP, AccountRole, Alert, Watch, WatchKind
from liaison.store import Store

watch_app = typer.Typer(
    help="Watch an entity, topic, place or query and be alerted on new reports.", no_args_is_help=True
)
app.add_typer(watch_app, name="watch")
alerts_app = typer.Typer(help="Alerts raised by your watches: list, mark read, deliver.")
app.add_typer(alerts_app, name="alerts")

# `alerts deliver --wait` sleeps at most this long between passes, so a new alert's retry is not late.
WAIT_STEP_SECONDS = 30.0

UserOption = Annotated[
    str | None,
    typer.Option(
        "--user",
        envvar="LIAISON_USER",
        help="Act for this user (default: LIAISON_USER, else the home organisation's only administrator).",
        show_default=False,
    ),
]


def _acting_user(store: Store, name: str | None) -> str:
    if name:
        return store.user(name).name
    admins = [u for u in store.users() if u.home and u.role is AccountRole.ADMIN and not u.disabled]
    if len(admins) != 1:
        fail("say which user acts: --user NAME or LIAISON_USER (there is no single home administrator)", 2)
    return admins[0].name


def _watch_dict(watch: Watch) -> dict[str, Any]:
    return {
        "id": watch.id,
        "user": watch.user,
        "kind": watch.kind.value,
        "value": watch.value,
        "label": watch.label,
        "min_tlp": watch.min_tlp.value if watch.min_tlp else None,
        "webhook_url": watch.webhook_url,
        "email": watch.email,
        "created": watch.created.isoformat(),
    }


def _alert_dict(alert: Alert) -> dict[str, Any]:
    return {**alert_delivery.alert_payload(alert), "read": alert.read}


@watch_app.command("add")
def watch_add(
    ctx: typer.Context,
    value: Annotated[
        str | None,
        typer.Argument(help="The entity to watch: a name, alias or id.", show_default=False),
    ] = None,
    topic: Annotated[
        str | None, typer.Option("--topic", help="Watch a topic, e.g. terrorism.", show_default=False)
    ] = None,
    place: Annotated[
        str | None,
        typer.Option("--place", help="Watch a country (name or ISO code) or a place.", show_default=False),
    ] = None,
    query: Annotated[
        str | None,
        typer.Option("--query", help="Watch a full-text query over report text.", show_default=False),
    ] = None,
    kind: Annotated[
        WatchKind, typer.Option("--kind", help="What VALUE is (instead of the options above).", hidden=True)
    ] = WatchKind.ENTITY,
    min_tlp: Annotated[
        str | None,
        typer.Option("--min-tlp", help="Only reports marked at least this level (default: any marking)."),
    ] = None,
    webhook: Annotated[
        str | None,
        typer.Option("--webhook", help="POST each alert, signed, to this URL.", show_default=False),
    ] = None,
    webhook_secret_env: Annotated[
        str | None,
        typer.Option(
            "--webhook-secret-env",
            help="Sign with the secret in this environment variable (default: a new one, shown once).",
            show_default=False,
        ),
    ] = None,
    email: Annotated[
        str | None, typer.Option("--email", help="E-mail each alert to this address.", show_default=False)
    ] = None,
    user: UserOption = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Watch an ENTITY, a --topic, a --place or a --query: new matching reports raise alerts."""
    given = [(k, v) for k, v in ((kind, value), (WatchKind.TOPIC, topic), (WatchKind.PLACE, place)) if v]
    given += [(WatchKind.QUERY, query)] if query else []
    if len(given) != 1:
        fail("give exactly one of ENTITY, --topic T, --place P or --query Q", code=2)
    kind, watched = given[0]
    try:
        level = TLP.parse(min_tlp) if min_tlp else None
    except ValueError as error:
        fail(str(error), code=2)
    secret = None
    if webhook_secret_env:
        secret = os.environ.get(webhook_secret_env, "")
        if not secret:
            fail(f"the environment variable {webhook_secret_env} is empty or not set", code=2)
    with store_session(ctx, db) as store:
        acting = _acting_user(store, user)
        settings = settings_for(ctx, db)
        watch, generated = watching.add_watch(
            store,
            settings,
            acting,
            kind,
            watched,
            min_tlp=level,
            webhook_url=webhook,
            webhook_secret=secret,
            email=email,
        )
    if as_json:
        print_json({**_watch_dict(watch), "webhook_secret": generated})
        return
    out.print(f"{acting} now watches {watch.label} [{watch.kind.value}] (watch {watch.id[:8]})")
    if generated:
        out.print(f"webhook secret (shown once; receivers check X-Liaison-Signature with it): {generated}")


@watch_app.command("list")
def watch_list(
    ctx: typer.Context, user: UserOption = None, as_json: JsonOption = False, db: DbOption = None
) -> None:
    """Your watches."""
    with store_session(ctx, db) as store:
        found = watching.watches_of(store, _acting_user(store, user))
    if as_json:
        print_json([_watch_dict(watch) for watch in found])
        return
    table = Table("id", "kind", "watching", "min TLP", "delivery")
    for watch in found:
        delivery = ", ".join(filter(None, [watch.webhook_url, watch.email])) or "-"
        min_level = watch.min_tlp.value if watch.min_tlp else "any"
        add_row(table, watch.id[:8], watch.kind.value, watch.label, min_level, delivery)
    out.print(table)


@watch_app.command("remove")
def watch_remove(
    ctx: typer.Context,
    watch_id: Annotated[str, typer.Argument(help="The watch's id or a unique prefix of it.")],
    user: UserOption = None,
    db: DbOption = None,
) -> None:
    """Stop a watch; its alerts go with it."""
    with store_session(ctx, db) as store:
        removed = watching.remove_watch(store, _acting_user(store, user), watch_id)
    out.print(f"removed watch {removed.id[:8]} on {removed.label}")


@alerts_app.callback(invoke_without_command=True)
def alerts_list(
    ctx: typer.Context,
    unread: Annotated[bool, typer.Option("--unread", help="Only unread alerts.")] = False,
    read: Annotated[
        str | None, typer.Option("--read", help="Mark this alert (id or prefix) read.", show_default=False)
    ] = None,
    read_all: Annotated[bool, typer.Option("--read-all", help="Mark all your alerts read.")] = False,
    limit: Annotated[int, typer.Option(min=1, help="Show at most this many alerts.")] = 100,
    user: UserOption = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Your alerts, unread first: the report, what matched and why; --read ID / --read-all mark them read."""
    if ctx.invoked_subcommand is not None:
        return
    if read and read_all:
        fail("--read ID or --read-all, not both", code=2)
    with store_session(ctx, db) as store:
        acting = _acting_user(store, user)
        if read or read_all:
            changed = watching.mark_read(store, acting, None if read_all else read)
            out.print(f"{changed} alert(s) marked read")
            return
        found = watching.alerts_of(store, acting, unread_only=unread, limit=limit)
    if as_json:
        print_json([_alert_dict(alert) for alert in found])
        return
    if not found:
        out.print("no alerts" if not unread else "no unread alerts")
        return
    for alert in found:
        state = "" if alert.read else "NEW "
        created = alert.created.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
        out.print(f"{state}{alert.id[:8]} {created} TLP:{alert.tlp.value.upper()} {alert.report_title}")
        if alert.stix_id:
            out.print(f"  received from {alert.received_from}: {alert.stix_id}")
        out.print(f"  {alert.reason}")
        for match in alert.matches:
            out.print(f"  - {match.kind}: {match.label}: “{match.evidence}”")


@alerts_app.command("deliver")
def alerts_deliver(
    ctx: typer.Context,
    wait: Annotated[
        bool,
        typer.Option("--wait", help="Keep going, sleeping until retries are due, until nothing is pending."),
    ] = False,
    db: DbOption = None,
) -> None:
    """Send the webhook and e-mail deliveries that are due (one pass; retries back off 30 s, 2 min...)."""
    with store_session(ctx, db) as store:
        settings = settings_for(ctx, db)
        while True:
            summary = alert_delivery.deliver_due(store, settings)
            out.print(
                f"{summary.attempted} attempted, {summary.delivered} delivered, "
                f"{summary.failed} given up, {summary.still_pending} to retry"
            )
            due = store.next_delivery_due()
            if not wait or due is None:
                break
            time.sleep(min(WAIT_STEP_SECONDS, max(0.0, (due - datetime.now(UTC)).total_seconds())))
