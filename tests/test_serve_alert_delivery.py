"""`liaison serve` retries undelivered alerts in a background thread for as long as it serves."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from liaison import alert_delivery
from liaison.alert_delivery import DeliverySummary
from liaison.cli import app, cooperation
from liaison.settings import Settings
from liaison.store import Store

NOTHING = DeliverySummary(attempted=0, delivered=0, failed=0, still_pending=0)
# Long enough for a thread to start on a loaded machine; the test waits only when something is wrong.
PATIENCE_SECONDS = 60


def test_the_loop_delivers_until_stopped_and_outlives_a_failed_pass(
    sqlite_settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stop = threading.Event()
    passes: list[Store] = []

    def deliver_due(store: Store, settings: Settings, now: object = None) -> DeliverySummary:
        passes.append(store)
        if len(passes) == 1:
            raise RuntimeError("database is locked")
        if len(passes) == 3:
            stop.set()
        return NOTHING

    monkeypatch.setattr(alert_delivery, "deliver_due", deliver_due)
    with Store.open(sqlite_settings) as store:
        cooperation.deliver_alerts_until(store, sqlite_settings, stop, interval=0)
    assert passes == [store, store, store]
    assert "alert delivery failed" in capsys.readouterr().err


def test_serve_runs_the_delivery_loop_beside_the_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    delivered = threading.Event()
    threads: list[threading.Thread] = []

    def deliver_due(store: Store, settings: Settings, now: object = None) -> DeliverySummary:
        delivered.set()
        return NOTHING

    def run(application: Any, host: str, port: int) -> None:
        # The server is running: the loop has started and makes its first pass on the server's store.
        assert delivered.wait(PATIENCE_SECONDS)
        threads.extend(t for t in threading.enumerate() if t.name == "alert-delivery")

    monkeypatch.setattr(alert_delivery, "deliver_due", deliver_due)
    monkeypatch.setattr(uvicorn, "run", run)
    result = CliRunner().invoke(
        app, ["--db", f"sqlite:///{tmp_path / 'serve.db'}", "serve"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.stderr
    [thread] = threads
    assert thread.daemon
    thread.join(PATIENCE_SECONDS)
    assert not thread.is_alive()  # stopped when the server stopped
