"""The ``liaison`` command line: a thin layer over ``liaison.services`` and the store."""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import asdict
from datetime import date
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from liaison import services
from liaison.domain import TLP, EntityType, Marking, Report
from liaison.errors import InputError, LiaisonError
from liaison.extraction_format import extraction_to_dict
from liaison.ingest import ReportMetadata
from liaison.settings import Settings
from liaison.store import Store, database

app = typer.Typer(
    name="liaison",
    help="Liaison: collect, understand, connect and share security reporting.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Manage the store's schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
evaluate_app = typer.Typer(help="Measure extraction against annotated data.", no_args_is_help=True)
app.add_typer(evaluate_app, name="evaluate")

# Report text is untrusted: markup is off by default so "[bold]" in a report prints as typed.
out = Console(highlight=False, soft_wrap=True, markup=False)
err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False)


def _add_row(table: Table, *values: object) -> None:
    """Add a row of plain text (never interpreted as rich markup)."""
    table.add_row(*(Text(str(value)) for value in values))


DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", help="Store URL (default: LIAISON_DATABASE_URL, else an SQLite file).", show_default=False
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _version_callback(value: bool) -> None:
    if value:
        out.print(f"liaison {package_version('liaison')}")
        raise typer.Exit()


@app.callback()
def main_callback(
    ctx: typer.Context,
    db: DbOption = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version_callback, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Liaison: collect, understand, connect and share security reporting."""
    ctx.obj = Settings.from_environment().with_database(db)


def _settings(ctx: typer.Context, db: str | None = None) -> Settings:
    settings = ctx.obj if isinstance(ctx.obj, Settings) else Settings.from_environment()
    return settings.with_database(db)


def _fail(message: str, code: int = 1) -> NoReturn:
    err.print(f"[bold red]error:[/] {escape(message)}", markup=True)
    raise typer.Exit(code)


def _open_store(settings: Settings) -> Store:
    try:
        return Store.open(settings)
    except LiaisonError as error:
        _fail(str(error))


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")


def _parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        _fail(f"invalid date {value!r}; use YYYY-MM-DD", code=2)


def _metadata(
    source: str | None, url: str | None, published: str | None, tlp: str | None, language: str | None
) -> ReportMetadata:
    marking = None
    if tlp is not None:
        try:
            marking = Marking(TLP.parse(tlp))
        except ValueError as error:
            _fail(str(error), code=2)
    return ReportMetadata(source, url, _parse_date(published), marking, language)


SourceOption = Annotated[str | None, typer.Option(help="Outlet or source name for every input.")]
UrlOption = Annotated[str | None, typer.Option(help="Source URL for every input.")]
PublishedOption = Annotated[
    str | None, typer.Option(help="Publication date YYYY-MM-DD (the document creation time).")
]
TlpOption = Annotated[
    str | None, typer.Option(help="TLP 2.0 marking: clear, green, amber, amber+strict, red.")
]
LanguageOption = Annotated[str | None, typer.Option(help="Language code, when known (e.g. en, fr).")]
EncodingOption = Annotated[
    str | None, typer.Option(help="Text encoding of the inputs (default: UTF-8, or as the BOM says).")
]
PathsArgument = Annotated[
    list[Path], typer.Argument(help="Files or directories (.txt .md .html .json .jsonl).", show_default=False)
]


def _ingest_with_progress(
    paths: list[Path],
    settings: Settings,
    store: Store,
    metadata: ReportMetadata,
    workers: int,
    encoding: str | None,
    as_json: bool,
) -> services.IngestSummary:
    """Run the ingest use case with a progress bar (reports/s, ETA) on a terminal."""
    items = services.read_reports(paths, settings, metadata, encoding)
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

        summary = services.ingest_paths(
            paths, settings, store, metadata, workers, encoding, advance, read=items
        )
    return summary


@app.command()
def ingest(
    ctx: typer.Context,
    paths: PathsArgument,
    workers: Annotated[int, typer.Option(min=1, help="Extraction processes (one writer to the store).")] = 1,
    source: SourceOption = None,
    url: UrlOption = None,
    published: PublishedOption = None,
    tlp: TlpOption = None,
    language: LanguageOption = None,
    encoding: EncodingOption = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Read reports, extract what they say, and store them. Bad inputs are reported; the rest go on."""
    settings = _settings(ctx, db)
    metadata = _metadata(source, url, published, tlp, language)
    with _open_store(settings) as store:
        summary = _ingest_with_progress(paths, settings, store, metadata, workers, encoding, as_json)
    if as_json:
        _print_json(
            {
                "stored": summary.stored,
                "unchanged": summary.unchanged,
                "failed": [asdict(f) for f in summary.failures],
            }
        )
    else:
        out.print(
            f"stored {summary.stored} report(s), {summary.unchanged} unchanged, "
            f"{len(summary.failures)} failed"
        )
        for failure in summary.failures:
            err.print(f"[bold red]error:[/] {escape(failure.message)}", markup=True)
    if summary.failures:
        raise typer.Exit(1)


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
    settings = _settings(ctx)
    metadata = _metadata(source, url, published, tlp, language)
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
            _print_json(data)
        else:
            _print_extraction(data)
    if failures:
        raise typer.Exit(1)


def _print_extraction(data: dict[str, Any]) -> None:
    report = data["report"]
    out.print(f"[bold]{escape(report['title'] or '(untitled)')}[/]  {report['id']}", markup=True)
    out.print(f"language {report['language']}  published {report['published'] or '?'}")
    table = Table("type", "name", "aliases", "mentions")
    for entity in data["entities"]:
        _add_row(
            table, entity["type"], entity["name"], ", ".join(entity["aliases"]), str(len(entity["mentions"]))
        )
    out.print(table)


@app.command("reports")
def list_reports(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, help="How many, newest first.")] = 50,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """List stored reports, newest first."""
    with _open_store(_settings(ctx, db)) as store:
        rows = store.list_reports(limit)
        if as_json:
            _print_json([asdict(row) for row in rows])
            return
        table = Table("id", "published", "lang", "tlp", "source", "title", "entities")
        for row in rows:
            _add_row(
                table,
                row.id[:8],
                str(row.published or ""),
                row.language or "",
                row.tlp,
                row.source or "",
                (row.title or "")[:70],
                str(row.entity_count),
            )
        out.print(table)


