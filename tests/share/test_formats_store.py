"""MISP, CSV and GraphML from a real export: three demo reports ingested with the real models.

The LockBit reports are TLP:CLEAR (one English, one French without front matter), the Five Eyes report
TLP:GREEN, so the ``--tlp-max clear`` export must leave the Five Eyes report out of every format.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest
from pymisp import MISPEvent
from typer.testing import CliRunner

from liaison import services, sharing
from liaison.cli import app
from liaison.domain import TLP
from liaison.settings import Settings
from liaison.share.graphml import bundle_to_graphml
from liaison.share.misp import DISTRIBUTION_FOR_TLP, bundle_to_misp_events, misp_events_to_bundle
from liaison.share.tabular import bundle_to_csv
from liaison.store import Store
from tests.conftest import DEMO_CORPUS

pytestmark = pytest.mark.model

DEMO = [
    DEMO_CORPUS / "05_lockbit-operation-cronos.md",
    DEMO_CORPUS / "06_lockbit-cronos-arrestations.txt",
    DEMO_CORPUS / "08_five-eyes-summit-stanford.md",
]
FIVE_EYES = (
    "Five Eyes security chiefs appear together in public for the first time, warn of threat to innovation"
)
NS = {"g": "http://graphml.graphdrawing.org/xmlns"}
PARTNER = "Partner CERT"


@pytest.fixture(scope="module")
def demo_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    directory = tmp_path_factory.mktemp("demo-store")
    settings = Settings(database_url=f"sqlite:///{directory / 'store.db'}", data_dir=directory)
    with Store.open(settings) as store:
        summary = services.ingest_paths(DEMO, settings, store, workers=1)
    assert summary.stored == 3 and not summary.failures
    yield settings


def export(settings: Settings, tlp_max: TLP | None = None) -> dict[str, Any]:
    with Store.open(settings) as store:
        return sharing.export_bundle(store, settings, tlp_max=tlp_max)


def of_type(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [obj for obj in bundle["objects"] if obj["type"] == kind]


def test_misp_export_loads_in_pymisp_and_reimports_into_an_empty_store(
    demo_settings: Settings, tmp_path: Path
) -> None:
    bundle = export(demo_settings)
    assert of_type(bundle, "x-liaison-event")  # the demo reports do describe events
    for per, kind in (("event", "x-liaison-event"), ("report", "report")):
        documents = bundle_to_misp_events(bundle, per=per)  # type: ignore[arg-type]
        assert len(documents) == len(of_type(bundle, kind))
        for document in documents:
            event = MISPEvent()
            event.load(json.loads(json.dumps(document)))
            [tlp] = [tag.name for tag in event.tags if tag.name.startswith("tlp:")]
            assert event.distribution == DISTRIBUTION_FOR_TLP[TLP.parse(tlp)]
            assert event.objects or event.attributes

        received = Settings(database_url=f"sqlite:///{tmp_path / f'{per}.db'}", data_dir=tmp_path)
        with Store.open(received) as store:
            summary = sharing.import_bundle(
                misp_events_to_bundle(documents, PARTNER), received, store, PARTNER
            )
            assert summary.ok, summary.errors
            assert summary.stored > len(documents)
            again = sharing.import_bundle(misp_events_to_bundle(documents, PARTNER), received, store, PARTNER)
            assert (again.stored, again.replaced) == (0, 0)
        reports = {obj["name"] for obj in of_type(export(received), "report")}
        assert reports == {document["Event"]["info"] for document in documents}


def test_every_format_is_the_same_for_the_same_store(demo_settings: Settings) -> None:
    first, second = export(demo_settings), export(demo_settings)
    assert json.dumps(bundle_to_misp_events(first)) == json.dumps(bundle_to_misp_events(second))
    assert bundle_to_csv(first) == bundle_to_csv(second)
    assert bundle_to_graphml(first) == bundle_to_graphml(second)


def test_tlp_max_clear_leaves_the_green_report_out_of_every_format(demo_settings: Settings) -> None:
    full, clear = export(demo_settings), export(demo_settings, TLP.CLEAR)
    assert FIVE_EYES in {event["Event"]["info"] for event in bundle_to_misp_events(full, per="report")}
    misp = bundle_to_misp_events(clear, per="report")
    assert FIVE_EYES not in {event["Event"]["info"] for event in misp}
    assert {tag["name"] for e in misp for tag in e["Event"]["Tag"] if tag["name"].startswith("tlp:")} == {
        "tlp:clear"
    }
    tables = bundle_to_csv(clear)
    levels = {row["tlp"] for name in tables for row in csv.DictReader(io.StringIO(tables[name], newline=""))}
    assert levels == {"clear"}
    graph = ET.fromstring(bundle_to_graphml(clear).encode("utf-8"))
    assert {d.text for d in graph.iterfind("g:graph/*/g:data[@key='tlp']", NS)} <= {"clear"}
    assert "Mike Burgess" not in bundle_to_graphml(clear)


def test_csv_tables_of_a_real_export(demo_settings: Settings) -> None:
    bundle = export(demo_settings)
    tables = bundle_to_csv(bundle)
    entities = list(csv.DictReader(io.StringIO(tables["entities.csv"], newline="")))
    names = {row["name"] for row in entities}
    assert {"LockBit", "Europol"} <= names
    assert "Liaison" not in names  # the producer signs; it is not reported on
    events = list(csv.DictReader(io.StringIO(tables["events.csv"], newline="")))
    assert len(events) == len(of_type(bundle, "x-liaison-event"))
    claims = list(csv.DictReader(io.StringIO(tables["claims.csv"], newline="")))
    assert len(claims) == len([n for n in of_type(bundle, "note") if "x_liaison_value" in n])
    assert any(row["unit"] and row["evidence"] for row in claims)
    report_ids = {obj["id"] for obj in of_type(bundle, "report")}
    assert all(set(row["sources"].split("; ")) <= report_ids for row in events if row["sources"])


def test_graphml_of_a_real_export(demo_settings: Settings) -> None:
    bundle = export(demo_settings)
    root = ET.fromstring(bundle_to_graphml(bundle).encode("utf-8"))
    nodes = {node.get("id") for node in root.iterfind("g:graph/g:node", NS)}
    authors = {obj.get("created_by_ref") for obj in bundle["objects"]}
    expected = {
        obj["id"]
        for obj in bundle["objects"]
        if obj["type"] in ("identity", "threat-actor", "location")
        and obj["id"] not in authors
        and obj["id"] != "identity--b3bca3c2-1f3d-4b54-b44f-dac42c3a8f01"  # CISA, author of TLP 2.0
    }
    assert nodes == expected
    pairs = {
        pair
        for event in of_type(bundle, "x-liaison-event")
        for pair in combinations(sorted({p["entity_ref"] for p in event.get("participants", [])} & nodes), 2)
    }
    shared = {
        (edge.get("source"), edge.get("target"))
        for edge in root.iterfind("g:graph/g:edge", NS)
        if edge.findtext("g:data[@key='e_type']", namespaces=NS) == "co-participant"
    }
    assert shared == pairs and pairs  # Europol, Poland, Ukraine … took part in the same arrests
    edges = {(e.get("source"), e.get("target")) for e in root.iterfind("g:graph/g:edge", NS)}
    assert all(source in nodes and target in nodes for source, target in edges)


def test_the_commands_on_a_real_store(demo_settings: Settings, tmp_path: Path) -> None:
    runner = CliRunner()

    def liaison(db: str, *args: str) -> tuple[int, str, str]:
        result = runner.invoke(app, ["--db", db, *args], catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    ours, theirs = demo_settings.resolved_database_url, f"sqlite:///{tmp_path / 'partner.db'}"
    misp = tmp_path / "events.json"
    code, _, err = liaison(
        ours, "export", "misp", "--per", "report", "--tlp-max", "green", "--out", str(misp)
    )
    assert code == 0, err
    assert len(json.loads(misp.read_text("utf-8"))["response"]) == 3
    code, out, err = liaison(ours, "export", "csv", "--out", str(tmp_path / "tables"))
    assert code == 0 and "events.csv" in out, err
    code, out, err = liaison(ours, "export", "graphml", "--since", "2000-01-01")
    assert code == 0 and out.startswith("<?xml"), err
    code, out, err = liaison(theirs, "import", "misp", str(misp), "--from", "Partner CERT")
    assert code == 0 and "3 MISP event(s) from Partner CERT: stored" in out, err
