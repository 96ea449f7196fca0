"""MISP export and import on the sample bundle: PyMISP loads what we write, and we read MISP back."""

from __future__ import annotations

import json
import random
import uuid
from typing import Any

import pytest
from pymisp import MISPEvent, MISPObject

from liaison.errors import InputError
from liaison.share.misp import bundle_to_misp_events, misp_events_to_bundle, read_misp_json
from liaison.share.validation import validation_errors
from tests.share.conftest import object_named

TLP_AMBER = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
TLP_RED = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
TLP_CLEAR = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"


def loaded(documents: list[dict[str, Any]]) -> list[MISPEvent]:
    events = []
    for document in documents:
        event = MISPEvent()
        event.load(json.loads(json.dumps(document)))
        events.append(event)
    return events


def by_info(events: list[MISPEvent], prefix: str) -> MISPEvent:
    [found] = [event for event in events if event.info.startswith(prefix)]
    return found


def objects(event: MISPEvent, template: str) -> list[MISPObject]:
    return [obj for obj in event.objects if obj.name == template]


def values(obj: MISPObject, relation: str) -> list[str]:
    return [str(attribute.value) for attribute in obj.get_attributes_by_relation(relation)]


def tags(event: MISPEvent) -> list[str]:
    return [tag.name for tag in event.tags]


def test_one_misp_event_per_liaison_event_loads_in_pymisp(sample_bundle: dict[str, Any]) -> None:
    events = loaded(bundle_to_misp_events(sample_bundle))
    assert [event.info.split(" ")[0] for event in events] == ["meet", "dismantle", "arrest"]  # by date
    arrest = by_info(events, "arrest")
    assert arrest.info == (
        "arrest (PLOVER COERCE/arrest, CAMEO 173): Europol, Poland, Ukraine, LockBit — Poland, 2024-02-20"
    )
    assert arrest.date.isoformat() == "2024-02-20"
    assert (arrest.threat_level_id, arrest.analysis) == (4, 0)
    assert arrest.Orgc.name == "Liaison demo service"
    # a month-precision date becomes the month's first day (the info keeps the original)
    assert by_info(events, "dismantle").date.isoformat() == "2024-02-01"


@pytest.mark.parametrize(
    ("prefix", "tlp", "distribution"),
    [("meet", "tlp:red", 0), ("arrest", "tlp:amber", 0), ("dismantle", "tlp:green", 1)],
)
def test_distribution_and_tag_follow_the_tlp_level(
    sample_bundle: dict[str, Any], prefix: str, tlp: str, distribution: int
) -> None:
    event = by_info(loaded(bundle_to_misp_events(sample_bundle)), prefix)
    assert event.distribution == distribution
    assert [tag for tag in tags(event) if tag.startswith("tlp:")] == [tlp]


def test_clear_is_shared_with_all_communities(sample_bundle: dict[str, Any]) -> None:
    for obj in sample_bundle["objects"]:
        if "object_marking_refs" in obj:
            obj["object_marking_refs"] = [TLP_CLEAR]
    events = loaded(bundle_to_misp_events(sample_bundle))
    assert {event.distribution for event in events} == {3}
    assert all("tlp:clear" in tags(event) for event in events)


def test_people_organisations_places_and_groups(sample_bundle: dict[str, Any]) -> None:
    events = loaded(bundle_to_misp_events(sample_bundle, per="report"))
    brief = by_info(events, "Five Eyes")
    [person] = objects(brief, "person")
    assert values(person, "full-name") == ["Mike Burgess"]
    assert values(person, "alias") == ["Burgess", "Mike Burguess"]
    assert values(person, "role") == ["Director General"]
    asio = next(o for o in objects(brief, "organization") if values(o, "name")[0].startswith("Australian"))
    assert values(asio, "alias") == ["ASIO"]
    # the STIX relationship person part-of organisation is an object reference
    assert [(ref.referenced_uuid, ref.relationship_type) for ref in person.references] == [
        (asio.uuid, "part-of")
    ]
    [glasgow] = [o for o in objects(brief, "geolocation") if values(o, "city") == ["Glasgow"]]
    assert values(glasgow, "countrycode") == ["GB"]
    assert values(glasgow, "latitude") == ["55.8642"]

    lockbit = by_info(events, "UK-led")
    [actor] = [a for a in lockbit.attributes if a.type == "threat-actor"]
    assert (actor.value, actor.category, actor.comment) == (
        "LockBit",
        "Attribution",
        "also known as LockBit 3.0",
    )
    [link] = [a for a in lockbit.attributes if a.type == "link"]
    assert link.value == "https://dispatch.example/lockbit"
    assert "UK-led operation takes down LockBit" in link.comment
    poland = next(o for o in objects(lockbit, "geolocation") if values(o, "country") == ["Poland"])
    assert values(poland, "countrycode") == ["PL"]


