"""Commands that read reports in and list them: ingest, extract, reports, report, search, summary."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from liaison import collection, services
from liaison.cli.common import (
    AllowPrivateOption,
    DbOption,
    EncodingOption,
    JsonOption,
    LanguageOption,
    PathsArgument,
    PublishedOption,
    RecipientOption,
    SourceOption,
    TlpOption,
    UrlOption,
    WorkersOption,
    add_row,
    app,
    err,
    fail,
    metadata_from,
    open_store,
    out,
    print_json,
    settings_for,
    store_session,
)
from liaison.domain import Report
from liaison.engines import ENGINES
from liaison.errors import InputError
from liaison.extraction_format import extraction_to_dict
from liaison.ingest import read_url_list
from liaison.settings import Settings
from liaison.store import Store


def _ingest_with_progress(
    items: list[Report | InputError],
    settings: Settings,
    store: Store,
    workers: int | None,
    as_json: bool,
    engine: str = "local",
    address: str | None = None,
) -> services.IngestSummary:
    """Run the ingest use case with a progress bar (reports/s, ETA) on a terminal."""
    show_progress = not as_json and len(items) > 1 and err.is_terminal
    progress = Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
        console=err,
        disable=not show_progress,
    )
    with progress:
        task = progress.add_task("ingesting", total=len(items), rate="")

        def advance(outcome: str, label: str) -> None:
            progress.advance(task)
            elapsed = progress.tasks[0].elapsed or 0.0
            done = progress.tasks[0].completed
            progress.update(task, rate=f"{done / elapsed:.1f} reports/s" if elapsed else "")
            if outcome == "failed" and show_progress:
                progress.console.print(f"[red]failed[/] {escape(label)}", markup=True)

        summary = services.ingest_reports(items, settings, store, workers, advance, engine, address)
    return summary


@app.command()
def ingest(
    ctx: typer.Context,
    inputs: Annotated[
        list[str] | None,
        typer.Argument(
            help="Files, directories (.txt .md .html .json .jsonl, feeds .rss .atom .xml) or http(s) URLs.",
            show_default=False,
        ),
    ] = None,
    urls: Annotated[
        Path | None, typer.Option("--urls", help="A file of URLs to fetch, one per line (# comments).")
    ] = None,
    allow_private: AllowPrivateOption = False,
    workers: WorkersOption = None,
    engine: Annotated[
        str, typer.Option(help="Where extraction runs: local processes, or a Ray cluster (ray).")
    ] = "local",
    address: Annotated[
        str | None,
        typer.Option(help="Ray cluster to join, e.g. ray://head:10001 (default: start a local instance)."),
    ] = None,
    source: SourceOption = None,
    url: UrlOption = None,
    published: PublishedOption = None,
    tlp: TlpOption = None,
    recipient: RecipientOption = None,
    language: LanguageOption = None,
    encoding: EncodingOption = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Read reports, extract what they say, and store them. Bad inputs are reported; the rest go on.

    Each report is committed as soon as it is extracted: an interrupted run keeps what it stored, and
    running it again extracts only the rest. Syndicated copies are stored linked to their original.
    When the instance has organisations, their TAXII collections are brought up to date at the end.
    """
    settings = settings_for(ctx, db)
    with store_session(ctx, db) as store:
        recipients = services.red_recipients(store, tlp, tuple(recipient or ()))
    metadata = metadata_from(source, url, published, tlp, language, recipients)
    if engine not in ENGINES:
        fail(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}", code=2)
    if not inputs and urls is None:
        fail("nothing to ingest: give files, directories or URLs, or --urls FILE", code=2)
    web = [value for value in inputs or [] if collection.is_url(value)]
    paths = [Path(value) for value in inputs or [] if not collection.is_url(value)]
    listed = read_url_list(urls) if urls is not None else []
    web += [entry for entry in listed if isinstance(entry, str)]
    items: list[Report | InputError] = [entry for entry in listed if isinstance(entry, InputError)]
    items += services.read_reports(paths, settings, metadata, encoding)
    items += collection.fetch_reports(web, settings, metadata, allow_private)
    with store_session(ctx, db) as store:
        summary = _ingest_with_progress(items, settings, store, workers, as_json, engine, address)
    _print_summary(summary, as_json)
    if summary.failures:
        raise typer.Exit(1)


