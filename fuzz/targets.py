"""The fuzz targets: each parser Liaison owns or calls, with the property every input must satisfy.

The property is the same everywhere: a parser given any input either returns a result or raises a
``LiaisonError`` that names the input; any other exception is a crash. ``check`` functions raise on a
crash and return normally otherwise, so ``tests/fuzz`` (a bounded run) and ``fuzz/run.py`` (a long run)
drive them with the same strategies.
"""

from __future__ import annotations

import contextlib
import functools
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from fuzz.strategies import (
    HOSTILE,
    RAW_BYTES,
    TEXT,
    deep_json,
    dumps,
    encoded,
    feed_documents,
    html_documents,
    json_trees,
)
from liaison.domain import Report
from liaison.errors import InputError, LiaisonError
from liaison.settings import Settings

SOURCE = "fuzz-input"


@dataclass(frozen=True)
class Target:
    name: str
    strategy: st.SearchStrategy[Any]
    check: Callable[[Any], None]
    slow: bool = False  # runs the NLP models or the store: few examples in the bounded run


@functools.cache
def _workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="liaison-fuzz-"))


def _names_input(error: LiaisonError, source: str) -> None:
    if isinstance(error, InputError):
        assert error.source.startswith(source), f"error does not name the input: {error}"


# --- files: text, Markdown, HTML, JSON, JSON Lines, saved feeds, through read_paths -------------------

FILE_SUFFIXES = [".txt", ".md", ".html", ".htm", ".json", ".jsonl", ".xml", ".rss", ".atom", ".pdf", ""]
RECORD_KEYS = st.sampled_from(["id", "title", "text", "url", "source", "published", "language", "tlp"])
RECORDS = st.dictionaries(RECORD_KEYS, st.one_of(TEXT, json_trees(max_leaves=4)), max_size=8)


@st.composite
def _file_contents(draw: st.DrawFn) -> tuple[str, bytes]:
    suffix = draw(st.sampled_from(FILE_SUFFIXES))
    if suffix in (".json", ".jsonl"):
        records = draw(st.lists(st.one_of(RECORDS, json_trees()), min_size=1, max_size=4))
        if suffix == ".jsonl":
            lines = [dumps(record) for record in records] + draw(st.lists(deep_json(200), max_size=1))
            content = st.just("\n".join(lines))
        else:
            content = st.sampled_from([dumps(records), dumps(records[0]), draw(deep_json())])
        data = draw(encoded(content))
    elif suffix in (".html", ".htm"):
        data = draw(html_documents())
    elif suffix in (".xml", ".rss", ".atom"):
        data = draw(feed_documents())
    else:
        front = draw(st.sampled_from(["", "---\ntitle: {}\npublished: {}\ntlp: {}\n---\n"]))
        front = front.format(draw(HOSTILE), draw(HOSTILE), draw(HOSTILE)) if front else ""
        data = draw(encoded(st.just(front + draw(TEXT))))
    return suffix, draw(st.one_of(st.just(data), RAW_BYTES)) if draw(st.integers(0, 9)) == 0 else data


def check_files(case: tuple[str, bytes]) -> None:
    from liaison.ingest import read_paths

    suffix, data = case
    path = _workdir() / f"input{suffix}"
    path.write_bytes(data)
    for result in read_paths([path], max_bytes=Settings().max_report_bytes):
        if isinstance(result, LiaisonError):
            _names_input(result, str(path))
        else:
            assert isinstance(result, Report)
            assert isinstance(result.text, str)


# --- feeds -------------------------------------------------------------------------------------------


def check_feed(data: bytes) -> None:
    from liaison.domain import Marking
    from liaison.ingest import entry_report, parse_feed

    try:
        parsed = parse_feed(data, SOURCE)
    except LiaisonError as error:
        _names_input(error, SOURCE)
        return
    for entry in parsed.entries:
        try:
            entry_report(entry, parsed.title, Marking(), f"{SOURCE}#{entry.key}")
        except LiaisonError as error:
            _names_input(error, SOURCE)


# --- STIX --------------------------------------------------------------------------------------------

