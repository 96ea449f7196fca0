"""Cooperation commands: organisations, users, tokens, sharing agreements, partners, the audit log, serve.

Every change an administrator makes here is written to the audit log as ``cli:<login>``; secrets
(passwords, tokens) never are.
"""

from __future__ import annotations

import ctypes
import getpass
import os
import sys
import threading
import time
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from liaison import alert_delivery, partners
from liaison.accounts import create_token, hash_password
from liaison.cli.common import (
    DbOption,
    JsonOption,
    add_row,
    app,
    cli_actor,
    err,
    fail,
    open_store,
    out,
    print_json,
    settings_for,
    store_session,
)
from liaison.domain import TLP, AccountRole
from liaison.publishing import CollectionPublication, publish
from liaison.settings import Settings
from liaison.store import Store
from liaison.store.accounts import AgreementRecord

org_app = typer.Typer(help="Organisations: the home one and its partners.", no_args_is_help=True)
app.add_typer(org_app, name="org")
user_app = typer.Typer(help="Accounts of the home organisation and of partners.", no_args_is_help=True)
app.add_typer(user_app, name="user")
token_app = typer.Typer(help="API tokens: create (shown once), list, revoke.", no_args_is_help=True)
app.add_typer(token_app, name="token")
share_app = typer.Typer(
    help="Sharing agreements with partner organisations, and their TAXII collections.", no_args_is_help=True
)
app.add_typer(share_app, name="share")
partner_app = typer.Typer(help="Partner instances to pull from over TAXII 2.1.", no_args_is_help=True)
app.add_typer(partner_app, name="partner")
audit_app = typer.Typer(help="The audit log: list entries, verify the hash chain.")
app.add_typer(audit_app, name="audit")

# Pulling a partner more often than this gains nothing and loads its server.
MIN_PULL_INTERVAL_SECONDS = 30
# `liaison serve` retries undelivered alerts this often; the shortest back-off between attempts is 30 s.
DELIVERY_INTERVAL_SECONDS = 30
ROLES = ", ".join(role.value for role in AccountRole)


actor = cli_actor


def _when(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if moment else "never"


def _agreement_text(agreement: AgreementRecord | None) -> str:
    if agreement is None:
        return "none (TLP:CLEAR only)"
    topics = f", topics {', '.join(agreement.topics)}" if agreement.topics else ""
    write = ", may write" if agreement.can_write else ""
    return f"up to TLP:{agreement.tlp_max.value.upper()}{topics}{write}"


def _print_publications(results: list[CollectionPublication]) -> None:
    for result in results:
        out.print(
            f"{result.organization}: {result.objects} objects readable, "
            f"{result.added} added, {result.withdrawn} withdrawn"
        )


# --- organisations ---


@org_app.command("add")
def org_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The organisation's name.")],
    home: Annotated[
        bool, typer.Option("--home", help="This instance's own organisation (only one).")
    ] = False,
    db: DbOption = None,
) -> None:
    """Add an organisation (and its TAXII collection); one of them is the home organisation."""
    with store_session(ctx, db) as store:
        record = store.add_organization(name, home=home)
        store.append_audit(actor(), "org.add", record.name, {"home": home})
    kind = "home organisation" if home else "partner organisation (TLP:CLEAR only until `liaison share add`)"
    out.print(f"added {record.name}: {kind}")


@org_app.command("list")
def org_list(ctx: typer.Context, as_json: JsonOption = False, db: DbOption = None) -> None:
    """Organisations with their agreement and number of users."""
    with store_session(ctx, db) as store:
        organizations = store.organizations()
        agreements = {a.organization_id: a for a in store.agreements()}
        users = store.users()
    counts = {o.id: sum(1 for u in users if u.organization_id == o.id) for o in organizations}
    rows = [
        {
            "name": o.name,
            "home": o.home,
            "agreement": "home" if o.home else _agreement_text(agreements.get(o.id)),
            "users": counts[o.id],
        }
        for o in organizations
    ]
    if as_json:
        print_json(rows)
        return
    table = Table("name", "home", "agreement", "users")
    for row in rows:
        add_row(table, row["name"], "yes" if row["home"] else "", row["agreement"], row["users"])
    out.print(table)


# --- users ---


