"""CSV tables from the sample bundle: columns, rows, joins, and no formula reaching a spreadsheet."""

from __future__ import annotations

import csv
import io
import random
from typing import Any

import pytest

from liaison.share.tabular import bundle_to_csv, defuse_formula
from tests.share.conftest import object_named


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_three_tables_with_their_columns(sample_bundle: dict[str, Any]) -> None:
    tables = bundle_to_csv(sample_bundle)
    assert sorted(tables) == ["claims.csv", "entities.csv", "events.csv"]
    headers = {name: text.split("\r\n", 1)[0] for name, text in tables.items()}
    assert headers == {
        "entities.csv": "id,type,name,aliases,country,tlp,reports",
        "events.csv": "id,date,type,plover,cameo,place,participants,sources,status,tlp",
        "claims.csv": "id,subject,value,qualifier,unit,period,report,evidence,tlp",
    }


def test_entities(sample_bundle: dict[str, Any]) -> None:
    entities = {row["name"]: row for row in rows(bundle_to_csv(sample_bundle)["entities.csv"])}
    assert "Liaison demo service" not in entities  # the producer is not reported on
    assert len(entities) == 10
    burgess = entities["Mike Burgess"]
    assert (burgess["type"], burgess["aliases"], burgess["tlp"]) == (
        "person",
        "Burgess; Mike Burguess",
        "green",
    )
    assert (
        burgess["reports"]
        == object_named(sample_bundle, 'Five Eyes chiefs meet <in> "Palo Alto" & talk')["id"]
    )
    assert entities["Glasgow"]["type"] == "city" and entities["Glasgow"]["country"] == "GB"
    assert entities["National Crime Agency"]["country"] == "GB"  # located-at the United Kingdom
    assert entities["LockBit"]["type"] == "threat-actor"
    assert len(entities["Europol"]["reports"].split("; ")) == 2


def test_events_and_claims(sample_bundle: dict[str, Any]) -> None:
    tables = bundle_to_csv(sample_bundle)
    events = rows(tables["events.csv"])
    assert [row["date"] for row in events] == ["2023-10-17", "2024-02", "2024-02-20"]
    arrest = events[2]
    assert {key: arrest[key] for key in ("type", "plover", "cameo", "place", "status", "tlp")} == {
        "type": "arrest",
        "plover": "COERCE/arrest",
        "cameo": "173",
        "place": "Poland",
        "status": "occurred",
        "tlp": "amber",
    }
    assert (
        arrest["participants"]
        == "Europol (actor); Poland (participant); Ukraine (participant); LockBit (recipient)"
    )
    assert len(arrest["sources"].split("; ")) == 2
    claims = rows(tables["claims.csv"])
    assert len(claims) == 2  # the note without a figure is not a claim
    accounts = next(row for row in claims if row["unit"] == "cryptocurrency accounts")
    assert (accounts["value"], accounts["qualifier"], accounts["period"], accounts["tlp"]) == (
        "200",
        "about",
        "2024",
        "amber",
    )
    entity_reports = {r for row in rows(tables["entities.csv"]) for r in row["reports"].split("; ")}
    assert accounts["report"] in entity_reports  # the tables join on report IDs


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+33 1 23", "'+33 1 23"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Europol", "Europol"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_formula_starts_are_defused(cell: str, written: str) -> None:
    assert defuse_formula(cell) == written


def test_no_cell_can_run_as_a_formula(sample_bundle: dict[str, Any]) -> None:
    tables = bundle_to_csv(sample_bundle)
    cells = [
        cell for text in tables.values() for row in csv.reader(io.StringIO(text, newline="")) for cell in row
    ]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    entities = {row["id"]: row for row in rows(tables["entities.csv"])}
    evil = entities[object_named(sample_bundle, '=HYPERLINK("http://evil.example","click")')["id"]]
    assert evil["name"] == '\'=HYPERLINK("http://evil.example","click")'
    assert evil["aliases"] == "'@evil; +evil"
    assert "'- environ 200 comptes de cryptomonnaie" in [
        row["evidence"] for row in rows(tables["claims.csv"])
    ]


def test_same_bundle_same_tables_whatever_the_object_order(sample_bundle: dict[str, Any]) -> None:
    first = bundle_to_csv(sample_bundle)
    objects = sample_bundle["objects"]
    shuffled = dict(sample_bundle, objects=random.Random(3).sample(objects, k=len(objects)))
    assert bundle_to_csv(shuffled) == first


def test_an_empty_or_odd_bundle_gives_headers_only() -> None:
    odd = {"type": "bundle", "objects": [{"type": "identity"}, "junk", {"id": "x", "type": "note"}]}
    for bundle in ({"type": "bundle", "id": "bundle--x", "objects": []}, odd):
        assert [len(text.splitlines()) for text in bundle_to_csv(bundle).values()] == [1, 1, 1]
