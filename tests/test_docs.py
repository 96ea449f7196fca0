"""Documentation stays true: every command and every setting is in the README."""

from __future__ import annotations

import re

import typer

from liaison.cli import app
from liaison.settings import Settings
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text("utf-8")


def command_paths(typer_app: typer.Typer, prefix: str = "liaison") -> list[str]:
    paths = []
    for command in typer_app.registered_commands:
        name = command.name or (command.callback.__name__ if command.callback else "")
        paths.append(f"{prefix} {name}")
    for group in typer_app.registered_groups:
        assert group.typer_instance is not None
        paths.extend(command_paths(group.typer_instance, f"{prefix} {group.name}"))
    return paths


def test_every_command_is_in_the_readme() -> None:
    paths = command_paths(app)
    assert len(paths) >= 15
    missing = [path for path in paths if f"`{path}" not in README]
    assert missing == []


def test_every_environment_setting_is_in_the_readme() -> None:
    documented = set(re.findall(r"``(LIAISON_[A-Z_]+)``", Settings.__doc__ or ""))
    assert {"LIAISON_DATABASE_URL", "LIAISON_DATA_DIR", "LIAISON_MAX_REPORT_BYTES"} <= documented
    assert [name for name in sorted(documented) if name not in README] == []
