"""Commands about entities: entities, entity (show, --why, merge, split)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from liaison.cli.common import (
    DbOption,
    JsonOption,
    add_row,
    app,
    cli_actor,
    fail,
    open_store,
    out,
    print_json,
    settings_for,
    store_session,
)
from liaison.domain import EntityType
from liaison.publishing import publish
from liaison.settings import Settings
from liaison.store import Store

EntityTypeOption = Annotated[
    EntityType | None, typer.Option("--type", help="Only entities of this type.", case_sensitive=False)
]


@app.command("entities")
def list_entities(
    ctx: typer.Context,
    entity_type: EntityTypeOption = None,
    limit: Annotated[int, typer.Option(min=1, help="How many, most reported first.")] = 100,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """List entities, most reported first."""
    with open_store(settings_for(ctx, db)) as store:
        rows = store.list_entities(entity_type.value if entity_type else None, limit)
        if as_json:
            print_json([asdict(row) for row in rows])
            return
        table = Table("id", "type", "name", "reports", "mentions", "aliases")
        for row in rows:
            add_row(
                table,
                row.id[:8],
                row.type,
                row.name,
                str(row.report_count),
                str(row.mention_count),
                ", ".join(row.aliases),
            )
        out.print(table)


@app.command("entity")
def entity_command(
    ctx: typer.Context,
    arguments: Annotated[
        list[str],
        typer.Argument(
            help="NAME|ID to show it; 'merge KEPT OTHER' to merge OTHER into KEPT; "
            "'split ENTITY ALIAS' to take the mentions read as ALIAS out of ENTITY.",
            show_default=False,
        ),
    ],
    why: Annotated[bool, typer.Option("--why", help="Explain aliases, merges and splits.")] = False,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Show an entity (aliases, roles, every mention), explain it, or merge and split entities."""
    settings = settings_for(ctx, db)
    with store_session(ctx, db) as store:
        if arguments[0] == "merge" and len(arguments) == 3:
            kept = store.merge_entities(arguments[1], arguments[2])
            _after_change(store, settings, "entity.merge", kept, arguments[2])
            _show_entity(store, kept, as_json)
        elif arguments[0] == "split" and len(arguments) == 3:
            new = store.split_entity(arguments[1], arguments[2])
            _after_change(store, settings, "entity.split", arguments[1], new)
            _show_entity(store, new, as_json)
        elif len(arguments) != 1:
            fail("give one NAME|ID, or 'merge KEPT OTHER', or 'split ENTITY ALIAS'", code=2)
        elif why:
            _explain_entity(store, arguments[0], as_json)
        else:
            _show_entity(store, arguments[0], as_json)


def _after_change(store: Store, settings: Settings, action: str, target: str, other: str) -> None:
    """An analyst's merge or split: audited, and the organisations' collections follow it."""
    store.append_audit(cli_actor(), action, target, {"other": other})
    publish(store, settings)


def _show_entity(store: Store, name_or_id: str, as_json: bool) -> None:
    detail = store.get_entity(name_or_id)
    if as_json:
        print_json(
            {
                "entity": asdict(detail.summary),
                "attributes": detail.attributes,
                "roles": [asdict(r) for r in detail.roles],
                "mentions": [asdict(m) for m in detail.mentions],
            }
        )
        return
    summary = detail.summary
    out.print(f"[bold]{escape(summary.name)}[/] ({summary.type})  {summary.id}", markup=True)
    out.print(f"aliases: {', '.join(summary.aliases) or '-'}")
    if detail.attributes:
        out.print("attributes: " + ", ".join(f"{k}={v}" for k, v in sorted(detail.attributes.items())))
    for role in detail.roles:
        holder = " — ".join(x for x in (role.organization, role.country) if x)
        when = role.published or "?"
        out.print(f"role: {role.title}{' — ' + holder if holder else ''}  [{when}, {role.report_id[:8]}]")
    out.print(f"{summary.mention_count} mention(s) in {summary.report_count} report(s)")
    for mention in detail.mentions:
        out.print(f"- [{mention.report_id[:8]}] {mention.sentence}")


def _explain_entity(store: Store, name_or_id: str, as_json: bool) -> None:
    explanation = store.explain_entity(name_or_id)
    if as_json:
        print_json(
            {
                "entity": asdict(explanation.summary),
                "aliases": [asdict(a) for a in explanation.aliases],
                "links": [asdict(link) for link in explanation.links],
            }
        )
        return
    summary = explanation.summary
    out.print(f"[bold]{escape(summary.name)}[/] ({summary.type})  {summary.id}", markup=True)
    table = Table("alias", "language", "read as", "first report")
    for alias in explanation.aliases:
        add_row(table, alias.alias, alias.language or "", alias.via, (alias.first_report_id or "")[:8])
    out.print(table)
    if not explanation.links:
        out.print("no merges or splits: every alias was read as this entity's own name or variant")
    for link in explanation.links:
        verb = {"auto": "merged automatically", "manual": "merged by an analyst", "split": "split"}[link.kind]
        where = f" (report {link.report_id[:8]})" if link.report_id else ""
        out.print(f"- {verb}: {link.other} into {link.kept}{where}: {link.reason} [score {link.score:.2f}]")
