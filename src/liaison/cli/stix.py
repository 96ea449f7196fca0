"""STIX 2.1 exchange: `liaison export stix` and `liaison import stix`."""

from __future__ import annotations

import os
import sys
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
    write_output,
)

STDIN = "-"


@export_app.command("stix")
def export_stix(
    ctx: typer.Context,
    since: SinceOption = None,
    tlp_max: TlpMaxOption = None,
    entity: EntityOption = None,
    out_file: OutFileOption = None,
    db: DbOption = None,
) -> None:
    """Export the store as one STIX 2.1 bundle under TLP 2.0 markings (the same store, the same bytes)."""
    bundle = exported_bundle(ctx, db, since, tlp_max, entity)
    write_output(
        sharing.bundle_json(bundle), out_file, f"{len(bundle['objects'])} STIX object(s) ({bundle['id']})"
    )


def _read_input(source: str, limit: int) -> bytes:
    """The bundle's bytes, reading at most one byte over the cap (the check then names the size)."""
    if source == STDIN:
        return sys.stdin.buffer.read(limit + 1)
    path = Path(source)
    try:
        if path.is_dir():
            fail(f"{source}: is a directory; give a bundle file, or - for standard input", code=2)
        with path.open("rb") as handle:
            return handle.read(limit + 1)
    except FileNotFoundError:
        fail(f"{source}: no such file; give a bundle file, or - for standard input", code=2)
    except OSError as error:
        fail(f"{source}: cannot read it: {error.strerror or error}")


@import_app.command("stix")
def import_stix(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="A STIX 2.1 bundle file, or - for standard input.")],
    partner: Annotated[
        str, typer.Option("--from", help="Who sent the bundle (kept with every object it brings).")
    ],
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Import a partner's STIX 2.1 bundle: checked whole, then kept whole with its provenance, or refused."""
    settings = settings_for(ctx, db)
    data = _read_input(source, settings.max_bundle_bytes)
    label = "standard input" if source == STDIN else os.fspath(source)
    with store_session(ctx, db) as store:
        summary = sharing.import_bundle(data, settings, store, received_from=partner, source=label)
    if as_json:
        print_json(
            {
                "source": label,
                "bundle_id": summary.bundle_id,
                "stored": summary.stored,
                "unchanged": summary.unchanged,
                "replaced": summary.replaced,
                "older": summary.older,
                "alerts": summary.alerts,
                "errors": summary.errors,
            }
        )
    if summary.errors:
        for message in summary.errors:
            err.print(f"[bold red]error:[/] {escape(message)}", markup=True)
        raise typer.Exit(1)
    if not as_json:
        older = f", {summary.older} older version(s) kept as history" if summary.older else ""
        alerts = f"; {summary.alerts} alert(s) raised on watches" if summary.alerts else ""
        out.print(
            f"{summary.bundle_id} from {partner.strip()}: stored {summary.stored} object(s), "
            f"{summary.unchanged} unchanged, {summary.replaced} replaced by a newer version{older}{alerts}"
        )
