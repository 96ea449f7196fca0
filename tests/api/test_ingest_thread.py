"""Every API and web ingest runs on the one ingest thread, whichever request thread asks for it."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from liaison import services
from liaison.api import rest_ingest


def test_ingests_from_many_request_threads_run_on_one_thread_one_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[str] = []
    running = threading.Semaphore(1)

    def fake_ingest(*args: Any, **kwargs: Any) -> str:
        assert running.acquire(blocking=False), "two ingests ran at once"
        seen.append(threading.current_thread().name)
        running.release()
        return "done"

    monkeypatch.setattr(services, "ingest_reports", fake_ingest)
    with ThreadPoolExecutor(max_workers=8) as requests:
        answers = list(requests.map(lambda _: rest_ingest.ingest_one_at_a_time(None, None, []), range(40)))  # type: ignore[arg-type]
    assert answers == ["done"] * 40
    assert len(set(seen)) == 1 and seen[0].startswith("liaison-ingest")
