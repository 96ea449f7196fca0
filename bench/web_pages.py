"""Benchmark: how long the web pages take on the demo store (server time for the HTML, over loopback).

Builds the store the browser tests use (examples/reports, plus an AMBER and a RED report, organisations
and users), serves it, logs in as the home admin and fetches each page 11 times; medians and maxima.

    PYTHONPATH=. .venv/bin/python bench/web_pages.py
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from tests.web.browser.demo_store import USERS, build_demo_store
from tests.web.browsing import serving

from liaison.settings import Settings

ROUNDS = 11


def main() -> None:
    directory = Path(tempfile.mkdtemp(prefix="liaison-web-bench-"))
    settings = Settings(database_url=f"sqlite:///{directory / 'store.db'}", data_dir=directory)
    demo = build_demo_store(settings)
    store = demo.store
    home = store.home_organization()
    assert home is not None
    collection = store.collection_for(home.id).id
    admin = next(name for name, (_, role) in USERS.items() if role.value == "admin")
    report = store.readable_reports(collection, limit=1).items[0].id
    entity = store.readable_entities(collection, limit=1).items[0].id
    event = store.readable_events(collection, limit=1).items[0].id
    pages = {
        "dashboard": "/",
        "reports": "/reports",
        "report reader": f"/reports/{report}",
        "entity (most reported)": f"/entities/{entity}",
        "event": f"/events/{event}",
        "search with a facet": "/search?q=ransomware&topic=cybercrime",
        "sharing": "/sharing",
    }
    print("| page | median ms | max ms |")
    print("|---|---:|---:|")
    with serving(settings, store) as site:
        client = site.logged_in(admin)
        for name, path in pages.items():
            times = []
            for _ in range(ROUNDS):
                started = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{path}: HTTP {response.status_code}")
            print(f"| {name} | {statistics.median(times):.1f} | {max(times):.1f} |")
    demo.close()


if __name__ == "__main__":
    main()