def _read_password() -> str:
    """One line from standard input; asked twice without echo at a terminal."""
    if sys.stdin.isatty():
        first = getpass.getpass("password: ")
        if getpass.getpass("password again: ") != first:
            fail("the two passwords differ", code=2)
        return first
    line = sys.stdin.readline()
    if not line:
        fail("no password on standard input (or use --no-password for a token-only account)", code=2)
    return line.rstrip("\r\n")


@user_app.command("add")
def user_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The user's login name.")],
    org: Annotated[str, typer.Option("--org", help="The user's organisation.")],
    role: Annotated[str, typer.Option("--role", help=f"One of {ROLES}.")],
    password: Annotated[
        bool,
        typer.Option(
            "--password-stdin/--no-password",
            help="Read the password from standard input (asked twice at a terminal), "
            "or create a token-only account.",
        ),
    ] = True,
    db: DbOption = None,
) -> None:
    """Add a user: admin, analyst or reader of the home organisation, or partner of a partner one."""
    try:
        account_role = AccountRole(role.strip().lower())
    except ValueError:
        fail(f"unknown role {role!r}; use one of {ROLES}", code=2)
    password_hash = None
    if password:
        try:
            password_hash = hash_password(_read_password())
        except ValueError as error:
            fail(str(error), code=2)
    with store_session(ctx, db) as store:
        record = store.add_user(name, org, account_role, password_hash)
        store.append_audit(
            actor(),
            "user.add",
            record.name,
            {"organization": record.organization, "role": account_role.value, "password": password},
        )
    how = "with a password" if password else "token-only (`liaison token create`)"
    out.print(f"added {record.name} ({account_role.value}, {record.organization}), {how}")


@user_app.command("list")
def user_list(ctx: typer.Context, as_json: JsonOption = False, db: DbOption = None) -> None:
    """Users, their organisation and role, and their live tokens."""
    with store_session(ctx, db) as store:
        users = store.users()
        tokens = store.tokens()
    rows = [
        {
            "name": u.name,
            "organization": u.organization,
            "role": u.role.value,
            "password": u.password_hash is not None,
            "live_tokens": sum(1 for t in tokens if t.user == u.name and t.revoked_at is None),
            "disabled": u.disabled,
        }
        for u in users
    ]
    if as_json:
        print_json(rows)
        return
    table = Table("name", "organisation", "role", "password", "live tokens", "disabled")
    for row in rows:
        add_row(
            table,
            row["name"],
            row["organization"],
            row["role"],
            "yes" if row["password"] else "no",
            row["live_tokens"],
            "yes" if row["disabled"] else "",
        )
    out.print(table)


# --- tokens ---


@token_app.command("create")
def token_create(
    ctx: typer.Context,
    user: Annotated[str, typer.Argument(help="The user the token acts as.")],
    label: Annotated[str | None, typer.Option(help="What the token is for.")] = None,
    db: DbOption = None,
) -> None:
    """Create an API token and print it: it is shown this once, only its digest is kept."""
    with store_session(ctx, db) as store:
        secret, record = create_token(store, user, label)
        store.append_audit(actor(), "token.create", record.user, {"prefix": record.prefix, "label": label})
    sys.stdout.write(secret + "\n")
    err.print(f"token {record.prefix}… for {record.user}: copy it now, it will not be shown again")


