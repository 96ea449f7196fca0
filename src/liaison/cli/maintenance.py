"""Keeping the store safe: db check, backup, restore."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from liaison import maintenance
from liaison.cli.common import DbOption, app, db_app, fail, out, settings_for
from liaison.errors import LiaisonError
from liaison.store.maintenance import IntegrityCheck

FileArgument = Annotated[Path, typer.Argument(help="The backup file.", show_default=False)]


def _print_checks(checks: list[IntegrityCheck]) -> bool:
    for check in checks:
        if check.ok:
            out.print(f"ok      {check.name}")
        else:
            out.print(f"FAILED  {check.name}: {check.problem}")
    return all(check.ok for check in checks)


@db_app.command("check")
def db_check(ctx: typer.Context, db: DbOption = None) -> None:
    """Check the store: the database's own checks, Liaison's references, the audit chain, the schema
    revision. Exit 1 if any fails."""
    try:
        checks = maintenance.check_database(settings_for(ctx, db))
    except LiaisonError as error:
        fail(str(error))
    if not _print_checks(checks):
        fail(f"{sum(not check.ok for check in checks)} of {len(checks)} checks failed")


@app.command("backup")
def backup(ctx: typer.Context, file: FileArgument, db: DbOption = None) -> None:
    """Save a consistent copy of the store, even while it is in use (SQLite backup API, or pg_dump)."""
    settings = settings_for(ctx, db)
    try:
        maintenance.backup(settings, file)
    except LiaisonError as error:
        fail(str(error))
    out.print(f"backed up to {file}")


@app.command("restore")
def restore(
    ctx: typer.Context,
    file: FileArgument,
    force: Annotated[bool, typer.Option("--force", help="Replace a store that is not empty.")] = False,
    db: DbOption = None,
) -> None:
    """Replace the store with a backup, then check it (exit 1 if a check fails)."""
    settings = settings_for(ctx, db)
    try:
        checks = maintenance.restore(settings, file, force=force)
    except LiaisonError as error:
        fail(str(error))
    if not _print_checks(checks):
        fail(f"restored from {file}, but {sum(not check.ok for check in checks)} checks failed")
    out.print(f"restored from {file}")
