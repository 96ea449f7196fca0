"""The ``liaison`` command line: a thin layer over ``liaison.services`` and the store.

The Typer app lives in ``common``; each module registers its commands on it when imported.
"""

from __future__ import annotations

import sys

from rich.markup import escape

# Imported in the order their commands should appear in --help.
from liaison.cli import reports  # isort: skip
from liaison.cli import feeds  # isort: skip
from liaison.cli import entities  # isort: skip
from liaison.cli import events  # isort: skip
from liaison.cli import stix  # isort: skip
from liaison.cli import admin  # isort: skip
from liaison.cli import maintenance  # isort: skip
from liaison.cli import cooperation  # isort: skip
from liaison.cli import watch  # isort: skip
from liaison.cli import formats  # isort: skip
from liaison.cli import brief  # isort: skip
from liaison.cli.common import app, err
from liaison.errors import LiaisonError

COMMAND_MODULES = (
    reports,
    feeds,
    entities,
    events,
    stix,
    admin,
    maintenance,
    cooperation,
    watch,
    formats,
    brief,
)

__all__ = ["app", "main"]


def main() -> None:
    try:
        app()
    except LiaisonError as error:
        err.print(f"[bold red]error:[/] {escape(str(error))}", markup=True)
        sys.exit(1)
