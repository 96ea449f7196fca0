"""Reading partners' bundles: every refusal names the input and gives the reasons."""

from __future__ import annotations

import json
from typing import Any

import pytest

from liaison.domain import TLP
from liaison.errors import InvalidBundle
from liaison.share.markings import MARKING_IDS
from liaison.share.stix_import import check_references, read_bundle
from liaison.share.stix_json import canonical_json, version_key
from liaison.share.validation import validation_errors

LIMIT = 1_000_000


def identity(**fields: Any) -> dict[str, Any]:
    obj = {
        "type": "identity",
        "spec_version": "2.1",
        "id": "identity--11111111-2222-4333-8444-555555555555",
        "created": "2024-05-01T10:00:00.000Z",
        "modified": "2024-05-01T10:00:00.000Z",
        "name": "Partner Agency",
        "identity_class": "organization",
        "object_marking_refs": [MARKING_IDS[TLP.GREEN]],
    }
    obj.update(fields)
    return obj


def bundle_of(*objects: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "type": "bundle",
        "id": "bundle--aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee",
        "objects": list(objects),
        **fields,
    }


def rejection(data: Any, limit: int = LIMIT) -> InvalidBundle:
    with pytest.raises(InvalidBundle) as caught:
        read_bundle(data, limit, "partner.json")
    assert str(caught.value).startswith("partner.json: bundle rejected, nothing stored: ")
    return caught.value


def test_a_valid_bundle_is_read_as_canonical_json() -> None:
    obj = identity()
    read = read_bundle(json.dumps(bundle_of(obj), indent=4), LIMIT, "partner.json")
    [received] = read.objects
    assert (received.id, received.type, received.modified) == (obj["id"], "identity", obj["modified"])
    assert received.json == canonical_json(obj) and json.loads(received.json) == obj
    assert read.id == "bundle--aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
    assert read.references == frozenset()  # TLP markings are known everywhere


def test_bad_json_is_refused_with_its_position() -> None:
    error = rejection(b'{"type": "bundle", "objects": [}')
    assert "not valid JSON" in error.messages[0] and "line 1" in error.messages[0]
    assert "not UTF-8" in rejection(b"\xff\xfe{}").messages[0]
    assert "nested too deeply" in rejection("[" * 100_000 + "]" * 100_000).messages[0]


def test_oversized_bundles_are_refused_before_parsing() -> None:
    text = json.dumps(bundle_of(identity(description="x" * 2000)))
    error = rejection(text, limit=1000)
    assert "over the limit of 1000" in error.messages[0] and "LIAISON_MAX_BUNDLE_BYTES" in error.messages[0]


@pytest.mark.parametrize(
    ("bundle", "expected"),
    [
        ([1, 2], "a STIX bundle is a JSON object"),
        ({"type": "report", "id": "report--x"}, "a STIX bundle has type 'bundle'"),
        (bundle_of(identity(), spec_version="2.0"), "Liaison reads STIX 2.1"),
        (bundle_of(identity(spec_version="2.0")), "spec_version '2.0'"),
        (bundle_of({k: v for k, v in identity().items() if k != "spec_version"}), "no spec_version"),
        (bundle_of({"name": "no type"}), "objects[0] is not a STIX object"),
    ],
    ids=["not-an-object", "not-a-bundle", "bundle-2.0", "object-2.0", "no-spec-version", "no-type"],
)
def test_what_is_not_a_stix_2_1_bundle_is_refused(bundle: Any, expected: str) -> None:
    assert any(expected in message for message in rejection(bundle).messages)


def test_the_validators_messages_are_given() -> None:
    broken = identity(identity_class="secret-service", created="yesterday")
    messages = rejection(bundle_of(broken)).messages
    assert any("created" in m and "timestamp" in m for m in messages)
    assert any("identity_class" in m or "identity-class" in m for m in messages)


def test_custom_properties_of_partners_tools_are_read_but_never_written() -> None:
    # OpenCTI writes x_opencti_* properties without declaring them in an extension definition
    opencti = bundle_of(identity(x_opencti_aliases=["PA"]))
    assert read_bundle(opencti, LIMIT, "opencti.json").objects
    assert any("x_opencti_aliases" in message for message in validation_errors(opencti))
    badly_named = bundle_of(identity(aliases_of_mine=["PA"]))
    assert any("aliases_of_mine" in m for m in rejection(badly_named).messages)


def test_dangling_references_are_refused_unless_the_store_knows_them() -> None:
    relationship = {
        "type": "relationship",
        "spec_version": "2.1",
        "id": "relationship--11111111-2222-4333-8444-666666666666",
        "created": "2024-05-01T10:00:00.000Z",
        "modified": "2024-05-01T10:00:00.000Z",
        "relationship_type": "related-to",
        "source_ref": identity()["id"],
        "target_ref": "threat-actor--99999999-2222-4333-8444-555555555555",
    }
    read = read_bundle(bundle_of(identity(), relationship), LIMIT, "partner.json")
    assert read.references == {"threat-actor--99999999-2222-4333-8444-555555555555"}
    with pytest.raises(InvalidBundle) as caught:
        check_references(read, lambda ids: set(), "partner.json")
    [message] = caught.value.messages
    assert message == (
        "relationship--11111111-2222-4333-8444-666666666666 refers to "
        "threat-actor--99999999-2222-4333-8444-555555555555, which is neither in the bundle nor in the store"
    )
    check_references(read, lambda ids: set(ids), "partner.json")  # known to the store: accepted


def test_version_keys_sort_in_time_order_whatever_the_precision() -> None:
    stamps = ["2024-05-01T10:00:00Z", "2024-05-01T10:00:00.5Z", "2024-05-01T10:00:00.123456789Z", ""]
    assert sorted(stamps, key=version_key) == [
        "",
        "2024-05-01T10:00:00Z",
        "2024-05-01T10:00:00.123456789Z",
        "2024-05-01T10:00:00.5Z",
    ]