def test_the_liaison_event_is_an_event_object_referencing_its_participants(
    sample_bundle: dict[str, Any],
) -> None:
    arrest = by_info(loaded(bundle_to_misp_events(sample_bundle)), "arrest")
    [event_object] = objects(arrest, "event")
    assert values(event_object, "event_type") == ["arrest", "PLOVER COERCE/arrest", "CAMEO 173"]
    assert values(event_object, "status") == ["occurred"]
    names = {obj.uuid: (values(obj, "name") or values(obj, "country"))[0] for obj in arrest.objects[1:]}
    names.update({a.uuid: str(a.value) for a in arrest.attributes if a.type == "threat-actor"})
    references = sorted(
        (names[ref.referenced_uuid], ref.relationship_type) for ref in event_object.references
    )
    assert references == [
        ("Europol", "actor"),
        ("LockBit", "recipient"),
        ("Poland", "located-at"),
        ("Poland", "participant"),
        ("Ukraine", "participant"),
    ]


def test_evidence_sources_and_figures_are_attributes(sample_bundle: dict[str, Any]) -> None:
    arrest = by_info(loaded(bundle_to_misp_events(sample_bundle)), "arrest")
    texts = {str(a.value): a.comment for a in arrest.attributes if a.type == "text"}
    french = next(text for text in texts if text.startswith("Deux personnes"))
    assert texts[french].startswith("evidence from Rançongiciel LockBit")
    assert "about 200 cryptocurrency accounts (2024)" in texts
    assert texts["2 arrests"].endswith("“two people were arrested”")
    links = sorted(str(a.value) for a in arrest.attributes if a.type == "link")
    assert links == ["https://dispatch.example/lockbit", "https://meridienne.example/cronos"]
    assert {a.category for a in arrest.attributes if a.type == "link"} == {"External analysis"}


def test_what_is_stricter_than_its_event_gets_its_own_distribution_and_tag(
    sample_bundle: dict[str, Any],
) -> None:
    # the GREEN report names Ukraine, which an AMBER report also names: Ukraine is AMBER
    green = by_info(loaded(bundle_to_misp_events(sample_bundle, per="report")), "UK-led")
    assert green.distribution == 1
    [ukraine] = [o for o in objects(green, "geolocation") if values(o, "country") == ["Ukraine"]]
    assert ukraine.distribution == 0
    assert all([t.name for t in a.tags] == ["tlp:amber"] for a in ukraine.attributes)
    [poland] = [o for o in objects(green, "geolocation") if values(o, "country") == ["Poland"]]
    assert poland.distribution == 5  # inherits the event's
    assert all(not a.tags for a in poland.attributes)


def test_exporting_twice_gives_identical_json_with_unique_uuids(sample_bundle: dict[str, Any]) -> None:
    for per in ("event", "report"):
        first = json.dumps(bundle_to_misp_events(sample_bundle, per=per))  # type: ignore[arg-type]
        shuffled = dict(
            sample_bundle,
            objects=random.Random(7).sample(sample_bundle["objects"], k=len(sample_bundle["objects"])),
        )
        assert json.dumps(bundle_to_misp_events(shuffled, per=per)) == first  # type: ignore[arg-type]
        for document in json.loads(first):
            found = _uuids(document)
            assert len(found) == len(set(found))
            assert all(uuid.UUID(value).version == 5 for value in found)


def _uuids(node: Any) -> list[str]:
    """Every ``uuid`` of events, attributes, objects and references (not the organisation's)."""
    if isinstance(node, list):
        return [found for item in node for found in _uuids(item)]
    if not isinstance(node, dict):
        return []
    own = [node["uuid"]] if "uuid" in node else []
    return own + [found for key, value in node.items() if key != "Orgc" for found in _uuids(value)]


def test_per_report_gives_one_event_per_report(sample_bundle: dict[str, Any]) -> None:
    events = loaded(bundle_to_misp_events(sample_bundle, per="report"))
    assert [event.info for event in events] == [
        'Five Eyes chiefs meet <in> "Palo Alto" & talk',
        "UK-led operation takes down LockBit ransomware infrastructure",
        "Rançongiciel LockBit : la justice française au cœur de l'opération Cronos",
    ]
    assert [event.date.isoformat() for event in events] == ["2023-10-18", "2024-02-20", "2024-02-21"]
    french = events[2]
    assert 'liaison:topic="cybercrime"' in tags(french)
    # only this report's evidence sentence, not the English report's
    evidence = [
        str(a.value) for a in french.attributes if a.type == "text" and a.comment.startswith("evidence")
    ]
    assert len(evidence) == 1 and evidence[0].startswith("Deux personnes")


