"""Commands about events and figures: events, event, timeline, claims."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer
from rich.table import Table

from liaison import services
from liaison.cli.common import (
    DbOption,
    JsonOption,
    add_row,
    app,
    out,
    parse_date,
    print_json,
    store_session,
)
from liaison.store import ClaimRecord, EventSummary


def _print_events(rows: list[EventSummary], as_json: bool) -> None:
    if as_json:
        print_json([asdict(row) for row in rows])
    else:
        out.print(_events_table(rows))


def _events_table(rows: list[EventSummary]) -> Table:
    table = Table("id", "date", "event", "place", "participants", "topics", "sources", "status")
    for row in rows:
        code = f"{row.plover}{'/' + row.plover_mode if row.plover_mode else ''} {row.cameo or ''}".strip()
        add_row(
            table,
            row.id[:8],
            row.date or "?",
            f"{row.type} ({code})",
            row.location or "",
            ", ".join(row.participants),
            ", ".join(row.topics),
            row.sources,
            row.status,
        )
    return table


@app.command("events")
def list_events(
    ctx: typer.Context,
    actor: Annotated[str | None, typer.Option(help="Only events this entity took part in.")] = None,
    event_type: Annotated[
        str | None, typer.Option("--type", help="PLOVER type (CONSULT), CAMEO code (042) or name (visit).")
    ] = None,
    topic: Annotated[str | None, typer.Option(help="Only events with this topic (docs/topics.md).")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="On or after YYYY-MM-DD.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="On or before YYYY-MM-DD.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="How many, latest first.")] = 100,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Events across reports, each listed once however many reports describe it."""
    with store_session(ctx, db) as store:
        rows = store.list_events(actor, event_type, topic, parse_date(date_from), parse_date(date_to), limit)
    _print_events(rows, as_json)


@app.command("event")
def show_event(
    ctx: typer.Context,
    event_id: Annotated[str, typer.Argument(help="Event ID or unambiguous prefix.")],
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """One event: its participants, every source with the supporting sentences, and their figures."""
    with store_session(ctx, db) as store:
        detail = store.get_event(event_id)
    if as_json:
        print_json(
            {
                "event": asdict(detail.summary),
                "participants": [{"name": n, "role": r} for n, r in detail.participants],
                "sources": [asdict(s) for s in detail.sources],
                "figures": [asdict(g) for g in services.compare_figures(detail.claims)],
            }
        )
        return
    summary = detail.summary
    code = f"PLOVER {summary.plover}{' (' + summary.plover_mode + ')' if summary.plover_mode else ''}"
    out.print(f"{summary.type} — {code}, CAMEO {summary.cameo or '-'}   {summary.id}")
    out.print(f"date {summary.date or '?'}   place {summary.location or '?'}   status {summary.status}")
    out.print("participants: " + (", ".join(f"{n} ({r})" for n, r in detail.participants) or "-"))
    out.print("topics: " + (", ".join(summary.topics) or "-"))
    copies = sum(1 for source in detail.sources if source.copy_of)
    copies_note = f", {copies} of them syndicated copies counted once" if copies else ""
    out.print(f"{len(detail.sources)} source(s){copies_note}:")
    for source in detail.sources:
        copy = f"  copy of {source.copy_of[:8]}" if source.copy_of else ""
        out.print(
            f"- {source.source or '?'}, {source.published or '?'} [{source.language}] "
            f"{source.title or ''}  ({source.report_id[:8]}){copy}"
        )
        if source.reason:
            out.print(f"    attached: {source.reason}")
        for sentence in source.evidence:
            out.print(f"    “{sentence}”")
    if detail.claims:
        out.print("figures in these sources, side by side (never averaged):")
        out.print(_figures_table(services.compare_figures(detail.claims)))


def _figure(value: float) -> str:
    """A figure as people write it: 48,000,000 rather than 4.8e+07, 1.2 when it has decimals."""
    return f"{int(value):,}" if value == int(value) else f"{value:,.2f}".rstrip("0")


def _figures_table(groups: list[services.FigureGroup]) -> Table:
    table = Table("unit", "period", "value", "source", "published", "evidence", "agreement")
    for group in groups:
        verdict = "CONFLICT" if group.conflicting else ("agree" if len(group.records) > 1 else "")
        for row in group.records:
            value = f"{row.qualifier + ' ' if row.qualifier else ''}{_figure(row.value)}"
            add_row(
                table,
                group.unit,
                group.period or "",
                value,
                row.source or row.report_id[:8],
                row.published or "",
                row.evidence,
                verdict,
            )
    return table


def _claims_table(rows: list[ClaimRecord]) -> Table:
    table = Table("unit", "value", "subject", "period", "source", "published", "evidence")
    for row in rows:
        value = f"{row.qualifier + ' ' if row.qualifier else ''}{_figure(row.value)}"
        add_row(
            table,
            row.unit,
            value,
            row.subject,
            row.period or "",
            row.source or row.report_id[:8],
            row.published or "",
            row.evidence,
        )
    return table


@app.command("timeline")
def timeline(
    ctx: typer.Context,
    entity: Annotated[str, typer.Argument(help="Entity name, alias or ID.")],
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """The events an entity took part in, oldest first."""
    with store_session(ctx, db) as store:
        rows = store.timeline(entity)
    _print_events(rows, as_json)


@app.command("claims")
def list_claims(
    ctx: typer.Context,
    subject: Annotated[str | None, typer.Option(help="Only figures about this entity.")] = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Figures asserted in reports, grouped by what they count, so that conflicts show."""
    with store_session(ctx, db) as store:
        rows = store.list_claims(subject)
        stories = store.report_stories()
    groups = services.compare_figures(rows, stories)
    if as_json:
        print_json([asdict(g) for g in groups])
        return
    out.print(_figures_table(groups))
