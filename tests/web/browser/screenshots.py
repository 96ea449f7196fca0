"""Screenshots of the web UI on the demo store, for the README (``scripts/screenshots`` runs this).

Builds the demo store (``demo_store.build_demo_store``: the example reports through the real pipeline,
with the demo organisations and users) in a temporary directory, serves it on loopback, logs in through
the form with Debian's Chromium and saves one PNG per page into ``docs/screenshots/``: laptop width
(1366×900) for every page, and the report reader again at tablet width (768×1024). The brief (``brief``)
is the first screen of the HTML brief on a demo person, as ``/brief/document`` serves it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Browser, FloatRect, Page, ViewportSize, sync_playwright

from liaison.settings import Settings
from tests.live_server import live_server
from tests.web.browser.demo_store import ADMIN, HOME, PASSWORD, DemoStore, build_demo_store
from tests.web.browser.support import LAPTOP, TABLET, OriginGuard, launch_chromium, log_in

OUTPUT = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
# What the screenshots show, chosen for being well connected in the demo corpus.
REPORT_TITLE = "UK-led operation takes down LockBit ransomware infrastructure"
ENTITY_NAME = "Europol"
SEARCH = "/search?q=ransomware&topic=cybercrime"
PERSON_MENTION = "#report-text mark.mention[data-entity-type='person']"
BRIEF_PERSON = "Ken McCallum"  # an event with four other chiefs, two roles, two sources in two languages


@dataclass(frozen=True)
class Shot:
    name: str
    path: str
    viewport: ViewportSize
    ready: str | None = None  # a selector to wait for (charts drawn by script)
    signed_in: bool = True
    through: str | None = None  # taller than the window: from the top down to the end of this element
    hover: str | None = None  # point at this first (a mention, to show its popover)


def _home_collection(demo: DemoStore) -> str:
    return next(c.id for c in demo.store.collections() if c.organization == HOME)


def shots(demo: DemoStore) -> list[Shot]:
    """The pages to capture, with ids looked up in the demo store as the home organisation reads it."""
    store = demo.store
    collection = _home_collection(demo)
    reports = store.readable_reports(collection, limit=200).items
    report = next(r for r in reports if r.title == REPORT_TITLE)
    entity = store.readable_entities(collection, query=ENTITY_NAME, limit=1).items[0]
    events = store.readable_events(collection, entity=entity.id, limit=50).items
    event = max(events, key=lambda e: (e.sources, len(e.participants)))
    person = next(
        e
        for e in store.readable_entities(collection, "person", query=BRIEF_PERSON).items
        if e.name == BRIEF_PERSON
    )
    return [
        Shot("login", "/login", LAPTOP, signed_in=False),
        Shot("dashboard", "/", LAPTOP),
        Shot("report", f"/reports/{report.id}", LAPTOP, hover=PERSON_MENTION),
        Shot("report-tablet", f"/reports/{report.id}", TABLET),
        Shot(
            "entity",
            f"/entities/{entity.id}",
            LAPTOP,
            ready="#graph[data-rendered='true']",
            through=".entity-pictures",
        ),
        Shot("event", f"/events/{event.id}", LAPTOP),
        Shot("search", SEARCH, LAPTOP),
        Shot("sharing", "/sharing", LAPTOP),
        Shot("ingest", "/ingest", LAPTOP),
        Shot("brief", f"/brief/document?entity={person.id}", LAPTOP),
    ]


def capture(browser: Browser, base_url: str, shot: Shot, output: Path) -> Path:
    context = browser.new_context(
        base_url=base_url, viewport=shot.viewport, device_scale_factor=1, locale="en-GB"
    )
    guard = OriginGuard(base_url)
    guard.attach(context)
    try:
        page = context.new_page()
        if shot.signed_in:
            log_in(page, ADMIN, PASSWORD)
        response = page.goto(shot.path)
        if response is None or response.status != 200:
            raise RuntimeError(f"{shot.path} answered {response.status if response else 'nothing'}")
        page.wait_for_load_state("networkidle")
        if shot.ready:
            page.wait_for_selector(shot.ready)
        _settle(page)
        if shot.hover:
            page.locator(shot.hover).first.hover()
            page.locator("#mention-popover").wait_for()
        target = output / f"{shot.name}.png"
        if shot.through:
            bottom = page.locator(shot.through).evaluate("e => e.getBoundingClientRect().bottom + scrollY")
            clip: FloatRect = {"x": 0, "y": 0, "width": shot.viewport["width"], "height": bottom + 24}
            page.screenshot(path=str(target), full_page=True, clip=clip)
        else:
            page.screenshot(path=str(target))
    finally:
        context.close()
    if guard.problems():
        raise RuntimeError(f"{shot.path}: " + "; ".join(guard.problems()))
    return target


def _settle(page: Page) -> None:
    """No caret blinking or focus ring from autofocus in the picture."""
    page.evaluate("() => document.activeElement && document.activeElement.blur()")


def main(argv: list[str] | None = None, log: Callable[[str], object] = print) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--output", type=Path, default=OUTPUT, help="where the PNG files go")
    parser.add_argument("--only", action="append", default=[], help="take only this shot (repeat it)")
    arguments = parser.parse_args(argv)
    output: Path = arguments.output
    output.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="liaison-screenshots-") as directory:
        root = Path(directory)
        settings = Settings(database_url=f"sqlite:///{root / 'liaison.db'}", data_dir=root / "data")
        log("building the demo store (examples/reports through the pipeline)...")
        demo = build_demo_store(settings)
        try:
            wanted = [shot for shot in shots(demo) if not arguments.only or shot.name in arguments.only]
            with live_server(settings, demo.store) as base_url, sync_playwright() as driver:
                browser = launch_chromium(driver)
                try:
                    for shot in wanted:
                        log(f"  {capture(browser, base_url, shot, output)}")
                finally:
                    browser.close()
        finally:
            demo.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