def test_an_unknown_per_is_refused(sample_bundle: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="per must be"):
        bundle_to_misp_events(sample_bundle, per="entity")  # type: ignore[arg-type]


def test_tolerates_unknown_types_dangling_refs_and_missing_properties(sample_bundle: dict[str, Any]) -> None:
    arrest = object_named(sample_bundle, "arrest, 2024-02-20")
    arrest["participants"].append({"ref": "identity--00000000-0000-4000-8000-000000000000", "role": "actor"})
    arrest["participants"].append("not a participant object")
    del arrest["date"], arrest["cameo"]
    sample_bundle["objects"].append({"type": "identity", "id": "identity--nameless"})
    events = loaded(bundle_to_misp_events(sample_bundle))
    event = by_info(events, "arrest")
    assert event.date.isoformat() == "2024-02-20"  # its first report's date
    assert "CAMEO" not in event.info
    assert loaded(bundle_to_misp_events({"type": "bundle", "id": "bundle--x", "objects": []})) == []


# -- MISP back to STIX -----------------------------------------------------------------------------


def test_misp_export_converts_back_to_a_valid_bundle(sample_bundle: dict[str, Any]) -> None:
    bundle = misp_events_to_bundle(bundle_to_misp_events(sample_bundle, per="report"), "Partner CERT")
    assert validation_errors(bundle) == []  # as strict as Liaison's own exports
    by_type: dict[str, list[dict[str, Any]]] = {}
    for obj in bundle["objects"]:
        by_type.setdefault(obj["type"], []).append(obj)
    assert len(by_type["report"]) == 3
    burgess = object_named(bundle, "Mike Burgess")
    assert (burgess["identity_class"], burgess["roles"]) == ("individual", ["Director General"])
    assert burgess["x_opencti_aliases"] == ["Burgess", "Mike Burguess"]
    assert object_named(bundle, "LockBit")["aliases"] == ["LockBit 3.0"]
    glasgow = object_named(bundle, "Glasgow")
    assert (glasgow["country"], glasgow["x_opencti_location_type"], glasgow["latitude"]) == (
        "GB",
        "City",
        55.8642,
    )
    assert object_named(bundle, "Poland")["x_opencti_location_type"] == "Country"
    kinds = sorted(rel["relationship_type"] for rel in by_type["relationship"])
    assert kinds == ["located-at", "located-at", "part-of"]
    # the producer signs everything, markings follow the events, the strictest one where they meet
    producer = object_named(bundle, "Liaison demo service")
    assert {obj.get("created_by_ref") for obj in by_type["report"]} == {producer["id"]}
    assert glasgow["object_marking_refs"] == [TLP_RED]  # named in the RED report
    assert object_named(bundle, "Ukraine")["object_marking_refs"] == [TLP_AMBER]
    report = object_named(bundle, "UK-led operation takes down LockBit ransomware infrastructure")
    assert report["published"] == "2024-02-20T00:00:00.000Z"
    assert report["labels"] == ["cybercrime", "law_enforcement_cooperation"]
    assert {ref.get("url") for ref in report["external_references"]} >= {"https://dispatch.example/lockbit"}
    assert set(report["object_refs"]) <= {obj["id"] for obj in bundle["objects"]}
    markings = {obj["id"] for obj in by_type["marking-definition"]}
    assert all(set(obj.get("object_marking_refs", [])) <= markings for obj in bundle["objects"])


def test_converting_the_same_misp_twice_gives_the_same_bundle(sample_bundle: dict[str, Any]) -> None:
    documents = bundle_to_misp_events(sample_bundle)
    before = json.dumps(documents)
    first = misp_events_to_bundle(documents, "Partner CERT")
    assert json.dumps(documents) == before  # PyMISP's loading does not eat the caller's dicts
    assert misp_events_to_bundle(json.loads(before), "Partner CERT") == first