@app.command("report")
def show_report(
    ctx: typer.Context,
    report_id: Annotated[str, typer.Argument(help="Report ID or unambiguous prefix.")],
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Show one report with the entities found in it."""
    with _open_store(_settings(ctx, db)) as store:
        try:
            detail = store.get_report(report_id)
        except LiaisonError as error:
            _fail(str(error))
        if as_json:
            _print_json(
                {"report": asdict(detail.summary), "text": detail.text, "extraction": detail.extraction}
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
        out.print()
        out.print(detail.text)
        out.print()
        table = Table("type", "name", "aliases", "mentions")
        for entity in detail.extraction.get("entities", []):
            _add_row(
                table,
                entity["type"],
                entity["name"],
                ", ".join(entity["aliases"]),
                str(len(entity["mentions"])),
            )
        out.print(table)


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
    with _open_store(_settings(ctx, db)) as store:
        rows = store.list_entities(entity_type.value if entity_type else None, limit)
        if as_json:
            _print_json([asdict(row) for row in rows])
            return
        table = Table("id", "type", "name", "reports", "mentions", "aliases")
        for row in rows:
            _add_row(
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
    with _open_store(_settings(ctx, db)) as store:
        try:
            if arguments[0] == "merge" and len(arguments) == 3:
                kept = store.merge_entities(arguments[1], arguments[2])
                _show_entity(store, kept, as_json)
            elif arguments[0] == "split" and len(arguments) == 3:
                new = store.split_entity(arguments[1], arguments[2])
                _show_entity(store, new, as_json)
            elif len(arguments) != 1:
                _fail("give one NAME|ID, or 'merge KEPT OTHER', or 'split ENTITY ALIAS'", code=2)
            elif why:
                _explain_entity(store, arguments[0], as_json)
            else:
                _show_entity(store, arguments[0], as_json)
        except LiaisonError as error:
            _fail(str(error))


def _show_entity(store: Store, name_or_id: str, as_json: bool) -> None:
    detail = store.get_entity(name_or_id)
    if as_json:
        _print_json(
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
        _print_json(
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
        _add_row(table, alias.alias, alias.language or "", alias.via, (alias.first_report_id or "")[:8])
    out.print(table)
    if not explanation.links:
        out.print("no merges or splits: every alias was read as this entity's own name or variant")
    for link in explanation.links:
        verb = {"auto": "merged automatically", "manual": "merged by an analyst", "split": "split"}[link.kind]
        where = f" (report {link.report_id[:8]})" if link.report_id else ""
        out.print(f"- {verb}: {link.other} into {link.kept}{where}: {link.reason} [score {link.score:.2f}]")


@app.command("search")
def search(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="Words that must all appear (any order).")],
    limit: Annotated[int, typer.Option(min=1, help="How many results.")] = 20,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Full-text search over stored reports."""
    with _open_store(_settings(ctx, db)) as store:
        hits = store.search(query, limit)
        if as_json:
            _print_json([asdict(hit) for hit in hits])
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
    """What the store holds: reports by language, entities by type, the most reported entities."""
    with _open_store(_settings(ctx, db)) as store:
        reports = store.list_reports(limit=1_000_000)
        languages = Counter(r.language or "?" for r in reports)
        type_counts = store.entity_type_counts()
        top_entities = {t: store.list_entities(t, top) for t in type_counts}
        if as_json:
            _print_json(
                {
                    "reports": len(reports),
                    "languages": dict(languages),
                    "entities": type_counts,
                    "top_entities": {t: [asdict(e) for e in rows] for t, rows in top_entities.items()},
                }
            )
            return
        langs = ", ".join(f"{n} {lang}" for lang, n in languages.most_common())
        out.print(f"[bold]{len(reports)} reports[/] ({escape(langs)})", markup=True)
        table = Table("type", "entities", f"top {top} (reports)")
        for entity_type, count in type_counts.items():
            names = ", ".join(f"{e.name} ({e.report_count})" for e in top_entities[entity_type])
            _add_row(table, entity_type, str(count), names)
        out.print(table)


@db_app.command("upgrade")
def db_upgrade(
    ctx: typer.Context,
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
    db: DbOption = None,
) -> None:
    """Create the store or apply pending migrations."""
    settings = _settings(ctx, db)
    try:
        engine = database.create_store_engine(settings.resolved_database_url)
        before = database.current_revision(engine)
        database.upgrade(engine, revision)
        after = database.current_revision(engine)
    except LiaisonError as error:
        _fail(str(error))
    engine.dispose()
    out.print(f"store {engine.url!r}: revision {before or '(empty)'} -> {after}")


@db_app.command("current")
def db_current(ctx: typer.Context, db: DbOption = None) -> None:
    """Show the store's schema revision and the latest one this version knows."""
    settings = _settings(ctx, db)
    try:
        engine = database.create_store_engine(settings.resolved_database_url)
        current = database.current_revision(engine)
    except LiaisonError as error:
        _fail(str(error))
    engine.dispose()
    out.print(f"store {engine.url!r}: revision {current or '(empty)'}, latest {database.head_revision()}")


@evaluate_app.command("ner")
def evaluate_ner(
    ctx: typer.Context,
    path: Annotated[
        Path,
        typer.Argument(help="A CoNLL-2003 file, or a directory of MEANTIME XML files.", show_default=False),
    ],
    as_json: JsonOption = False,
) -> None:
    """Precision, recall and F1 per class for Liaison and for the raw spaCy model, in one run."""
    from liaison.evaluation import ner

    settings = _settings(ctx)
    extractor = services.make_extractor(settings)
    try:
        if path.is_dir():
            result = ner.evaluate_meantime(path, extractor)
        else:
            result = ner.evaluate_conll(path, extractor)
    except LiaisonError as error:
        _fail(str(error))
    if as_json:
        _print_json(
            {
                "corpus": result.corpus,
                "documents": result.documents,
                "gold_spans": result.gold_spans,
                "seconds": round(result.seconds, 2),
                "systems": {
                    system.system: {
                        score.label: {
                            "precision": round(score.precision, 4),
                            "recall": round(score.recall, 4),
                            "f1": round(score.f1, 4),
                            "overlap_f1": round(loose.f1, 4),
                            "support": score.support,
                        }
                        for score, loose in zip(system.strict.rows(), system.overlap.rows(), strict=True)
                    }
                    for system in result.systems
                },
            }
        )
        return
    out.print(f"{result.corpus}: {result.documents} documents, {result.gold_spans} gold spans")
    out.print(ner.format_table(result))


def main() -> None:
    try:
        app()
    except LiaisonError as error:
        err.print(f"[bold red]error:[/] {escape(str(error))}", markup=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
