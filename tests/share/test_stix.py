"""The STIX 2.1 mapping: valid for the OASIS validator, deterministic, marked, and never dangling."""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from liaison.domain import TLP, EntityType, ShareableEntity, ShareableSet
from liaison.settings import Settings
from liaison.share.extensions import EVENT_EXTENSION_ID, LIAISON_IDENTITY_ID, PROPERTIES_EXTENSION_ID
from liaison.share.markings import CISA_IDENTITY_ID, MARKING_IDS, TLP_EXTENSION_ID, tlp_of
from liaison.share.stix import build_bundle, producer_id_for
from liaison.share.stix_entities import is_threat_group, stix_type_of
from liaison.share.stix_json import bundle_json, references
from liaison.share.validation import validation_errors
from liaison.store import Store
from tests.conftest import FIXED_TIME, ROOT
from tests.sharing_factories import report_extraction, save

LEVELS = list(TLP)
# Objects published by OASIS, shipped exactly as published (unmarked, not created by us).
OASIS_IDS = {*MARKING_IDS.values(), TLP_EXTENSION_ID, CISA_IDENTITY_ID}


@pytest.fixture(scope="module")
def factory_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One report per TLP level (each with its own agent and group), Europol in all; the CLEAR and RED
    reports describe the same arrest."""
    path = tmp_path_factory.mktemp("stix") / "store.db"
    with Store.open(Settings(database_url=f"sqlite:///{path}"), clock=lambda: FIXED_TIME) as store:
        first = None
        for level in LEVELS:
            tag = level.value.replace("+", "-")
            extraction = report_extraction(tag, level, person=f"Agent {tag}", group=f"Gang {tag}")
            save(store, extraction, same_event_as=first if level is TLP.RED else None)
            first = first or extraction
        yield store


def by_id(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {obj["id"]: obj for obj in bundle["objects"]}


def assert_no_dangling_reference(bundle: dict[str, Any]) -> None:
    present = set(by_id(bundle))
    for obj in bundle["objects"]:
        assert references(obj) <= present, obj["id"]


@pytest.mark.parametrize("tlp_max", [None, *LEVELS], ids=["all", *(level.value for level in LEVELS)])
def test_every_bundle_passes_the_oasis_validator_in_strict_mode(
    factory_store: Store, tlp_max: TLP | None
) -> None:
    bundle = build_bundle(factory_store.shareable(tlp_max=tlp_max), "Example Service", tlp_max=tlp_max)
    assert validation_errors(bundle) == []
    assert_no_dangling_reference(bundle)


def test_the_validator_is_strict_and_would_catch_a_broken_bundle(factory_store: Store) -> None:
    bundle = build_bundle(factory_store.shareable(), "Example Service")
    broken = copy.deepcopy(bundle)
    identity = next(o for o in broken["objects"] if o["type"] == "identity" and "roles" in o)
    identity["x_unregistered"] = "a custom property no extension declares"
    identity["identity_class"] = "spy"  # not in identity-class-ov: a SHOULD, an error in strict mode
    event = next(o for o in broken["objects"] if o["type"] == "x-liaison-event")
    event["status"] = "rumoured"  # not in the event schema Liaison ships
    errors = validation_errors(broken)
    assert any("identity_class" in e or "identity-class" in e for e in errors)
    assert any("x_unregistered" in e for e in errors)
    assert any("rumoured" in e for e in errors)


def test_mapping_follows_the_documented_table(factory_store: Store) -> None:
    bundle = build_bundle(factory_store.shareable(), "Example Service")
    objects = by_id(bundle)
    producer = producer_id_for("Example Service")
    assert objects[producer]["name"] == "Example Service"
    named = {o.get("name"): o for o in bundle["objects"] if o["type"] != "report"}
    person = named["Agent clear"]
    assert (person["type"], person["identity_class"], person["roles"]) == (
        "identity",
        "individual",
        ["director"],
    )
    assert named["Europol"]["type"] == "identity" and named["Europol"]["identity_class"] == "organization"
    gang = named["Gang green"]
    assert gang["type"] == "threat-actor" and gang["threat_actor_types"] == ["crime-syndicate"]
    france = named["France"]
    assert (france["type"], france["country"], france["x_opencti_location_type"]) == (
        "location",
        "FR",
        "Country",
    )
    assert france["extensions"] == {
        PROPERTIES_EXTENSION_ID: {"extension_type": "toplevel-property-extension"}
    }
    part_of = [o for o in bundle["objects"] if o.get("relationship_type") == "part-of"]
    assert {(o["source_ref"], o["target_ref"]) for o in part_of} >= {(person["id"], named["Europol"]["id"])}
    assert all(o["description"] == "director" and o["x_liaison_evidence"] for o in part_of)
    events = [o for o in bundle["objects"] if o["type"] == "x-liaison-event"]
    assert events and all(
        o["extensions"] == {EVENT_EXTENSION_ID: {"extension_type": "new-sdo"}} for o in events
    )
    arrest = events[0]
    assert (arrest["plover"], arrest["plover_mode"], arrest["cameo"], arrest["date"]) == (
        "COERCE",
        "arrest",
        "173",
        "2024-02-20",
    )
    assert arrest["location_ref"] == france["id"]
    assert {p["role"] for p in arrest["participants"]} == {"actor", "recipient"}
    notes = [o for o in bundle["objects"] if o["type"] == "note"]
    assert notes and all(o["x_liaison_value"] == 34 and o["x_liaison_unit"] == "servers" for o in notes)
    reports = [o for o in bundle["objects"] if o["type"] == "report"]
    assert len(reports) == len(LEVELS)
    for report in reports:
        assert report["labels"] == ["cybercrime"] and report["published"] == "2024-02-20T00:00:00Z"
        assert report["external_references"][0]["url"].startswith("https://wire.example/")
        assert {objects[ref]["type"] for ref in report["object_refs"]} >= {
            "identity",
            "threat-actor",
            "location",
            "relationship",
            "note",
            "x-liaison-event",
        }
    for obj in bundle["objects"]:
        if obj["id"] in OASIS_IDS or obj["id"] == producer:
            continue
        if obj["id"] != LIAISON_IDENTITY_ID:
            assert obj["created_by_ref"] in (producer, LIAISON_IDENTITY_ID), obj["id"]
        assert len(obj["object_marking_refs"]) == 1 and obj["object_marking_refs"][0] in MARKING_IDS.values()


def test_official_tlp_markings_ship_in_every_bundle() -> None:
    bundle = build_bundle(ShareableSet(), "Example Service")
    objects = by_id(bundle)
    for level, marking_id in MARKING_IDS.items():
        marking = objects[marking_id]
        assert marking["name"] == f"TLP:{level.value.upper()}"
        assert marking["extensions"][TLP_EXTENSION_ID] == {
            "extension_type": "property-extension",
            "tlp_2_0": level.value,
        }
    assert objects[TLP_EXTENSION_ID]["created_by_ref"] == CISA_IDENTITY_ID
    assert MARKING_IDS[TLP.RED] == "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
    assert validation_errors(bundle) == []


def test_every_object_carries_the_most_restrictive_marking_of_its_reports(factory_store: Store) -> None:
    bundle = build_bundle(factory_store.shareable(), "Example Service")
    named = {o.get("name"): o for o in bundle["objects"]}
    for level in LEVELS:
        tag = level.value.replace("+", "-")
        assert tlp_of(named[f"Agent {tag}"]) is level
        assert tlp_of(named[f"Report {tag}"]) is level
    # Europol and France are in every report, the first arrest in the CLEAR and the RED one
    assert tlp_of(named["Europol"]) is TLP.RED and tlp_of(named["France"]) is TLP.RED
    assert {tlp_of(o) for o in bundle["objects"] if o["type"] == "x-liaison-event"} == {
        TLP.RED,
        TLP.GREEN,
        TLP.AMBER,
        TLP.AMBER_STRICT,
    }


@pytest.mark.parametrize("tlp_max", LEVELS, ids=[level.value for level in LEVELS])
def test_no_object_above_tlp_max_and_no_reference_to_one(factory_store: Store, tlp_max: TLP) -> None:
    bundle = build_bundle(factory_store.shareable(tlp_max=tlp_max), "Example Service", tlp_max=tlp_max)
    levels = [tlp_of(o) for o in bundle["objects"]]
    assert all(level is None or level.rank <= tlp_max.rank for level in levels)
    names = {o.get("name") for o in bundle["objects"]}
    for level in LEVELS:
        tag = level.value.replace("+", "-")
        assert (f"Agent {tag}" in names) is (level.rank <= tlp_max.rank)
    assert_no_dangling_reference(bundle)
    if tlp_max is not TLP.RED:
        # the arrest also told in the RED report is RED, so the CLEAR report no longer refers to it
        assert "Europol" not in names
        assert "Gang clear" in names  # named in the CLEAR report only


def test_exporting_twice_gives_the_same_bytes(factory_store: Store) -> None:
    first = bundle_json(build_bundle(factory_store.shareable(), "Example Service"))
    second = bundle_json(build_bundle(factory_store.shareable(), "Example Service"))
    assert first == second
    other = bundle_json(build_bundle(factory_store.shareable(), "Other Service"))
    assert other != first  # the producer is part of the content, and so of the bundle ID


def entity(name: str, kind: EntityType, **fields: Any) -> ShareableEntity:
    moment = datetime(2024, 1, 1, tzinfo=UTC)
    values: dict[str, Any] = {
        "id": "00000000-0000-5000-8000-000000000000",
        "type": kind,
        "name": name,
        "aliases": (),
        "attributes": {},
        "tlp": TLP.CLEAR,
        "report_ids": (),
        "created_at": moment,
        "modified_at": moment,
    }
    values.update(fields)
    return ShareableEntity(**values)


@pytest.mark.parametrize(
    ("candidate", "expected"),
    [
        (
            entity(
                "LockBit",
                EntityType.ORGANIZATION,
                topics=("cybercrime",),
                event_roles=(("dismantle", "recipient"),),
            ),
            True,
        ),
        (entity("APT31", EntityType.ORGANIZATION, topics=("espionage",)), True),
        (entity("Sinaloa Cartel", EntityType.ORGANIZATION, topics=("drug_trafficking",)), True),
        (
            entity(
                "Europol", EntityType.ORGANIZATION, topics=("cybercrime",), event_roles=(("arrest", "actor"),)
            ),
            False,
        ),
        (entity("Cartel Media", EntityType.ORGANIZATION, topics=("diplomacy",)), False),
        (
            entity("Hive", EntityType.PERSON, topics=("cybercrime",), event_roles=(("arrest", "recipient"),)),
            False,
        ),
    ],
    ids=["arrested-gang", "apt-name", "cartel", "police", "no-crime-topic", "a-person"],
)
def test_threat_groups_are_recognised_by_a_documented_rule(
    candidate: ShareableEntity, expected: bool
) -> None:
    assert is_threat_group(candidate) is expected


def test_places_without_a_country_or_coordinates_are_left_out() -> None:
    assert stix_type_of(entity("Sahel", EntityType.LOCATION, attributes={"place_kind": "region"})) is None
    assert stix_type_of(entity("Lyon", EntityType.LOCATION, attributes={"country_code": "FR"})) == "location"
    assert stix_type_of(entity("French", EntityType.NATIONALITY)) is None


def test_received_objects_are_merged_unchanged_filtered_and_never_dangling(factory_store: Store) -> None:
    marked = {TLP.GREEN: MARKING_IDS[TLP.GREEN], TLP.RED: MARKING_IDS[TLP.RED]}

    def actor(uuid_tail: str, level: TLP) -> dict[str, Any]:
        return {
            "type": "threat-actor",
            "spec_version": "2.1",
            "id": f"threat-actor--00000000-0000-4000-8000-{uuid_tail}",
            "created": "2024-05-01T00:00:00.000Z",
            "modified": "2024-05-01T00:00:00.000Z",
            "name": f"Partner actor {uuid_tail}",
            "threat_actor_types": ["criminal"],
            "object_marking_refs": [marked[level]],
        }

    green, red = actor("000000000001", TLP.GREEN), actor("000000000002", TLP.RED)
    link = {
        "type": "relationship",
        "spec_version": "2.1",
        "id": "relationship--00000000-0000-4000-8000-000000000003",
        "created": "2024-05-01T00:00:00.000Z",
        "modified": "2024-05-01T00:00:00.000Z",
        "relationship_type": "related-to",
        "source_ref": green["id"],
        "target_ref": red["id"],
        "object_marking_refs": [marked[TLP.GREEN]],
    }
    shareable = factory_store.shareable()
    everything = build_bundle(shareable, "Example Service", [green, red, link])
    assert {green["id"], red["id"], link["id"]} <= set(by_id(everything))
    assert by_id(everything)[green["id"]] == green  # unchanged
    amber = build_bundle(
        factory_store.shareable(tlp_max=TLP.AMBER), "Example Service", [green, red, link], TLP.AMBER
    )
    kept = set(by_id(amber))
    # the RED actor is above the limit, and the GREEN relationship would point at it: both left out
    assert green["id"] in kept and red["id"] not in kept and link["id"] not in kept
    assert_no_dangling_reference(amber)
    # a later version of one of Liaison's own objects replaces it; an earlier one does not
    report = next(o for o in everything["objects"] if o["type"] == "report")
    newer = {**report, "modified": "2030-01-01T00:00:00.000Z", "name": "Edited by a partner"}
    older = {**report, "modified": "2000-01-01T00:00:00.000Z", "name": "Stale"}
    assert (
        by_id(build_bundle(shareable, "Example Service", [newer]))[report["id"]]["name"]
        == "Edited by a partner"
    )
    assert by_id(build_bundle(shareable, "Example Service", [older]))[report["id"]] == report


GOLDEN = ROOT / "tests" / "data" / "stix" / "factory-bundle.json"


def test_the_bundle_is_the_golden_one(factory_store: Store) -> None:
    """A change of mapping shows here as a diff to review; regenerate with LIAISON_UPDATE_GOLDEN=1."""
    text = bundle_json(build_bundle(factory_store.shareable(), "Example Service"))
    if os.environ.get("LIAISON_UPDATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")
