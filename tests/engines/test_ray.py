"""The Ray engine on a local Ray instance stores exactly what the local process pool stores."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from liaison.settings import Settings
from liaison.store import Store
from tests.conftest import DEMO_CORPUS

pytestmark = [pytest.mark.model, pytest.mark.slow]

pytest.importorskip("ray", reason="the cluster extra is part of the dev install (make setup)")

TIMESTAMPS = ("ingested_at", "created_at")


def ingest(database: Path, *options: str) -> dict[str, object]:
    # A separate process: Ray starts its own daemons and must not share the test runner's state.
    command = [str(Path(sys.executable).with_name("liaison")), "--db", f"sqlite:///{database}", "ingest"]
    finished = subprocess.run(
        [*command, *options, "--json", str(DEMO_CORPUS)], capture_output=True, text=True, timeout=600
    )
    assert finished.returncode == 0, finished.stderr
    result: dict[str, object] = json.loads(finished.stdout)
    return result


def test_the_ray_engine_stores_the_same_rows_as_two_local_workers(tmp_path: Path) -> None:
    local = ingest(tmp_path / "local.db", "--workers", "2")
    on_ray = ingest(tmp_path / "ray.db", "--engine", "ray", "--workers", "2")
    assert on_ray == local and local["stored"] == 20
    snapshots = []
    for name in ("local.db", "ray.db"):
        with Store.open(Settings(database_url=f"sqlite:///{tmp_path / name}")) as store:
            snapshots.append(store.snapshot(exclude_columns=TIMESTAMPS))
    assert snapshots[0] == snapshots[1]
    assert sum(len(rows) for rows in snapshots[0].values()) > 1000


def test_an_address_without_the_ray_engine_is_refused(tmp_path: Path) -> None:
    command = [str(Path(sys.executable).with_name("liaison")), "--db", f"sqlite:///{tmp_path / 'x.db'}"]
    finished = subprocess.run(
        [*command, "ingest", "--address", "ray://head:10001", str(DEMO_CORPUS / "11_african-lion-2023.txt")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode == 1 and "--engine ray" in finished.stderr