def _print_summary(summary: services.IngestSummary, as_json: bool) -> None:
    if as_json:
        print_json(
            {
                "stored": summary.stored,
                "unchanged": summary.unchanged,
                "near_duplicates": summary.near_duplicates,
                "failed": [asdict(f) for f in summary.failures],
            }
        )
    else:
        copies = f" ({summary.near_duplicates} near-duplicate)" if summary.near_duplicates else ""
        out.print(
            f"stored {summary.stored} report(s){copies}, {summary.unchanged} unchanged, "
            f"{len(summary.failures)} failed"
        )
        for failure in summary.failures:
            err.print(f"[bold red]error:[/] {escape(failure.message)}", markup=True)


@app.command()
def extract(
    ctx: typer.Context,
    paths: PathsArgument,
    published: PublishedOption = None,
    source: SourceOption = None,
    url: UrlOption = None,
    tlp: TlpOption = None,
    language: LanguageOption = None,
    encoding: EncodingOption = None,
    as_json: JsonOption = False,
) -> None:
    """Run the pipeline and print what it found; stores nothing (JSON Lines with --json)."""
    settings = settings_for(ctx)
    metadata = metadata_from(source, url, published, tlp, language)
    items = services.read_reports(paths, settings, metadata, encoding)
    reports = [item for item in items if isinstance(item, Report)]
    failures = [item for item in items if isinstance(item, InputError)]
    for failure in failures:
        err.print(f"[bold red]error:[/] {escape(str(failure))}", markup=True)
    for result in services.extract_reports(reports, settings):
        if isinstance(result, services.Failure):
            err.print(f"[bold red]error:[/] {escape(result.message)}", markup=True)
            failures.append(InputError(result.source, result.message))
            continue
        data = extraction_to_dict(result, report_id=result.report.external_id)
        if as_json:
            print_json(data)
        else:
            _print_extraction(data)
    if failures:
        raise typer.Exit(1)


def _print_extraction(data: dict[str, Any]) -> None:
    report = data["report"]
    out.print(f"[bold]{escape(report['title'] or '(untitled)')}[/]  {report['id']}", markup=True)
    inferred = " (inferred)" if report.get("published_inferred") else ""
    out.print(f"language {report['language']}  published {report['published'] or '?'}{inferred}")
    _print_findings(data)


def _print_findings(data: dict[str, Any]) -> None:
    """Entities, roles, events, times and figures of one extraction, as tables."""
    names = {e["id"]: e["name"] for e in data.get("entities", [])}
    table = Table("type", "name", "aliases", "mentions")
    for entity in data.get("entities", []):
        add_row(
            table, entity["type"], entity["name"], ", ".join(entity["aliases"]), str(len(entity["mentions"]))
        )
    out.print(table)
    if data.get("roles"):
        roles = Table("person", "title", "organisation", "country")
        for role in data["roles"]:
            add_row(
                roles,
                names.get(role["person"], "?"),
                role["title"],
                names.get(role["organization"] or "", ""),
                names.get(role["country"] or "", ""),
            )
        out.print(roles)
    if data.get("events"):
        events = Table("date", "event", "place", "participants", "status", "topics")
        for event in data["events"]:
            code = f"{event['plover']} {event['cameo'] or ''}".strip()
            parties = ", ".join(f"{names.get(p['entity'], '?')} ({p['role']})" for p in event["participants"])
            add_row(
                events,
                (event["date"] or {}).get("value", "?"),
                f"{event['type']} ({code})",
                names.get(event["location"] or "", ""),
                parties,
                event["status"],
                ", ".join(event["topics"]),
            )
        out.print(events)
    if data.get("times"):
        times = Table("time", "type", "value")
        for time in data["times"]:
            add_row(times, time["text"], time["type"], time["value"])
        out.print(times)
    if data.get("claims"):
        claims = Table("figure", "unit", "period", "subject")
        for claim in data["claims"]:
            figure = f"{claim['qualifier'] + ' ' if claim['qualifier'] else ''}{claim['value']:g}"
            add_row(
                claims,
                figure,
                claim["unit"],
                claim["period"] or "",
                names.get(claim["subject"], claim["subject"]),
            )
        out.print(claims)


