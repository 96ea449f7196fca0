"""Shared pieces of the command line: the Typer app, consoles, options and helpers."""

from __future__ import annotations

import contextlib
import getpass
import json
import sys
from collections.abc import Iterator
from datetime import date
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from liaison.domain import TLP, Marking
from liaison.errors import LiaisonError
from liaison.ingest import ReportMetadata
from liaison.settings import Settings
from liaison.store import Store

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
feeds_app = typer.Typer(
    help="Follow RSS and Atom feeds and collect their new articles.", no_args_is_help=True
)
app.add_typer(feeds_app, name="feeds")
export_app = typer.Typer(
    help="Share the store: STIX 2.1 with TLP 2.0, MISP, CSV, GraphML.", no_args_is_help=True
)
app.add_typer(export_app, name="export")
import_app = typer.Typer(help="Read partners' STIX 2.1 bundles and MISP events.", no_args_is_help=True)
app.add_typer(import_app, name="import")

# Report text is untrusted: markup is off by default so "[bold]" in a report prints as typed.
out = Console(highlight=False, soft_wrap=True, markup=False)
err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False)


def add_row(table: Table, *values: object) -> None:
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


def settings_for(ctx: typer.Context, db: str | None = None) -> Settings:
    settings = ctx.obj if isinstance(ctx.obj, Settings) else Settings.from_environment()
    return settings.with_database(db)


def fail(message: str, code: int = 1) -> NoReturn:
    err.print(f"[bold red]error:[/] {escape(message)}", markup=True)
    raise typer.Exit(code)


def open_store(settings: Settings) -> Store:
    try:
        return Store.open(settings)
    except LiaisonError as error:
        fail(str(error))


@contextlib.contextmanager
def store_session(ctx: typer.Context, db: str | None) -> Iterator[Store]:
    """The store for a command; a Liaison error inside ends the command with its message."""
    with open_store(settings_for(ctx, db)) as store:
        try:
            yield store
        except LiaisonError as error:
            fail(str(error))


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")


def parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"invalid date {value!r}; use YYYY-MM-DD", code=2)


def metadata_from(
    source: str | None,
    url: str | None,
    published: str | None,
    tlp: str | None,
    language: str | None,
    recipients: tuple[str, ...] = (),
) -> ReportMetadata:
    marking = None
    if tlp is not None:
        try:
            marking = Marking(TLP.parse(tlp), recipients)
        except ValueError as error:
            fail(str(error), code=2)
    if recipients and (marking is None or marking.tlp is not TLP.RED):
        fail("--recipient names who may read a TLP:RED report; use it with --tlp red", code=2)
    return ReportMetadata(source, url, parse_date(published), marking, language)


SourceOption = Annotated[str | None, typer.Option(help="Outlet or source name for every input.")]
UrlOption = Annotated[str | None, typer.Option(help="Source URL for every input.")]
PublishedOption = Annotated[
    str | None, typer.Option(help="Publication date YYYY-MM-DD (the document creation time).")
]
TlpOption = Annotated[
    str | None, typer.Option(help="TLP 2.0 marking: clear, green, amber, amber+strict, red.")
]
RecipientOption = Annotated[
    list[str] | None,
    typer.Option(
        "--recipient",
        help="An organisation a TLP:RED report is for (repeat it; default: the home organisation).",
    ),
]
LanguageOption = Annotated[str | None, typer.Option(help="Language code, when known (e.g. en, fr).")]
EncodingOption = Annotated[
    str | None, typer.Option(help="Text encoding of the inputs (default: UTF-8, or as the BOM says).")
]
PathsArgument = Annotated[
    list[Path],
    typer.Argument(
        help="Files or directories (.txt .md .html .json .jsonl, feeds .rss .atom .xml).", show_default=False
    ),
]
WorkersOption = Annotated[
    int | None,
    typer.Option(
        min=1,
        help="Extraction processes, one writer to the store (default: one per core, "
        "from 16 reports per core).",
        show_default=False,
    ),
]
AllowPrivateOption = Annotated[
    bool,
    typer.Option(
        "--allow-private",
        help="Also fetch from private, loopback and link-local addresses (refused by default).",
    ),
]


def cli_actor() -> str:
    """Who is acting, for the audit log: the operating-system login."""
    try:
        login = getpass.getuser()
    except (KeyError, OSError):  # no login name and no passwd entry (some containers)
        login = "unknown"
    return f"cli:{login}"