STIX_TYPES = ["identity", "report", "location", "threat-actor", "relationship", "marking-definition", "x-odd"]
UUIDS = st.one_of(st.uuids().map(str), HOSTILE)
TIMESTAMPS = st.one_of(
    st.datetimes().map(lambda moment: moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")), HOSTILE, st.integers()
)


@st.composite
def _stix_object(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(STIX_TYPES))
    stamp = draw(TIMESTAMPS)
    obj: dict[str, Any] = {
        "type": kind,
        "id": f"{kind}--{draw(UUIDS)}",
        "spec_version": draw(st.sampled_from(["2.1", "2.1", "2.0", None])),
        "created": stamp,
        "modified": draw(st.one_of(st.just(stamp), TIMESTAMPS)),
        "name": draw(TEXT),
    }
    extra = {
        "report": {"published": stamp, "object_refs": [f"identity--{draw(UUIDS)}"], "report_types": ["x"]},
        "identity": {"identity_class": draw(st.sampled_from(["individual", "organization", "nope"]))},
        "relationship": {
            "relationship_type": draw(TEXT),
            "source_ref": f"identity--{draw(UUIDS)}",
            "target_ref": f"location--{draw(UUIDS)}",
        },
        "location": {"country": draw(TEXT), "latitude": draw(st.floats()), "longitude": 1e308},
    }.get(kind, {})
    obj.update(extra)
    obj.update(draw(st.dictionaries(TEXT, json_trees(max_leaves=5), max_size=2)))
    return {key: value for key, value in obj.items() if value is not None}


BUNDLES = st.builds(
    lambda bundle_id, objects, extra: {"type": "bundle", "id": bundle_id, "objects": objects, **extra},
    st.one_of(st.uuids().map(lambda value: f"bundle--{value}"), TEXT),
    st.lists(_stix_object(), max_size=4),
    st.dictionaries(
        st.sampled_from(["spec_version", "type", "objects", "x"]), json_trees(max_leaves=3), max_size=1
    ),
)
BUNDLE_INPUTS = st.one_of(
    BUNDLES,
    BUNDLES.map(dumps),
    BUNDLES.map(lambda bundle: dumps(bundle).encode("utf-8")),
    json_trees(),
    encoded(json_trees().map(dumps)),
    deep_json(),
    deep_json().map(str.encode),
    RAW_BYTES,
)


def check_stix(data: Any) -> None:
    from liaison.share.stix_import import read_bundle

    try:
        read_bundle(data, Settings().max_bundle_bytes, SOURCE)
    except LiaisonError as error:
        _names_input(error, SOURCE)


@functools.cache
def _store() -> tuple[Settings, Any]:
    from liaison.store import Store

    directory = _workdir() / "store"
    settings = Settings(database_url=f"sqlite:///{directory / 'store.db'}", data_dir=directory / "data")
    return settings, Store.open(settings)


def check_stix_store(data: Any) -> None:
    from liaison.sharing import import_bundle

    settings, store = _store()
    try:
        summary = import_bundle(data, settings, store, "fuzz-partner", SOURCE)
    except LiaisonError as error:
        _names_input(error, SOURCE)
        return
    assert all(message.startswith(SOURCE) for message in summary.errors), summary.errors


# --- MISP --------------------------------------------------------------------------------------------

MISP_ATTRIBUTE_TYPES = [
    "full-name",
    "target-org",
    "target-location",
    "threat-actor",
    "link",
    "text",
    "ip-src",
    "x",
]
MISP_OBJECT_NAMES = ["person", "organization", "legal-entity", "geolocation", "event", "x"]
MISP_VALUES = st.one_of(TEXT, json_trees(max_leaves=3))


def _misp_attribute() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"type": st.one_of(st.sampled_from(MISP_ATTRIBUTE_TYPES), TEXT), "value": MISP_VALUES},
        optional={
            "object_relation": st.sampled_from(
                ["first-name", "last-name", "name", "country", "latitude", "x"]
            ),
            "uuid": UUIDS,
            "category": TEXT,
            "Tag": st.lists(st.fixed_dictionaries({"name": st.one_of(HOSTILE, TEXT)}), max_size=2),
            "timestamp": st.one_of(st.integers(), TEXT),
        },
    )