@app.command("reports")
def list_reports(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, help="How many, newest first.")] = 50,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """List stored reports, newest first."""
    with open_store(settings_for(ctx, db)) as store:
        rows = store.list_reports(limit)
        if as_json:
            print_json([asdict(row) for row in rows])
            return
        table = Table("id", "published", "lang", "tlp", "source", "title", "entities", "copy of")
        for row in rows:
            add_row(
                table,
                row.id[:8],
                str(row.published or ""),
                row.language or "",
                row.tlp,
                row.source or "",
                (row.title or "")[:70],
                str(row.entity_count),
                (row.near_duplicate_of or "")[:8],
            )
        out.print(table)


@app.command("report")
def show_report(
    ctx: typer.Context,
    report_id: Annotated[str, typer.Argument(help="Report ID or unambiguous prefix.")],
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Show one report: its text, then the entities, roles, events, times and figures read in it."""
    with store_session(ctx, db) as store:
        detail = store.get_report(report_id)
        if as_json:
            print_json(
                {
                    "report": asdict(detail.summary),
                    "text": detail.text,
                    "extraction": detail.extraction,
                    "near_duplicates": [{"report_id": r, "similarity": sim} for r, sim in detail.copies],
                }
            )
            return
        summary = detail.summary
        out.print(f"[bold]{escape(summary.title or '(untitled)')}[/]", markup=True)
        inferred = " (inferred)" if summary.published_inferred else ""
        out.print(
            f"id {summary.id}\nsource {summary.source or '?'}  url {summary.url or '-'}\n"
            f"published {summary.published or '?'}{inferred}  language {summary.language}  "
            f"TLP:{summary.tlp.upper()}"
        )
        if summary.near_duplicate_of:
            similarity = summary.near_duplicate_similarity or 0.0
            out.print(f"near-duplicate of {summary.near_duplicate_of} (similarity {similarity:.2f})")
        for copy_id, similarity in detail.copies:
            out.print(f"copied by {copy_id} (similarity {similarity:.2f})")
        out.print()
        out.print(detail.text)
        out.print()
        _print_findings(detail.extraction)


@app.command("search")
def search(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="Words that must all appear (any order).")],
    limit: Annotated[int, typer.Option(min=1, help="How many results.")] = 20,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Full-text search over stored reports."""
    with open_store(settings_for(ctx, db)) as store:
        hits = store.search(query, limit)
        if as_json:
            print_json([asdict(hit) for hit in hits])
            return
        if not hits:
            out.print("no match")
        for hit in hits:
            out.print(f"[bold]{hit.report_id[:8]}[/] {escape(hit.title or '(untitled)')}", markup=True)
            out.print(f"    {hit.snippet}")


@app.command("summary")
def summary(
    ctx: typer.Context,
    top: Annotated[int, typer.Option(min=1, help="How many entities per type.")] = 5,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """What the store holds: reports by language, entities by type, the most reported entities and
    events."""
    with open_store(settings_for(ctx, db)) as store:
        reports = store.list_reports(limit=1_000_000)
        languages = Counter(r.language or "?" for r in reports)
        type_counts = store.entity_type_counts()
        top_entities = {t: store.list_entities(t, top) for t in type_counts}
        events = store.list_events(limit=100_000)
        top_events = sorted(events, key=lambda e: (-e.sources, -(len(e.participants)), e.id))[:top]
        if as_json:
            print_json(
                {
                    "reports": len(reports),
                    "languages": dict(languages),
                    "entities": type_counts,
                    "top_entities": {t: [asdict(e) for e in rows] for t, rows in top_entities.items()},
                    "events": len(events),
                    "top_events": [asdict(e) for e in top_events],
                }
            )
            return
        langs = ", ".join(f"{n} {lang}" for lang, n in languages.most_common())
        out.print(f"[bold]{len(reports)} reports[/] ({escape(langs)})", markup=True)
        table = Table("type", "entities", f"top {top} (reports)")
        for entity_type, count in type_counts.items():
            names = ", ".join(f"{e.name} ({e.report_count})" for e in top_entities[entity_type])
            add_row(table, entity_type, str(count), names)
        out.print(table)
        out.print(f"[bold]{len(events)} events[/]; the most reported:", markup=True)
        event_table = Table("date", "event", "place", "participants", "sources")
        for event in top_events:
            code = f"{event.plover} {event.cameo or ''}".strip()
            add_row(
                event_table,
                event.date or "?",
                f"{event.type} ({code})",
                event.location or "",
                ", ".join(event.participants[:4]),
                event.sources,
            )
        out.print(event_table)
