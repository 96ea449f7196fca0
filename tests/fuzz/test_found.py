"""Regression tests for the crashes fuzzing found, and the nesting limits of every JSON reader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fuzz.targets import check_feed, check_misp, check_stix

from liaison.errors import InputError, InvalidBundle
from liaison.ingest import parse_feed, read_paths
from liaison.share.misp_import import misp_events_to_bundle, read_misp_json
from liaison.share.stix_import import read_bundle

BUNDLE_ID = "bundle--e3e70682-c209-4cac-629f-6fbed82c07cd"
IDENTITY = {
    "type": "identity",
    "id": "identity--f728b4fa-4248-4e3a-8a5d-2f346baa9455",
    "spec_version": "2.1",
    "created": "2000-01-01T00:00:00.000Z",
    "modified": "2000-01-01T00:00:00.000Z",
    "name": "x",
    "identity_class": "individual",
}


def test_a_character_reference_to_a_surrogate_is_refused_not_a_crash() -> None:
    with pytest.raises(InputError, match=r"feed\.xml: not an RSS or Atom feed"):
        parse_feed(b'<rss version="2.0"><item><title>&#xD800;</title></item></rss>', "feed.xml")


def test_a_link_holding_an_element_in_an_atom_item_is_refused_not_a_crash() -> None:
    atom = b'<feed xmlns="http://www.w3.org/2005/Atom"><item><link><item></item><![CDATA[]]></link></feed>'
    with pytest.raises(InputError, match=r"feed\.xml: not an RSS or Atom feed"):
        parse_feed(atom, "feed.xml")


def test_an_encoding_name_holding_a_nul_is_refused_not_a_crash() -> None:
    # Found by the coverage-guided run: feedparser passed the declared name to bytes.decode.
    feed = b'<?xml version="1.0" encoding="ut\x01\x00\x00\x00f-8"?><rss version="2.0"></rss>'
    with pytest.raises(InputError, match=r"feed\.xml: not an RSS or Atom feed"):
        parse_feed(feed, "feed.xml")


def test_a_lone_surrogate_in_a_bundle_is_refused() -> None:
    bundle = {"type": "bundle", "id": BUNDLE_ID, "objects": [{**IDENTITY, "name": "\ud800"}]}
    with pytest.raises(InvalidBundle, match="lone surrogate"):
        read_bundle(bundle, 10**6, "b.json")
    escaped = f'{{"type": "bundle", "id": "{BUNDLE_ID}", "objects": [{{"x": "\\ud800"}}]}}'
    with pytest.raises(InvalidBundle):
        read_bundle(escaped, 10**6, "b.json")


def test_a_timestamp_of_the_wrong_type_is_refused_by_the_validator() -> None:
    bundle = {"type": "bundle", "id": BUNDLE_ID, "objects": [{**IDENTITY, "created": 1, "modified": 1}]}
    with pytest.raises(InvalidBundle, match=r"b\.json"):
        read_bundle(bundle, 10**6, "b.json")


@pytest.mark.parametrize("stamp", ["9223372036854775808", "67768036191676800"])
@pytest.mark.parametrize("field", ["timestamp", "publish_timestamp"])
def test_a_huge_misp_timestamp_is_refused(field: str, stamp: str) -> None:
    with pytest.raises(InputError, match=r"events\.json: MISP event 1"):
        misp_events_to_bundle(
            read_misp_json(f'{{"Event": {{"info": "x", "{field}": {stamp}}}}}', "events.json"),
            "p",
            "events.json",
        )


DEEP = "[" * 5000 + "]" * 5000


def test_an_empty_field_name_in_a_misp_event_is_refused() -> None:
    # Found by the coverage-guided run: PyMISP raised IndexError on the key "".
    event = {"Event": {"info": "x", "": [{"name": "person", "Attribute": []}]}}
    with pytest.raises(InputError, match=r"events\.json: MISP event 1 \('x'\) is invalid"):
        misp_events_to_bundle(read_misp_json(json.dumps(event), "events.json"), "partner", "events.json")


def test_deeply_nested_misp_json_is_refused() -> None:
    with pytest.raises(InputError, match=r"events\.json: JSON nested deeper than"):
        read_misp_json(DEEP, "events.json")


@pytest.mark.parametrize("data", [DEEP, DEEP.encode(), '{"a":' * 200 + "1" + "}" * 200])
def test_deeply_nested_stix_json_is_refused(data: str | bytes) -> None:
    with pytest.raises(InvalidBundle, match="nested too deeply"):
        read_bundle(data, 10**6, "b.json")


def test_a_lone_surrogate_in_a_json_record_is_refused(tmp_path: Path) -> None:
    # It reached the NLP pipeline, whose tokenizer raised UnicodeEncodeError.
    lines = tmp_path / "records.jsonl"
    lines.write_text('{"text": "fine"}\n{"text": "bad \\ud800 text"}\n')
    results = list(read_paths([lines], max_bytes=10**6))
    assert [type(result).__name__ for result in results] == ["Report", "MalformedRecord"]
    assert f"{lines}:2" in str(results[1]) and "lone surrogate" in str(results[1])


def test_deeply_nested_json_records_are_refused(tmp_path: Path) -> None:
    lines = tmp_path / "records.jsonl"
    lines.write_text('{"text": "fine"}\n' + DEEP + "\n")
    results = list(read_paths([lines], max_bytes=10**6))
    assert [type(result).__name__ for result in results] == ["Report", "MalformedRecord"]
    assert "nested deeper than" in str(results[1]) and f"{lines}:2" in str(results[1])
    whole = tmp_path / "records.json"
    whole.write_text(DEEP)
    [error] = list(read_paths([whole], max_bytes=10**6))
    assert isinstance(error, InputError) and "nested deeper than" in str(error)


@pytest.mark.parametrize(
    ("check", "case"),
    [
        (check_feed, b'<rss version="2.0"><item><![CDATA[]]>&#XD800;</item></rss>'),
        (
            check_stix,
            {"type": "bundle", "id": BUNDLE_ID, "objects": [{**IDENTITY, "id": "identity--\ud800"}]},
        ),
        (check_misp, '{"Event": {"info": "", "timestamp": 9223372036854775808}}'),
        (check_misp, DEEP),
    ],
)
def test_the_minimal_crashing_inputs_now_pass_the_property(check: object, case: object) -> None:
    check(case)  # type: ignore[operator]
