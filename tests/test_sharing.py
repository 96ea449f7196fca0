"""Sharing end to end, on demo reports read by the real models: STIX export and import, and the CLI."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from liaison import services, sharing
from liaison.cli import app
from liaison.domain import TLP
from liaison.settings import Settings
from liaison.share.markings import tlp_of
from liaison.share.stix_json import references
from liaison.share.validation import validation_errors
from liaison.store import Store
from tests.conftest import DEMO_CORPUS, FIXED_TIME, _fresh_postgres_database

pytestmark = pytest.mark.model

LEVELS = list(TLP)
# Demo reports re-marked so that every level is present; LockBit is in a CLEAR and a RED report.
CORPUS = {
    "05_lockbit-operation-cronos.md": TLP.CLEAR,
    "12_uk-us-attribute-apt31.md": TLP.GREEN,
    "08_five-eyes-summit-stanford.md": TLP.AMBER,
    "13_hive-ransomware-takedown.md": TLP.AMBER_STRICT,
    "07_lockbit-after-cronos.md": TLP.RED,
}
RED_SENTENCE = "defiant comeback"  # in the RED report's title only
_exports: dict[str, str] = {}


def marked_corpus(directory: Path) -> list[Path]:
    paths = []
    for name, level in CORPUS.items():
        text = (DEMO_CORPUS / name).read_text(encoding="utf-8")
        path = directory / name
        path.write_text(re.sub(r"(?m)^tlp: .*$", f"tlp: {level.value}", text, count=1), encoding="utf-8")
        paths.append(path)
    return paths


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def demo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Settings, Store]]:
    """Five demo reports, one per TLP level, ingested once per database for the whole module."""
    directory = tmp_path_factory.mktemp("sharing")
    if request.param == "sqlite":
        url = f"sqlite:///{directory / 'store.db'}"
    else:
        url = _fresh_postgres_database(request.getfixturevalue("postgres_base_url"))
    settings = Settings(database_url=url, data_dir=directory, organization_name="Example Service")
    with Store.open(settings, clock=lambda: FIXED_TIME) as store:
        summary = services.ingest_paths(marked_corpus(directory), settings, store, workers=1)
        assert (summary.stored, summary.failures) == (len(CORPUS), [])
        yield settings, store


def empty_store(tmp_path: Path, name: str = "other.db") -> tuple[Settings, Store]:
    settings = Settings(database_url=f"sqlite:///{tmp_path / name}", organization_name="Example Service")
    return settings, Store.open(settings, clock=lambda: FIXED_TIME)


def assert_valid(bundle: dict[str, Any]) -> None:
    assert validation_errors(bundle) == []
    present = {obj["id"] for obj in bundle["objects"]}
    for obj in bundle["objects"]:
        assert references(obj) <= present, obj["id"]


@pytest.mark.parametrize("tlp_max", [None, *LEVELS], ids=["all", *(level.value for level in LEVELS)])
def test_exports_are_valid_and_hold_nothing_above_tlp_max(
    demo: tuple[Settings, Store], tlp_max: TLP | None
) -> None:
    settings, store = demo
    bundle = sharing.export_bundle(store, settings, tlp_max=tlp_max)
    assert_valid(bundle)
    limit = (tlp_max or TLP.RED).rank
    assert all((tlp_of(obj) or TLP.CLEAR).rank <= limit for obj in bundle["objects"])
    titles = {obj["name"] for obj in bundle["objects"] if obj["type"] == "report"}
    assert len(titles) == sum(level.rank <= limit for level in CORPUS.values())
    kinds = {obj["type"] for obj in bundle["objects"]}
    if tlp_max is None:
        assert {"report", "identity", "location", "relationship", "x-liaison-event", "note"} <= kinds


def test_an_object_in_a_red_report_is_never_exported_below_red(demo: tuple[Settings, Store]) -> None:
    settings, store = demo
    everything = store.shareable()
    red_report = next(r.id for r in everything.reports if r.tlp is TLP.RED)
    in_red = {e.id for e in everything.entities if red_report in e.report_ids}
    lockbit = next(e for e in everything.entities if e.name == "LockBit")
    assert lockbit.id in in_red and lockbit.tlp is TLP.RED  # also in the CLEAR report
    for tlp_max in (TLP.CLEAR, TLP.GREEN, TLP.AMBER, TLP.AMBER_STRICT):
        bundle = sharing.export_bundle(store, settings, tlp_max=tlp_max)
        text = sharing.bundle_json(bundle)
        assert not any(entity_id in text for entity_id in in_red)
        assert red_report not in text and RED_SENTENCE not in text


def test_exporting_twice_gives_the_same_bytes_on_every_database(
    demo: tuple[Settings, Store], request: pytest.FixtureRequest
) -> None:
    settings, store = demo
    first = sharing.bundle_json(sharing.export_bundle(store, settings))
    assert sharing.bundle_json(sharing.export_bundle(store, settings)) == first
    _exports[request.node.callspec.id] = first
    if len(_exports) == 2:  # SQLite and PostgreSQL both ran: the database makes no difference
        assert len(set(_exports.values())) == 1


@pytest.mark.parametrize("tlp_max", [None, TLP.AMBER], ids=["all", "amber"])
def test_golden_round_trip(demo: tuple[Settings, Store], tmp_path: Path, tlp_max: TLP | None) -> None:
    settings, store = demo
    exported = sharing.export_bundle(store, settings, tlp_max=tlp_max)
    other_settings, other = empty_store(tmp_path)
    with other:
        summary = sharing.import_bundle(
            sharing.bundle_json(exported), other_settings, other, "Example Service"
        )
        assert summary.errors == []
        assert summary.stored == len(exported["objects"]) and summary.bundle_id == exported["id"]
        again = sharing.export_bundle(other, other_settings, tlp_max=tlp_max)
    assert sharing.bundle_json(again) == sharing.bundle_json(exported)
    assert_valid(again)


def test_importing_the_same_bundle_twice_changes_nothing(
    demo: tuple[Settings, Store], tmp_path: Path
) -> None:
    settings, store = demo
    bundle = sharing.export_bundle(store, settings, tlp_max=TLP.GREEN)
    other_settings, other = empty_store(tmp_path)
    with other:
        first = sharing.import_bundle(bundle, other_settings, other, "CERT-X", source="x.json")
        before = other.snapshot()
        second = sharing.import_bundle(bundle, other_settings, other, "CERT-X", source="x.json")
        assert (second.stored, second.unchanged, second.replaced) == (0, first.stored, 0)
        assert other.snapshot() == before
        [row] = before["stix_imports"]
        assert "CERT-X" in row and "x.json" in row  # provenance: who, which file, which bundle, when
        assert bundle["id"] in row


def test_a_newer_version_replaces_the_current_one_and_history_is_kept(
    demo: tuple[Settings, Store], tmp_path: Path
) -> None:
    settings, store = demo
    bundle = sharing.export_bundle(store, settings, tlp_max=TLP.CLEAR)
    other_settings, other = empty_store(tmp_path)
    with other:
        assert sharing.import_bundle(bundle, other_settings, other, "CERT-X").ok
        person = next(o for o in bundle["objects"] if o["type"] == "identity" and "created_by_ref" in o)
        newer = {**person, "modified": "2030-01-01T00:00:00.000Z", "description": "Retired in 2029."}
        update = {"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000001", "objects": [newer]}
        summary = sharing.import_bundle(update, other_settings, other, "CERT-Y")
        assert (summary.stored, summary.replaced, summary.errors) == (0, 1, [])
        history = other.stix_object_history(person["id"])
        assert [(h.modified, h.current, h.received_from) for h in history] == [
            (person["modified"], False, "CERT-X"),
            ("2030-01-01T00:00:00.000Z", True, "CERT-Y"),
        ]
        exported = {o["id"]: o for o in sharing.export_bundle(other, other_settings)["objects"]}
        assert exported[person["id"]] == newer


def _invalid_bundles(valid: dict[str, Any]) -> dict[str, tuple[Any, str]]:
    report = next(o for o in valid["objects"] if o["type"] == "report")
    dangling = {
        **report,
        "object_refs": [*report["object_refs"], "identity--00000000-0000-4000-8000-0000000000ff"],
    }
    wrong_version = {**report, "spec_version": "2.0"}
    broken = {**report, "published": "last Tuesday"}
    return {
        "bad-json": (sharing.bundle_json(valid)[:-20], "not valid JSON"),
        "wrong-spec-version": ({**valid, "objects": [wrong_version]}, "spec_version '2.0'"),
        "dangling": ({**valid, "objects": [dangling]}, "neither in the bundle nor in the store"),
        "oversized": ("x" * 2_000_000, "over the limit"),
        "validator": ({**valid, "objects": [broken]}, "published"),
    }


@pytest.mark.parametrize("kind", ["bad-json", "wrong-spec-version", "dangling", "oversized", "validator"])
def test_invalid_bundles_are_refused_and_nothing_is_stored(
    demo: tuple[Settings, Store], tmp_path: Path, kind: str
) -> None:
    settings, store = demo
    valid = sharing.export_bundle(store, settings, tlp_max=TLP.CLEAR)
    data, expected = _invalid_bundles(valid)[kind]
    other_settings, other = empty_store(tmp_path)
    other_settings = Settings(
        database_url=other_settings.database_url,
        organization_name="Example Service",
        max_bundle_bytes=1_000_000,
    )
    with other:
        # a store that already holds something: a refused bundle must leave all of it as it was
        assert sharing.import_bundle(valid, other_settings, other, "CERT-X").ok
        before = other.snapshot()
        summary = sharing.import_bundle(data, other_settings, other, "CERT-Y", source="bad.json")
        assert summary.errors and all(message.startswith("bad.json: ") for message in summary.errors)
        assert any(expected in message for message in summary.errors), summary.errors
        assert summary.bundle_id is None and summary.stored == 0
        assert other.snapshot() == before


runner = CliRunner()


def liaison(*args: str, db: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", db, *args], input=stdin, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("demo", ["sqlite"], indirect=True)  # the command line is the same on both
def test_cli_export_and_import(demo: tuple[Settings, Store], tmp_path: Path) -> None:
    settings, _ = demo
    db = settings.database_url
    code, printed, err = liaison("export", "stix", "--tlp-max", "amber", db=db)
    assert code == 0, err
    out_file = tmp_path / "out" / "bundle.json"
    code, _, err = liaison("export", "stix", "--tlp-max", "AMBER", "--out", str(out_file), db=db)
    assert code == 0 and "STIX object(s) (bundle--" in err
    assert out_file.read_text(encoding="utf-8") == printed  # the same bytes, file or standard output
    bundle = json.loads(printed)
    assert_valid(bundle)
    code, printed, _ = liaison("export", "stix", "--entity", "LockBit", "--since", "2020-01-01", db=db)
    assert code == 0
    titles = {o["name"] for o in json.loads(printed)["objects"] if o["type"] == "report"}
    assert {
        "UK-led operation takes down LockBit ransomware infrastructure",
        "A week after Cronos, LockBit victims weigh decryption keys against a defiant comeback",
    } <= titles
    assert (
        "Five Eyes security chiefs appear together in public for the first time, warn of threat to innovation"
        not in titles
    )
    _, store_ = demo
    exports = [e for e in store_.audit_entries() if e.action == "export"]
    assert [e.detail["tlp_max"] for e in exports] == ["amber", "amber", None]  # every export is audited
    assert exports[-1].detail["entity"] == "LockBit" and exports[0].target == "liaison export stix"

    target = f"sqlite:///{tmp_path / 'partner.db'}"
    code, printed, err = liaison("import", "stix", str(out_file), "--from", "CERT-X", db=target)
    assert code == 0, err
    assert f"{bundle['id']} from CERT-X: stored {len(bundle['objects'])} object(s), 0 unchanged" in printed
    code, printed, err = liaison(
        "import", "stix", "-", "--from", "CERT-X", "--json", db=target, stdin=out_file.read_text()
    )
    assert code == 0, err
    assert json.loads(printed)["unchanged"] == len(bundle["objects"])

    broken = tmp_path / "broken.json"
    broken.write_text('{"type": "bundle", "id": "bundle--1", "objects": [', encoding="utf-8")
    code, _, err = liaison("import", "stix", str(broken), "--from", "CERT-X", db=target)
    assert code == 1 and f"{broken}: not valid JSON" in err
    code, _, err = liaison("import", "stix", str(tmp_path / "missing.json"), "--from", "CERT-X", db=target)
    assert code == 2 and "missing.json: no such file" in err
    code, _, err = liaison("export", "stix", "--tlp-max", "purple", db=db)
    assert code == 2 and "--tlp-max" in err and "unknown TLP level" in err
    code, _, err = liaison("export", "stix", "--entity", "Nobody Anyone", db=db)
    assert code == 1 and "Nobody Anyone" in err