MISP_EVENTS = st.fixed_dictionaries(
    {"info": MISP_VALUES},
    optional={
        "date": st.one_of(HOSTILE, TEXT, st.dates().map(str)),
        "uuid": UUIDS,
        "distribution": st.one_of(st.integers(-1, 6), TEXT),
        "timestamp": st.one_of(st.integers(), TEXT, NUMBERS_JSON := json_trees(max_leaves=1)),
        "publish_timestamp": NUMBERS_JSON,
        "Orgc": st.fixed_dictionaries({"name": MISP_VALUES}),
        "Tag": st.lists(st.fixed_dictionaries({"name": st.one_of(HOSTILE, TEXT)}), max_size=3),
        "Attribute": st.lists(_misp_attribute(), max_size=3),
        "Object": st.lists(
            st.fixed_dictionaries(
                {
                    "name": st.sampled_from(MISP_OBJECT_NAMES),
                    "Attribute": st.lists(_misp_attribute(), max_size=3),
                },
                optional={"uuid": UUIDS, "ObjectReference": st.lists(json_trees(max_leaves=3), max_size=2)},
            ),
            max_size=3,
        ),
    },
)
MISP_INPUTS = st.one_of(
    MISP_EVENTS.map(lambda event: dumps({"Event": event})),
    st.lists(MISP_EVENTS, max_size=3).map(lambda events: dumps({"response": [{"Event": e} for e in events]})),
    encoded(MISP_EVENTS.map(dumps)),
    json_trees().map(dumps),
    deep_json(),
    RAW_BYTES,
)


def check_misp(data: str | bytes) -> None:
    from liaison.share.misp_import import misp_events_to_bundle, read_misp_json
    from liaison.share.stix_import import read_bundle

    try:
        bundle = misp_events_to_bundle(read_misp_json(data, SOURCE), "fuzz-partner", SOURCE)
        json.dumps(bundle)
        read_bundle(bundle, Settings().max_bundle_bytes, SOURCE)
    except LiaisonError as error:
        _names_input(error, SOURCE)


# --- dates -------------------------------------------------------------------------------------------

DATE_WORDS = st.sampled_from(
    [
        "on",
        "in",
        "since",
        "until",
        "last",
        "next",
        "ago",
        "January",
        "Feb.",
        "mars",
        "1er",
        "31",
        "2024",
        "'99",
        "3/4/2021",
        "2021-13-45",
        "Monday",
        "yesterday",
        "hier",
        "week",
        "weeks",
        "between",
        "and",
        "-",
        "–",
        "to",
        "early",
        "the",
        "of",
        "1999-2000",
        "two",
        "twenty-one",
        "quarter",
        "Q3",
        "H1",
        ",",
    ]
)
DATE_TEXTS = st.one_of(TEXT, st.lists(st.one_of(DATE_WORDS, HOSTILE), max_size=25).map(" ".join))
DATE_CASES = st.tuples(
    DATE_TEXTS,
    st.one_of(st.none(), st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))),
    st.sampled_from(["en", "fr", "de", "", "xx"]),
)


def check_dates(case: tuple[str, date | None, str]) -> None:
    from liaison.extract.timex import find_times, infer_dct

    text, dct, language = case
    try:
        find_times(text, dct, language)
        infer_dct(text, language)
    except LiaisonError:
        pass


# --- the extraction pipeline -------------------------------------------------------------------------


@functools.cache
def _extractor() -> Any:
    from liaison.extract import Extractor

    return Extractor(Settings())


# Ingest refuses lone surrogates (a JSON record's "\ud800" escape), so every report's text is Unicode text.
def _unicode_text(text: str) -> str:
    return "".join(char for char in text if not "\ud800" <= char <= "\udfff")


EXTRACTION_CASES = st.tuples(
    st.one_of(
        TEXT,
        st.lists(
            st.one_of(DATE_WORDS, HOSTILE, st.sampled_from(["Mr. John Smith", "Paris"])), max_size=30
        ).map(" ".join),
    ).map(_unicode_text),
    st.sampled_from(["en", "fr", None, "xx"]),
)


def check_extraction(case: tuple[str, str | None]) -> None:
    text, language = case
    with contextlib.suppress(LiaisonError):
        list(_extractor().extract_many([Report(text=text, language=language, source=SOURCE)]))


TARGETS = [
    Target("files (read_paths: txt, md, html, json, jsonl, feeds)", _file_contents(), check_files),
    Target("feeds (parse_feed)", st.one_of(feed_documents(), RAW_BYTES, encoded(TEXT)), check_feed),
    Target("stix (read_bundle)", BUNDLE_INPUTS, check_stix),
    Target("stix into a store (import_bundle)", BUNDLE_INPUTS, check_stix_store, slow=True),
    Target("misp (read_misp_json, misp_events_to_bundle)", MISP_INPUTS, check_misp),
    Target("dates (find_times, infer_dct)", DATE_CASES, check_dates),
    Target("extraction (Extractor.extract_many)", EXTRACTION_CASES, check_extraction, slow=True),
]
TARGETS_BY_KEY = {
    target.name.split(" ")[0] + ("-store" if "store" in target.name else ""): target for target in TARGETS
}
