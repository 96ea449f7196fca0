"""The filters and output of every `liaison export` command: one wording, one way to write a file."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer

from liaison import sharing
from liaison.cli.common import cli_actor, err, fail, parse_date, settings_for, store_session
from liaison.domain import TLP

SinceOption = Annotated[
    str | None,
    typer.Option("--since", help="Only reports ingested (and objects received) on or after YYYY-MM-DD."),
]
TlpMaxOption = Annotated[
    str | None,
    typer.Option(
        "--tlp-max",
        help="Leave out reports, and every object, marked above this TLP level "
        "(clear, green, amber, amber+strict, red).",
    ),
]
EntityOption = Annotated[
    str | None,
    typer.Option("--entity", help="Only the reports that mention this entity (name, alias or ID)."),
]
OutFileOption = Annotated[
    Path | None, typer.Option("--out", help="Write to this file (default: standard output).", dir_okay=False)
]


def parse_tlp_max(value: str | None) -> TLP | None:
    if value is None:
        return None
    try:
        return TLP.parse(value)
    except ValueError as error:
        fail(f"--tlp-max: {error}", code=2)


def exported_bundle(
    ctx: typer.Context, db: str | None, since: str | None, tlp_max: str | None, entity: str | None
) -> dict[str, Any]:
    """The STIX bundle the same filters would export, for conversion."""
    settings = settings_for(ctx, db)
    since_date, level = parse_date(since), parse_tlp_max(tlp_max)
    with store_session(ctx, db) as store:
        bundle = sharing.export_bundle(store, settings, since=since_date, tlp_max=level, entity=entity)
        store.append_audit(
            cli_actor(),
            "export",
            ctx.command_path,
            {
                "objects": len(bundle["objects"]),
                "since": since,
                "tlp_max": level.value if level else None,
                "entity": entity,
            },
        )
        return bundle


def write_file(path: Path, text: str) -> None:
    """Write the whole file or nothing (a temporary file renamed over it): a reader never sees half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", newline="", dir=path.parent, prefix=f".{path.name}.", delete=False
    ) as handle:
        handle.write(text)
    Path(handle.name).replace(path)


def write_output(text: str, path: Path | None, what: str) -> None:
    if path is None:
        sys.stdout.write(text)
        return
    try:
        write_file(path, text)
    except OSError as error:
        fail(f"{path}: cannot write ({error.strerror or error})")
    err.print(f"wrote {what} to {path}")
