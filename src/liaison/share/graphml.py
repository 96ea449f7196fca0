"""The entity graph of a Liaison STIX bundle as GraphML, for Gephi and other graph tools.

Nodes are the people, organisations, groups and places (``identity``, ``threat-actor``,
``intrusion-set``, ``location``) with their ``label``, ``type`` and ``tlp``. Edges are the STIX
relationships between them (directed, ``type`` = the relationship type, ``label`` = its description) and
co-participation: two entities that took part in the same ``x-liaison-event`` are joined by one
undirected ``co-participant`` edge whose ``weight`` is the number of events they share. Each edge's
``tlp`` is that of the relationship, or the most restrictive of the shared events.

Every attribute is declared by a ``<key>`` with ``attr.name`` and ``attr.type`` (GraphML primer §3), which
is what Gephi reads into its data laboratory; ``label`` and ``weight`` are the names Gephi maps to a node's
label and an edge's weight. Order is by ID, so the same bundle always gives the same file.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # only builds XML here; nothing is parsed
from collections import defaultdict
from itertools import combinations
from typing import Any

from liaison.domain import TLP
from liaison.share.bundle_index import EVENT_TYPE, BundleIndex, entity_kind, text_of

GRAPHML_NAMESPACE = "http://graphml.graphdrawing.org/xmlns"
CO_PARTICIPANT = "co-participant"
# (id, for, attr.name, attr.type)
_KEYS = (
    ("label", "node", "label", "string"),
    ("type", "node", "type", "string"),
    ("tlp", "node", "tlp", "string"),
    ("e_label", "edge", "label", "string"),
    ("e_type", "edge", "type", "string"),
    ("e_tlp", "edge", "tlp", "string"),
    ("weight", "edge", "weight", "double"),
)
# XML 1.0 forbids these characters even escaped; report text can carry them (PDF and feed debris).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def bundle_to_graphml(bundle: dict[str, Any]) -> str:
    """The bundle's entity graph as a GraphML document (a string with its XML declaration)."""
    index = BundleIndex(bundle)
    nodes = index.entities()
    node_ids = {obj["id"] for obj in nodes}

    ET.register_namespace("", GRAPHML_NAMESPACE)
    root = ET.Element(_tag("graphml"))
    for key_id, domain, name, kind in _KEYS:
        ET.SubElement(root, _tag("key"), {"id": key_id, "for": domain, "attr.name": name, "attr.type": kind})
    graph = ET.SubElement(root, _tag("graph"), {"id": "liaison", "edgedefault": "undirected"})
    for obj in nodes:
        node = ET.SubElement(graph, _tag("node"), {"id": obj["id"]})
        _data(node, "label", text_of(obj.get("name")) or obj["id"])
        _data(node, "type", entity_kind(obj))
        _data(node, "tlp", index.tlp(obj).value)
    for number, (attributes, values) in enumerate(_edges(index, node_ids)):
        edge = ET.SubElement(graph, _tag("edge"), {"id": f"e{number}", **attributes})
        for key, value in values:
            _data(edge, key, value)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _tag(name: str) -> str:
    return f"{{{GRAPHML_NAMESPACE}}}{name}"


def _data(parent: ET.Element, key: str, value: str) -> None:
    ET.SubElement(parent, _tag("data"), {"key": key}).text = _NOT_XML.sub("", value)


Edge = tuple[dict[str, str], list[tuple[str, str]]]


def _edges(index: BundleIndex, node_ids: set[str]) -> list[Edge]:
    edges: list[tuple[tuple[str, str, str], Edge]] = []
    for rel in index.relationships(among=node_ids):
        kind = text_of(rel.get("relationship_type")) or "related-to"
        attributes = {"source": rel["source_ref"], "target": rel["target_ref"], "directed": "true"}
        values = [("e_type", kind), ("e_tlp", index.tlp(rel).value), ("weight", "1.0")]
        if text_of(rel.get("description")):
            values.insert(0, ("e_label", rel["description"]))
        edges.append(((rel["source_ref"], rel["target_ref"], kind + rel["id"]), (attributes, values)))

    shared: dict[tuple[str, str], list[TLP]] = defaultdict(list)
    for event in index.of_type(EVENT_TYPE):
        members = sorted({ref for ref, _ in index.participants(event) if ref in node_ids})
        for pair in combinations(members, 2):
            shared[pair].append(index.tlp(event))
    for (source, target), levels in shared.items():
        strictest = max(levels, key=lambda level: level.rank)
        attributes = {"source": source, "target": target}
        values = [
            ("e_label", f"{len(levels)} shared event(s)"),
            ("e_type", CO_PARTICIPANT),
            ("e_tlp", strictest.value),
            ("weight", f"{float(len(levels))}"),
        ]
        edges.append(((source, target, CO_PARTICIPANT), (attributes, values)))
    return [edge for _, edge in sorted(edges, key=lambda item: item[0])]