PARTNER_EVENT = {
    "response": [
        {
            "Event": {
                "uuid": "5f1c8a40-1b2c-4d3e-8f40-0a1b2c3d4e5f",
                "info": "Phishing wave against ministries",
                "date": "2024-05-02",
                "timestamp": "1714650000",
                "distribution": "3",
                "threat_level_id": "2",
                "analysis": "1",
                "Orgc": {"name": "CERT-XY", "uuid": "55f6ea5e-2c60-40e5-964f-47a8950d210f"},
                "Tag": [{"name": "tlp:green"}, {"name": 'circl:incident-classification="phishing"'}],
                "Attribute": [
                    {"type": "target-org", "category": "Targeting data", "value": "Ministry of Finance"},
                    {"type": "threat-actor", "category": "Attribution", "value": "APT Example"},
                    {"type": "link", "category": "External analysis", "value": "https://cert.example/a"},
                    {"type": "ip-dst", "category": "Network activity", "value": "198.51.100.7"},
                    {"type": "target-location", "category": "Targeting data", "value": "Belgium"},
                ],
                "Object": [
                    {
                        "name": "person",
                        "uuid": "9a0e3c4f-8d7b-4d9a-b1e6-2f3a4b5c6d7e",
                        "Attribute": [
                            {"object_relation": "first-name", "type": "first-name", "value": "Jane"},
                            {"object_relation": "last-name", "type": "last-name", "value": "Doe"},
                        ],
                    }
                ],
            }
        }
    ]
}


def test_a_partners_misp_event_becomes_a_report_with_its_entities() -> None:
    bundle = misp_events_to_bundle(PARTNER_EVENT, "CERT-XY liaison desk")
    assert validation_errors(bundle) == []
    report = object_named(bundle, "Phishing wave against ministries")
    assert report["id"] == "report--5f1c8a40-1b2c-4d3e-8f40-0a1b2c3d4e5f"
    assert report["created"] == "2024-05-02T11:40:00.000Z"  # the MISP timestamp, never "now"
    assert report["labels"] == ['circl:incident-classification="phishing"']
    assert object_named(bundle, "CERT-XY")["id"] == "identity--55f6ea5e-2c60-40e5-964f-47a8950d210f"
    assert object_named(bundle, "Jane Doe")["identity_class"] == "individual"
    assert object_named(bundle, "Ministry of Finance")["identity_class"] == "organization"
    assert object_named(bundle, "APT Example")["type"] == "threat-actor"
    assert object_named(bundle, "Belgium")["country"] == "BE"
    assert "198.51.100.7" not in json.dumps(bundle)  # indicators are not what the store keeps
    green = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
    converted = [
        obj for obj in bundle["objects"] if obj.get("created_by_ref") == object_named(bundle, "CERT-XY")["id"]
    ]
    assert len(converted) == 5  # the report, Jane Doe, the ministry, the threat actor, Belgium
    assert {tuple(obj["object_marking_refs"]) for obj in converted} == {(green,)}


@pytest.mark.parametrize(
    ("distribution", "marking"),
    [
        ("3", TLP_CLEAR),
        ("0", TLP_AMBER),
        (None, TLP_AMBER),
        ("1", "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"),
    ],
)
def test_without_a_tlp_tag_the_level_is_guessed_from_distribution(
    distribution: str | None, marking: str
) -> None:
    event: dict[str, Any] = {"info": "untagged", "date": "2024-01-01"}
    if distribution is not None:
        event["distribution"] = distribution
    bundle = misp_events_to_bundle(event, "Partner")
    assert object_named(bundle, "untagged")["object_marking_refs"] == [marking]
    assert object_named(bundle, "Partner")["identity_class"] == "organization"  # no Orgc: the partner


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("{not json", "invalid JSON"),
        ('{"type": "bundle", "objects": []}', "not a MISP event"),
        ('[{"Event": {"info": "ok"}}, 3]', "item 2: not a MISP event"),
        ("[]", "no MISP event"),
        (
            '{"Event": {"info": "bad", "Attribute": [{"type": "nonsense", "value": "x"}]}}',
            "MISP event 1 ('bad') is invalid: nonsense is invalid",
        ),
        ('{"Event": {"info": "bad date", "date": "someday"}}', "('bad date') is invalid"),
        ('{"Event": {"info": "bad", "Attribute": "abc"}}', "is invalid"),
    ],
)
def test_invalid_misp_json_is_refused_naming_the_file(text: str, problem: str) -> None:
    with pytest.raises(InputError) as raised:
        misp_events_to_bundle(read_misp_json(text, "partner.json"), "Partner", source="partner.json")
    assert str(raised.value).startswith("partner.json: ")
    assert problem in str(raised.value)
    assert len(str(raised.value)) < 400  # PyMISP's list of every attribute type is cut short
