"""MISP, CSV and GraphML of a real ``liaison.sharing`` export, from hand-made extractions (no models).

One report per TLP level, each with its own agent and gang, Europol in all of them; the CLEAR and RED
reports describe the same arrest, so that arrest is RED.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pymisp import MISPEvent

from liaison import sharing
from liaison.domain import TLP
from liaison.settings import Settings
from liaison.share.graphml import bundle_to_graphml
from liaison.share.misp import bundle_to_misp_events, misp_events_to_bundle
from liaison.share.tabular import bundle_to_csv
from liaison.share.validation import validation_errors
from liaison.store import Store
from tests.conftest import FIXED_TIME
from tests.sharing_factories import report_extraction, save

LEVELS = list(TLP)
NS = {"g": "http://graphml.graphdrawing.org/xmlns"}


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    directory = tmp_path_factory.mktemp("formats")
    settings = Settings(database_url=f"sqlite:///{directory / 'store.db'}", data_dir=directory)
    with Store.open(settings, clock=lambda: FIXED_TIME) as store:
        first = None
        for level in LEVELS:
            tag = level.value.replace("+", "-")
            extraction = report_extraction(tag, level, person=f"Agent {tag}", group=f"Gang {tag}")
            save(store, extraction, same_event_as=first if level is TLP.RED else None)
            first = first or extraction
    yield settings


def export(settings: Settings, tlp_max: TLP | None = None) -> dict[str, Any]:
    with Store.open(settings) as store:
        return sharing.export_bundle(store, settings, tlp_max=tlp_max)


def test_misp_events_of_a_real_export(settings: Settings) -> None:
    bundle = export(settings)
    events = []
    for document in bundle_to_misp_events(bundle):
        event = MISPEvent()
        event.load(json.loads(json.dumps(document)))
        events.append(event)
    assert len(events) == len([o for o in bundle["objects"] if o["type"] == "x-liaison-event"]) == 4
    assert all(
        event.info.startswith("arrest (PLOVER COERCE/arrest, CAMEO 173): Europol, Gang ") for event in events
    )
    # the CLEAR and RED reports' arrest is RED: organisation only
    shared = next(event for event in events if "Gang clear" in event.info)
    assert [tag.name for tag in shared.tags if tag.name.startswith("tlp:")] == ["tlp:red"]
    assert shared.distribution == 0
    links = sorted(str(a.value) for a in shared.attributes if a.type == "link")
    assert links == ["https://wire.example/clear", "https://wire.example/red"]
    [event_object] = [o for o in shared.objects if o.name == "event"]
    # Europol arrested both reports' gangs, in France
    roles = sorted(ref.relationship_type for ref in event_object.references)
    assert roles == ["actor", "located-at", "recipient", "recipient"]
    assert "Gang red" in shared.info


def test_a_real_misp_export_reimports(settings: Settings, tmp_path: Path) -> None:
    documents = bundle_to_misp_events(export(settings), per="report")
    converted = misp_events_to_bundle(documents, "Partner CERT")
    assert validation_errors(converted) == []
    received = Settings(database_url=f"sqlite:///{tmp_path / 'received.db'}", data_dir=tmp_path)
    with Store.open(received) as store:
        summary = sharing.import_bundle(converted, received, store, "Partner CERT", "misp.json")
        assert summary.ok, summary.errors
        again = sharing.import_bundle(
            misp_events_to_bundle(documents, "Partner CERT"), received, store, "Partner CERT"
        )
        assert (again.stored, again.replaced, again.unchanged) == (0, 0, summary.stored)
    names = {obj.get("name") for obj in export(received)["objects"]}
    assert {"Report clear", "Report red", "Agent amber", "Europol", "France", "Gang green"} <= names


@pytest.mark.parametrize("tlp_max", LEVELS[:-1], ids=[level.value for level in LEVELS[:-1]])
def test_no_format_shows_what_is_above_tlp_max(settings: Settings, tlp_max: TLP) -> None:
    bundle = export(settings, tlp_max)
    above = [level.value for level in LEVELS if level.rank > tlp_max.rank]
    # Names in a report's own text may appear (evidence, figures); the entities may not. Europol is in
    # the RED report too, so it is RED and never shown below it, nor the agents of the stricter reports.
    hidden = {"Europol"} | {f"Agent {level.replace('+', '-')}" for level in above}
    documents = bundle_to_misp_events(bundle, per="report") + bundle_to_misp_events(bundle)
    misp = json.dumps(documents)
    shown = {
        str(attribute["value"])
        for document in documents
        for obj in document["Event"].get("Object", [])
        for attribute in obj["Attribute"]
        if attribute["object_relation"] in ("name", "full-name")
    }
    assert shown and not shown & hidden
    tables = bundle_to_csv(bundle)
    named = {row["name"] for row in csv.DictReader(io.StringIO(tables["entities.csv"], newline=""))}
    assert named and not named & hidden
    graph = bundle_to_graphml(bundle)
    assert not [f"tlp:{level}" for level in above if f'"tlp:{level}"' in misp]
    levels = {row["tlp"] for text in tables.values() for row in csv.DictReader(io.StringIO(text, newline=""))}
    assert levels and not levels & set(above)
    root = ET.fromstring(graph.encode("utf-8"))
    assert {d.text for d in root.iterfind("g:graph/g:node/g:data[@key='label']", NS)} & hidden == set()
    assert {d.text for d in root.iterfind("g:graph/*/g:data[@key='tlp']", NS)} & set(above) == set()
    assert {d.text for d in root.iterfind("g:graph/*/g:data[@key='e_tlp']", NS)} & set(above) == set()


def test_csv_and_graphml_of_a_real_export(settings: Settings) -> None:
    bundle = export(settings)
    tables = bundle_to_csv(bundle)
    entities = {row["name"]: row for row in csv.DictReader(io.StringIO(tables["entities.csv"], newline=""))}
    assert entities["Europol"]["tlp"] == "red" and len(entities["Europol"]["reports"].split("; ")) == 5
    assert entities["France"]["country"] == "FR"
    assert "Liaison" not in entities and "Liaison project" not in entities
    claims = list(csv.DictReader(io.StringIO(tables["claims.csv"], newline="")))
    assert {(row["value"], row["unit"]) for row in claims} == {("34", "servers")} and len(claims) == 5
    root = ET.fromstring(bundle_to_graphml(bundle).encode("utf-8"))
    labels = {d.text for d in root.iterfind("g:graph/g:node/g:data[@key='label']", NS)}
    assert {"Europol", "Agent clear", "France"} <= labels
    edges = [
        (
            edge.findtext("g:data[@key='e_type']", namespaces=NS),
            edge.findtext("g:data[@key='weight']", namespaces=NS),
        )
        for edge in root.iterfind("g:graph/g:edge", NS)
    ]
    assert ("part-of", "1.0") in edges  # each agent, director of Europol
    assert ("co-participant", "1.0") in edges  # Europol arrested each gang
