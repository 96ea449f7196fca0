"""GraphML from the sample bundle: well-formed, declared keys, the expected nodes and weighted edges."""

from __future__ import annotations

import random
import xml.etree.ElementTree as ET
from typing import Any

from liaison.share.graphml import bundle_to_graphml
from tests.share.conftest import object_named

NS = {"g": "http://graphml.graphdrawing.org/xmlns"}


def parse(bundle: dict[str, Any]) -> ET.Element:
    return ET.fromstring(bundle_to_graphml(bundle).encode("utf-8"))


def data(element: ET.Element, keys: dict[str, str]) -> dict[str, str]:
    """An element's data by attribute name (through its key declaration)."""
    return {keys[d.get("key", "")]: d.text or "" for d in element.findall("g:data", NS)}


def declared(root: ET.Element, domain: str) -> dict[str, str]:
    return {
        k.get("id", ""): k.get("attr.name", "") for k in root.findall("g:key", NS) if k.get("for") == domain
    }


def test_nodes_are_the_entities_with_label_type_and_tlp(sample_bundle: dict[str, Any]) -> None:
    root = parse(sample_bundle)
    keys = declared(root, "node")
    assert sorted(keys.values()) == ["label", "tlp", "type"]
    nodes = {node.get("id"): data(node, keys) for node in root.iterfind("g:graph/g:node", NS)}
    assert len(nodes) == 10  # people, organisations, the group and places; not the producer nor reports
    assert nodes[object_named(sample_bundle, "Mike Burgess")["id"]] == {
        "label": "Mike Burgess",
        "type": "person",
        "tlp": "green",
    }
    assert nodes[object_named(sample_bundle, "Glasgow")["id"]]["type"] == "city"
    assert nodes[object_named(sample_bundle, "LockBit")["id"]]["type"] == "threat-actor"


def test_edges_are_relationships_and_weighted_co_participation(sample_bundle: dict[str, Any]) -> None:
    root = parse(sample_bundle)
    keys = declared(root, "edge")
    assert sorted(keys.values()) == ["label", "tlp", "type", "weight"]
    [weight_key] = [k for k in root.findall("g:key", NS) if k.get("attr.name") == "weight"]
    assert weight_key.get("attr.type") == "double"
    name = {object_named(sample_bundle, n)["id"]: n for n in ("Europol", "LockBit", "Mike Burgess", "Poland")}
    name |= {object_named(sample_bundle, "Australian Security Intelligence Organisation")["id"]: "ASIO"}
    edges = {}
    for edge in root.iterfind("g:graph/g:edge", NS):
        values = data(edge, keys)
        ends = (name.get(edge.get("source", ""), "?"), name.get(edge.get("target", ""), "?"))
        edges[(*ends, values["type"])] = (values, edge.get("directed"))
    part_of, directed = edges[("Mike Burgess", "ASIO", "part-of")]
    assert directed == "true" and part_of["label"] == "Director General"
    # Europol and LockBit took part in two events (arrest, AMBER; dismantle, GREEN)
    shared, directed = edges[("Europol", "LockBit", "co-participant")]
    assert directed is None  # the graph's default: undirected
    assert (shared["weight"], shared["tlp"]) == ("2.0", "amber")
    assert edges[("Europol", "Poland", "co-participant")][0]["weight"] == "1.0"
    assert len(root.findall("g:graph/g:edge", NS)) == 12
    assert len({edge.get("id") for edge in root.iterfind("g:graph/g:edge", NS)}) == 12


def test_text_is_escaped_and_control_characters_dropped(sample_bundle: dict[str, Any]) -> None:
    object_named(sample_bundle, "Europol")["name"] = 'Bureau <Cyber> & "Co"\x0b\x00'
    root = parse(sample_bundle)
    labels = [d.text for d in root.iterfind("g:graph/g:node/g:data[@key='label']", NS)]
    assert 'Bureau <Cyber> & "Co"' in labels


def test_same_bundle_same_file_whatever_the_object_order(sample_bundle: dict[str, Any]) -> None:
    first = bundle_to_graphml(sample_bundle)
    assert first.startswith("<?xml version='1.0' encoding='utf-8'?>")
    objects = sample_bundle["objects"]
    assert (
        bundle_to_graphml(dict(sample_bundle, objects=random.Random(5).sample(objects, k=len(objects))))
        == first
    )


def test_an_empty_bundle_is_an_empty_graph() -> None:
    root = parse({"type": "bundle", "id": "bundle--x", "objects": []})
    assert root.findall("g:graph/g:node", NS) == [] and len(root.findall("g:key", NS)) == 7
