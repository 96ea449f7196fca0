"""Share in the formats partners and analysts use besides STIX: MISP events, CSV tables, GraphML.

Every export goes through the STIX export (``liaison.sharing.export_bundle``) and converts its bundle, so
that the filters, the TLP markings and what is left out are exactly those of ``liaison export stix``. A
MISP import converts the events to a STIX bundle and imports that (``liaison.sharing.import_bundle``).
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from liaison import sharing
from liaison.cli.common import (
    DbOption,
    JsonOption,
    err,
    export_app,
    fail,
    import_app,
    out,
    print_json,
    settings_for,
    store_session,
)
from liaison.cli.export_options import (
    EntityOption,
    OutFileOption,
    SinceOption,
    TlpMaxOption,
    exported_bundle,
    write_file,
    write_output,
)
from liaison.errors import LiaisonError
from liaison.settings import Settings
from liaison.share.graphml import bundle_to_graphml
from liaison.share.tabular import bundle_to_csv


class MispPer(StrEnum):
    EVENT = "event"
    REPORT = "report"


@export_app.command("misp")
def export_misp(
    ctx: typer.Context,
    per: Annotated[
        MispPer, typer.Option("--per", help="One MISP event per Liaison event, or per report.")
    ] = MispPer.EVENT,
    since: SinceOption = None,
    tlp_max: TlpMaxOption = None,
    entity: EntityOption = None,
    out_file: OutFileOption = None,
    db: DbOption = None,
) -> None:
    """MISP event JSON ({"response": [{"Event": …}, …]}, made with PyMISP), TLP as tags and distribution."""
    from liaison.share.misp import bundle_to_misp_events  # PyMISP takes ~0.2 s to import: only here

    bundle = exported_bundle(ctx, db, since, tlp_max, entity)
    events = bundle_to_misp_events(bundle, per="report" if per is MispPer.REPORT else "event")
    text = json.dumps({"response": events}, ensure_ascii=False, indent=2) + "\n"
    write_output(text, out_file, f"{len(events)} MISP event(s)")


@export_app.command("csv")
def export_csv(
    ctx: typer.Context,
    out_dir: Annotated[
        Path,
        typer.Option("--out", help="Directory for entities.csv, events.csv and claims.csv.", file_okay=False),
    ],
    since: SinceOption = None,
    tlp_max: TlpMaxOption = None,
    entity: EntityOption = None,
    db: DbOption = None,
) -> None:
    """Entities, events and claims as three CSV tables (formulas defused for spreadsheets)."""
    tables = bundle_to_csv(exported_bundle(ctx, db, since, tlp_max, entity))
    try:
        for name, text in tables.items():
            write_file(out_dir / name, text)
    except OSError as error:
        fail(f"{out_dir}: cannot write ({error.strerror or error})")
    counts = ", ".join(f"{name} ({text.count(chr(10)) - 1} rows)" for name, text in tables.items())
    out.print(f"wrote {counts} to {out_dir}")


@export_app.command("graphml")
def export_graphml(
    ctx: typer.Context,
    since: SinceOption = None,
    tlp_max: TlpMaxOption = None,
    entity: EntityOption = None,
    out_file: OutFileOption = None,
    db: DbOption = None,
) -> None:
    """The entity graph (relationships and co-participation in events, weighted) as GraphML for Gephi."""
    text = bundle_to_graphml(exported_bundle(ctx, db, since, tlp_max, entity))
    write_output(text, out_file, "the entity graph")


def _read_input(path: str, settings: Settings) -> bytes:
    """The file's bytes (``-`` is standard input), refused beyond the bundle size cap."""
    limit = settings.max_bundle_bytes
    try:
        if path == "-":
            data = sys.stdin.buffer.read(limit + 1)
        else:
            with Path(path).open("rb") as handle:
                data = handle.read(limit + 1)
    except OSError as error:
        fail(f"{path}: cannot read ({error.strerror or error})")
    if len(data) > limit:
        fail(f"{path}: larger than {limit} bytes (LIAISON_MAX_BUNDLE_BYTES); split the export")
    return data


@import_app.command("misp")
def import_misp(
    ctx: typer.Context,
    path: Annotated[str, typer.Argument(help="MISP event JSON file, or - for standard input.")],
    partner: Annotated[str, typer.Option("--from", help="Who sent it (kept as the provenance).")],
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Read a partner's MISP events (one, a list, or a MISP search response) into the store."""
    from liaison.share.misp import misp_events_to_bundle, read_misp_json  # as in export_misp

    settings = settings_for(ctx, db)
    source = "<stdin>" if path == "-" else path
    try:
        documents = read_misp_json(_read_input(path, settings), source)
        bundle = misp_events_to_bundle(documents, received_from=partner, source=source)
    except LiaisonError as error:
        fail(str(error))
    with store_session(ctx, db) as store:
        summary = sharing.import_bundle(bundle, settings, store, received_from=partner, source=source)
    if as_json:
        print_json({"events": len(documents), **asdict(summary)})
    elif summary.ok:
        out.print(
            f"{len(documents)} MISP event(s) from {partner}: stored {summary.stored} object(s), "
            f"{summary.unchanged} unchanged, {summary.replaced} replaced by a later version"
            + (f"; {summary.alerts} alert(s) raised on watches" if summary.alerts else "")
        )
    for message in summary.errors:
        err.print(f"[bold red]error:[/] {escape(message)}", markup=True)
    if not summary.ok:
        raise typer.Exit(1)