@token_app.command("list")
def token_list(
    ctx: typer.Context,
    user: Annotated[str | None, typer.Argument(help="Only this user's tokens.")] = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Tokens by their shown prefix (never the token itself)."""
    with store_session(ctx, db) as store:
        if user:
            store.user(user)  # an unknown user is an error, not an empty list
        tokens = store.tokens(user)
    if as_json:
        print_json([asdict(t) for t in tokens])
        return
    table = Table("prefix", "user", "label", "created", "revoked")
    for t in tokens:
        revoked = _when(t.revoked_at) if t.revoked_at else ""
        add_row(table, t.prefix, t.user, t.label or "", _when(t.created_at), revoked)
    out.print(table)


@token_app.command("revoke")
def token_revoke(
    ctx: typer.Context,
    token: Annotated[str, typer.Argument(help="The token's prefix (as listed) or ID.")],
    db: DbOption = None,
) -> None:
    """Revoke a token: requests with it are refused from now on."""
    with store_session(ctx, db) as store:
        record = store.revoke_token(token)
        store.append_audit(actor(), "token.revoke", record.user, {"prefix": record.prefix, "id": record.id})
    out.print(f"revoked {record.prefix}… of {record.user}")


# --- sharing agreements ---


@share_app.command("add")
def share_add(
    ctx: typer.Context,
    partner: Annotated[str, typer.Argument(help="The partner organisation.")],
    tlp_max: Annotated[str, typer.Option("--tlp-max", help="clear, green or amber.")],
    topic: Annotated[
        list[str] | None,
        typer.Option("--topic", help="Share only reports on this topic (repeat it; default: every topic)."),
    ] = None,
    write: Annotated[bool, typer.Option("--write", help="The partner may also add objects.")] = False,
    db: DbOption = None,
) -> None:
    """Define or change the agreement with a partner, then re-publish every collection."""
    try:
        level = TLP.parse(tlp_max)
    except ValueError as error:
        fail(str(error), code=2)
    settings = settings_for(ctx, db)
    with store_session(ctx, db) as store:
        agreement = store.set_agreement(partner, level, tuple(topic or ()), can_write=write)
        store.append_audit(
            actor(),
            "share.set",
            agreement.organization,
            {"tlp_max": level.value, "topics": list(agreement.topics), "write": write},
        )
        results = publish(store, settings)
    out.print(f"{agreement.organization}: {_agreement_text(agreement)}")
    _print_publications([r for r in results if r.organization == agreement.organization])


@share_app.command("list")
def share_list(ctx: typer.Context, as_json: JsonOption = False, db: DbOption = None) -> None:
    """Partner organisations: their agreement and what their collection holds."""
    with store_session(ctx, db) as store:
        agreements = {a.organization_id: a for a in store.agreements()}
        home = store.home_organization()
        rows: list[dict[str, Any]] = []
        for collection in store.collections():
            if home is not None and collection.organization_id == home.id:
                continue
            agreement = agreements.get(collection.organization_id)
            rows.append(
                {
                    "partner": collection.organization,
                    "tlp_max": agreement.tlp_max.value if agreement else TLP.CLEAR.value,
                    "agreement": agreement is not None,
                    "topics": list(agreement.topics) if agreement else [],
                    "write": bool(agreement and agreement.can_write),
                    "object_versions": store.collection_size(collection.id),
                    "published_at": collection.published_at,
                }
            )
    if as_json:
        print_json(rows)
        return
    table = Table("partner", "TLP max", "topics", "write", "object versions", "last published")
    for row in rows:
        level = str(row["tlp_max"]) + ("" if row["agreement"] else " (no agreement)")
        topics = ", ".join(row["topics"]) or "all"
        add_row(
            table,
            row["partner"],
            level,
            topics,
            "yes" if row["write"] else "",
            row["object_versions"],
            _when(row["published_at"]),
        )
    out.print(table)


@share_app.command("remove")
def share_remove(
    ctx: typer.Context,
    partner: Annotated[str, typer.Argument(help="The partner organisation.")],
    db: DbOption = None,
) -> None:
    """End the agreement with a partner: it keeps TLP:CLEAR only; the rest is withdrawn now."""
    settings = settings_for(ctx, db)
    with store_session(ctx, db) as store:
        organization = store.organization(partner)
        if store.agreement_for(organization.id) is None:
            fail(f"{organization.name} has no agreement (see `liaison share list`)")
        store.remove_agreement(organization.name)
        store.append_audit(actor(), "share.remove", organization.name, {})
        results = publish(store, settings)
    out.print(f"{organization.name}: agreement removed")
    _print_publications([r for r in results if r.organization == organization.name])


@share_app.command("publish")
def share_publish(ctx: typer.Context, db: DbOption = None) -> None:
    """Bring every collection up to date with the store (ingestion and imports do it themselves)."""
    settings = settings_for(ctx, db)
    with store_session(ctx, db) as store:
        results = publish(store, settings)
        store.append_audit(
            actor(),
            "share.publish",
            "",
            {r.organization: {"added": r.added, "withdrawn": r.withdrawn} for r in results},
        )
    if not results:
        out.print("no organisation yet: `liaison org add NAME --home` first")
    _print_publications(results)


# --- partners ---


@partner_app.command("add")
def partner_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A name for the partner (its received objects carry it).")],
    url: Annotated[
        str, typer.Option("--url", help="Its TAXII API root, e.g. https://partner.example/taxii2/api/.")
    ],
    token: Annotated[str | None, typer.Option("--token", help="The token the partner issued to us.")] = None,
    token_stdin: Annotated[
        bool, typer.Option("--token-stdin", help="Read the token from standard input instead.")
    ] = False,
    collection: Annotated[
        str | None, typer.Option("--collection", help="The collection ID (default: the one we may read).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Add a partner instance to pull from (`liaison partner pull`)."""
    if token_stdin == (token is not None):
        fail("give the token with either --token or --token-stdin", code=2)
    secret = sys.stdin.readline().strip() if token_stdin else (token or "")
    if not secret:
        fail("the token is empty", code=2)
    try:
        api_root, collection_in_url = partners.split_partner_url(url)
    except partners.PullError as error:
        fail(str(error), code=2)
    with store_session(ctx, db) as store:
        record = store.add_partner(name, api_root, secret, collection or collection_in_url)
        store.append_audit(
            actor(), "partner.add", record.name, {"url": record.url, "collection": record.collection_id}
        )
    out.print(f"added partner {record.name}: {record.url}")


@partner_app.command("list")
def partner_list(ctx: typer.Context, as_json: JsonOption = False, db: DbOption = None) -> None:
    """Partners with their collection, cursor and last pull (never their token)."""
    with store_session(ctx, db) as store:
        records = store.partners()
    rows: list[dict[str, Any]] = [
        {
            "name": p.name,
            "url": p.url,
            "collection_id": p.collection_id,
            "cursor": p.cursor,
            "last_pull_at": p.last_pull_at,
            "last_error": p.last_error,
        }
        for p in records
    ]
    if as_json:
        print_json(rows)
        return
    table = Table("name", "url", "collection", "cursor", "last pull", "last error")
    for row in rows:
        add_row(
            table,
            row["name"],
            row["url"],
            row["collection_id"] or "(found on first pull)",
            row["cursor"] or "",
            _when(row["last_pull_at"]),
            row["last_error"] or "",
        )
    out.print(table)


@partner_app.command("remove")
def partner_remove(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The partner.")],
    db: DbOption = None,
) -> None:
    """Stop pulling from a partner (its token and cursor are forgotten; received objects stay)."""
    with store_session(ctx, db) as store:
        record = store.remove_partner(name)
        store.append_audit(actor(), "partner.remove", record.name, {"url": record.url})
    out.print(f"removed partner {record.name}")


def _pull_json(summary: partners.PullSummary) -> dict[str, Any]:
    return {**asdict(summary), "ok": summary.ok}


def _print_pull(summary: partners.PullSummary) -> None:
    out.print(
        f"{summary.partner}: {summary.pages} page(s), {summary.received} object(s) received; "
        f"stored {summary.stored}, {summary.unchanged} already kept, {summary.replaced} replaced; "
        f"cursor {summary.cursor or '(start)'}"
    )
    for error in summary.errors:
        err.print(f"[bold red]error:[/] {escape(error)}", markup=True)


def _pull_all(
    store: Store, ctx: typer.Context, db: str | None, names: list[str], allow_private: bool, page_size: int
) -> list[partners.PullSummary]:
    settings = settings_for(ctx, db)
    chosen = names or [p.name for p in store.partners()]
    if not chosen:
        fail("no partner yet: `liaison partner add NAME --url URL --token-stdin` first")
    return [partners.pull(store, settings, name, allow_private, page_size, actor=actor()) for name in chosen]


@partner_app.command("pull")
def partner_pull(
    ctx: typer.Context,
    names: Annotated[list[str] | None, typer.Argument(help="Partners to pull (default: all).")] = None,
    every: Annotated[
        int | None,
        typer.Option(
            "--every",
            min=MIN_PULL_INTERVAL_SECONDS,
            help="Pull again every SECONDS until interrupted.",
            show_default=False,
        ),
    ] = None,
    page_size: Annotated[int, typer.Option("--page-size", min=1, help="Objects per TAXII page.")] = (
        partners.DEFAULT_PAGE_SIZE
    ),
    allow_private: Annotated[
        bool,
        typer.Option(
            "--allow-private",
            help="Also pull from private, loopback and link-local addresses (refused by default).",
        ),
    ] = False,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Fetch what each partner added to our collection since the last pull, and store it.

    A pull that stops half-way (network, partner) resumes from the last page stored.
    """
    while True:
        with store_session(ctx, db) as store:
            summaries = _pull_all(store, ctx, db, names or [], allow_private, page_size)
        for summary in summaries:
            if as_json:
                print_json(_pull_json(summary))
            else:
                _print_pull(summary)
        if every is None:
            break
        try:
            time.sleep(every)
        except KeyboardInterrupt:
            break
    if every is None and any(not s.ok for s in summaries):
        raise typer.Exit(1)


# --- audit ---


def _parse_since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        fail(f"invalid --since {value!r}; use YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][+HH:MM]", code=2)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@audit_app.callback(invoke_without_command=True)
def audit(
    ctx: typer.Context,
    since: Annotated[
        str | None, typer.Option("--since", help="Entries at or after DATE or DATETIME (UTC unless given).")
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Only the last N entries.")] = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """The audit log, oldest first: who did what, to what, when."""
    if ctx.invoked_subcommand is not None:
        return
    moment = _parse_since(since)
    with store_session(ctx, db) as store:
        entries = store.audit_entries(since=moment, limit=limit)
    if as_json:
        print_json([asdict(e) for e in entries])
        return
    table = Table("seq", "at", "actor", "action", "target", "detail")
    for entry in entries:
        detail = ", ".join(f"{k}={v}" for k, v in sorted(entry.detail.items()))
        at = entry.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
        add_row(table, entry.seq, at, entry.actor, entry.action, entry.target, detail)
    out.print(table)


@audit_app.command("verify")
def audit_verify(ctx: typer.Context, db: DbOption = None) -> None:
    """Check the hash chain from the first entry: exit 1 naming the first entry that does not hold."""
    with store_session(ctx, db) as store:
        verification = store.verify_audit()
    if not verification.ok:
        fail(f"audit log broken: {verification.problem} ({verification.entries} entries verified before it)")
    out.print(f"audit log verified: {verification.entries} entries")


# --- the server ---


@app.command("serve")
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    db: DbOption = None,
) -> None:
    """Serve the web interface, the REST API and TAXII 2.1 (uvicorn); put TLS in front of it."""
    import uvicorn

    from liaison.api.app import create_app

    settings = settings_for(ctx, db)
    limit_malloc_arenas()
    with open_store(settings) as store:
        stop = threading.Event()
        delivery = threading.Thread(
            target=deliver_alerts_until, args=(store, settings, stop), name="alert-delivery", daemon=True
        )
        delivery.start()
        try:
            uvicorn.run(create_app(settings, store), host=host, port=port)
        finally:
            stop.set()
            delivery.join(timeout=DELIVERY_INTERVAL_SECONDS)


# glibc gives each thread that allocates its own malloc arena (up to 8 per CPU), and memory freed in one
# arena is not reused by another: with requests spread over the thread pool and ingests allocating the NLP
# model's working memory in whichever thread runs them, the server's footprint crept up in the soak
# (bench/soak.py) about twice as fast as with two arenas. M_ARENA_MAX is mallopt's parameter -8.
MALLOC_ARENAS = 2
_M_ARENA_MAX = -8


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """Cap glibc's malloc arenas before the server starts its threads; False where there is no glibc."""
    if os.environ.get("MALLOC_ARENA_MAX"):  # the operator chose already
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        return bool(libc.mallopt(_M_ARENA_MAX, arenas))
    except (OSError, AttributeError):
        return False


def deliver_alerts_until(
    store: Store, settings: Settings, stop: threading.Event, interval: float = DELIVERY_INTERVAL_SECONDS
) -> None:
    """While the server runs: deliver the alerts that are due (as `liaison alerts deliver`), then wait."""
    while not stop.is_set():
        try:
            alert_delivery.deliver_due(store, settings)
        except Exception as error:  # noqa: BLE001 - a failed pass must not end retries while serving
            err.print(f"alert delivery failed, retrying in {interval:g} s: {error}")
        stop.wait(interval)
