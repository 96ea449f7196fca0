"""ACCEPTANCE (issue 10): ``liaison brief`` on the demo store writes an HTML and a PDF brief for a person;
the PDF has the expected pages, the TLP banner on every page and every source the brief used.

The demo store is the browser tests' (``tests.web.browser.demo_store``): the example reports run through
the real pipeline, built once for this module."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest
from typer.testing import CliRunner

from liaison.cli import app
from liaison.domain import TLP
from liaison.settings import Settings
from tests.web.browser.demo_store import HOME, DemoStore, build_demo_store

pytestmark = [pytest.mark.model, pytest.mark.slow]

PERSON = "Ken McCallum"  # in two reports of examples/reports, with an event and roles
runner = CliRunner()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoStore]:
    directory = tmp_path_factory.mktemp("brief-demo")
    settings = Settings(database_url=f"sqlite:///{directory / 'liaison.db'}", data_dir=directory / "data")
    built = build_demo_store(settings)
    yield built
    built.close()


def reports_used(demo: DemoStore) -> dict[str, str]:
    """Report ID -> title of every report the home organisation reads that says something of the person
    a brief states: its events' sources, its roles and its aliases (read independently of the brief)."""
    store = demo.store
    collection = store.collection_for(store.organization(HOME).id).id
    found = store.readable_entities(collection, entity_type="person", query=PERSON).items
    person = next(e for e in found if e.name == PERSON)
    detail = store.readable_entity(collection, person.id)
    assert detail is not None and detail.events and detail.roles
    ids = {r.report_id for r in detail.roles} | {i for a in detail.aliases for i in a.report_ids}
    for event in detail.events:
        event_detail = store.readable_event(collection, event.id)
        assert event_detail is not None
        ids |= {s.report_id for s in event_detail.sources}
    titles = store.readable_report_titles(collection, ids)
    assert set(titles) == ids
    return {report_id: title or "(untitled)" for report_id, title in titles.items()}


def words(text: str) -> str:
    return " ".join(text.split())


def test_brief_for_a_demo_person_as_html_and_pdf(demo: DemoStore, tmp_path: Path) -> None:
    used = reports_used(demo)
    levels = {
        TLP(r.tlp)
        for r in demo.store.readable_report_summaries(
            demo.store.collection_for(demo.store.organization(HOME).id).id, used
        )
    }
    marking = f"TLP:{max(levels, key=lambda level: level.rank).value.upper()}"
    for name in ("brief.html", "brief.pdf"):
        result = runner.invoke(
            app,
            ["--db", demo.settings.database_url, "brief", PERSON, "--out", str(tmp_path / name)],
            catch_exceptions=False,
        )
        assert result.exit_code == 0, result.stdout + result.stderr
        assert f", {len(used)} source" in result.stdout and marking in result.stdout

    html = (tmp_path / "brief.html").read_text("utf-8")
    assert f"{PERSON} <span" in html
    for report_id in used:
        assert f"/reports/{report_id}" in html
    assert len(re.findall(r'<li id="src-\d+">', html)) == len(used)

    pages = pypdf.PdfReader(tmp_path / "brief.pdf").pages
    texts = [words(page.extract_text()) for page in pages]
    assert 2 <= len(pages) <= 8  # a person with one event and two roles: a few pages, not one per row
    for number, text in enumerate(texts, start=1):
        assert text.count(marking) >= 2, f"page {number} lacks the banner top and bottom"
        assert f"page {number} of {len(pages)}" in text
    whole = " ".join(texts)
    assert PERSON in texts[0]
    sources_part = whole[whole.rindex("Sources ") :]
    for report_id, title in used.items():
        assert words(title) in sources_part, title
        assert report_id in sources_part
