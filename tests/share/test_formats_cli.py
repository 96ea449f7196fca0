"""``liaison export misp|csv|graphml`` and ``liaison import misp`` on the sample bundle (no models).

``liaison.sharing`` is replaced by a recorder here, so these tests check the command line itself: options
reach the export, files are written whole, errors name the input and nothing is imported from a bad file.
The same commands on a real store are in ``test_formats_store.py``.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pymisp import MISPEvent
from typer.testing import CliRunner

from liaison import sharing
from liaison.cli import app
from liaison.domain import TLP
from liaison.settings import Settings
from liaison.store import Store

runner = CliRunner()


def liaison(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=stdin, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def exports(
    sample_bundle: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> list[dict[str, Any]]:
    """Each call of ``sharing.export_bundle`` (its filters), answering with the sample bundle."""
    calls: list[dict[str, Any]] = []

    def export_bundle(store: Any, settings: Any, **filters: Any) -> dict[str, Any]:
        calls.append(filters)
        return sample_bundle

    monkeypatch.setattr(sharing, "export_bundle", export_bundle)
    monkeypatch.setenv("LIAISON_DATA_DIR", str(tmp_path / "data"))
    return calls


@pytest.fixture
def imports(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[dict[str, Any]]:
    """Each call of ``sharing.import_bundle``: the bundle and who it was received from."""
    calls: list[dict[str, Any]] = []

    def import_bundle(
        bundle: Any, settings: Any, store: Any, received_from: str, source: str = "-"
    ) -> sharing.ImportSummary:
        calls.append({"bundle": bundle, "received_from": received_from, "source": source})
        return sharing.ImportSummary(stored=5, unchanged=1, bundle_id=bundle["id"], source=source)

    monkeypatch.setattr(sharing, "import_bundle", import_bundle)
    monkeypatch.setenv("LIAISON_DATA_DIR", str(tmp_path / "data"))
    return calls


def test_export_misp_passes_the_filters_and_prints_events_pymisp_loads(exports: list[dict[str, Any]]) -> None:
    code, out, err = liaison(
        "export", "misp", "--since", "2024-01-01", "--tlp-max", "AMBER", "--entity", "LockBit"
    )
    assert code == 0, err
    assert exports == [{"since": date(2024, 1, 1), "tlp_max": TLP.AMBER, "entity": "LockBit"}]
    documents = json.loads(out)["response"]
    assert len(documents) == 3
    for document in documents:
        MISPEvent().load(document)


def test_export_misp_per_report_to_a_file_twice_is_identical(
    exports: list[dict[str, Any]], tmp_path: Path
) -> None:
    path = tmp_path / "misp.json"
    written = []
    for _ in range(2):
        code, out, err = liaison("export", "misp", "--per", "report", "--out", str(path))
        assert code == 0, err
        assert out == "" and "wrote 3 MISP event(s)" in err
        written.append(path.read_bytes())
    assert written[0] == written[1]
    infos = [document["Event"]["info"] for document in json.loads(written[0])["response"]]
    assert "UK-led operation takes down LockBit ransomware infrastructure" in infos


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--tlp-max", "purple"), "unknown TLP level 'purple'"),
        (("--since", "last week"), "invalid date 'last week'"),
        (("--per", "entity"), "entity"),
    ],
)
def test_export_misp_refuses_bad_options(
    exports: list[dict[str, Any]], args: tuple[str, ...], message: str
) -> None:
    code, _, err = liaison("export", "misp", *args)
    assert code == 2 and message in err
    assert exports == []


def test_export_csv_writes_three_defused_tables(exports: list[dict[str, Any]], tmp_path: Path) -> None:
    target = tmp_path / "tables" / "new"
    code, out, err = liaison("export", "csv", "--out", str(target), "--tlp-max", "red")
    assert code == 0, err
    assert "entities.csv (10 rows), events.csv (3 rows), claims.csv (2 rows)" in out
    assert sorted(path.name for path in target.iterdir()) == ["claims.csv", "entities.csv", "events.csv"]
    raw = (target / "entities.csv").read_bytes()
    assert raw.count(b"\r\n") == 11 and b"\r\r\n" not in raw  # RFC 4180 line ends, written as they are
    names = [row["name"] for row in csv.DictReader(io.StringIO(raw.decode("utf-8"), newline=""))]
    assert '\'=HYPERLINK("http://evil.example","click")' in names


def test_export_csv_needs_a_directory(exports: list[dict[str, Any]]) -> None:
    code, _, err = liaison("export", "csv")
    assert code == 2 and "--out" in err


def test_export_graphml(exports: list[dict[str, Any]]) -> None:
    code, out, err = liaison("export", "graphml", "--entity", "Europol")
    assert code == 0, err
    assert exports == [{"since": None, "tlp_max": None, "entity": "Europol"}]
    root = ET.fromstring(out.encode("utf-8"))
    assert (
        len(
            root.findall(
                "{http://graphml.graphdrawing.org/xmlns}graph/{http://graphml.graphdrawing.org/xmlns}node"
            )
        )
        == 10
    )


def test_import_misp_converts_and_imports_with_provenance(
    exports: list[dict[str, Any]], imports: list[dict[str, Any]], tmp_path: Path
) -> None:
    path = tmp_path / "from-partner.json"
    code, _, err = liaison("export", "misp", "--out", str(path))
    assert code == 0, err
    code, out, err = liaison("import", "misp", str(path), "--from", "CERT-XY")
    assert code == 0, err
    assert "3 MISP event(s) from CERT-XY: stored 5 object(s), 1 unchanged, 0 replaced" in out
    [call] = imports
    assert (call["received_from"], call["source"]) == ("CERT-XY", str(path))
    reports = [obj for obj in call["bundle"]["objects"] if obj["type"] == "report"]
    assert len(reports) == 3


def test_import_misp_reads_standard_input(imports: list[dict[str, Any]]) -> None:
    code, out, err = liaison("import", "misp", "-", "--from", "CERT-XY", stdin='{"info": "one event"}')
    assert code == 0, err
    assert "1 MISP event(s) from CERT-XY" in out
    assert imports[0]["source"] == "<stdin>"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "invalid JSON"),
        ('{"type": "bundle", "id": "bundle--x", "objects": []}', "not a MISP event"),
        ('{"Event": {"info": "x", "Attribute": [{"type": "nonsense", "value": "1"}]}}', "is invalid"),
    ],
)
def test_import_misp_refuses_invalid_files_naming_them(
    imports: list[dict[str, Any]], tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    code, _, err = liaison("import", "misp", str(path), "--from", "CERT-XY")
    assert code == 1
    assert f"{path}: " in err and message in err
    assert imports == []


def test_import_misp_names_a_missing_file(imports: list[dict[str, Any]], tmp_path: Path) -> None:
    code, _, err = liaison("import", "misp", str(tmp_path / "nowhere.json"), "--from", "CERT-XY")
    assert code == 1 and "nowhere.json: cannot read" in err
    assert imports == []


def test_import_misp_refuses_a_file_over_the_cap(
    imports: list[dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIAISON_MAX_BUNDLE_BYTES", "10")
    path = tmp_path / "big.json"
    path.write_text('{"info": "more than ten bytes"}', encoding="utf-8")
    code, _, err = liaison("import", "misp", str(path), "--from", "CERT-XY")
    assert code == 1 and "larger than 10 bytes" in err
    assert imports == []


def test_import_misp_reports_a_refused_bundle(
    imports: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def refuse(bundle: Any, settings: Any, store: Any, received_from: str, source: str = "-") -> Any:
        return sharing.ImportSummary(errors=[f"{source}: report--x: dangling reference"], source=source)

    monkeypatch.setattr(sharing, "import_bundle", refuse)
    path = tmp_path / "event.json"
    path.write_text('{"info": "one event"}', encoding="utf-8")
    code, out, err = liaison("import", "misp", str(path), "--from", "CERT-XY")
    assert code == 1 and out == ""
    assert f"{path}: report--x: dangling reference" in err


def test_import_misp_into_a_real_store_keeps_the_reports_and_twice_changes_nothing(
    exports: list[dict[str, Any]], tmp_path: Path
) -> None:
    path = tmp_path / "partner.json"
    assert liaison("export", "misp", "--per", "report", "--out", str(path))[0] == 0
    db = f"sqlite:///{tmp_path / 'received.db'}"
    code, out, err = liaison("--db", db, "import", "misp", str(path), "--from", "CERT-XY", "--json")
    assert code == 0, err
    first = json.loads(out)
    assert first["events"] == 3 and first["stored"] > 10 and first["errors"] == []
    code, out, err = liaison("--db", db, "import", "misp", str(path), "--from", "CERT-XY", "--json")
    again = json.loads(out)
    assert (again["stored"], again["replaced"], again["unchanged"]) == (0, 0, first["stored"])
    with Store.open(Settings(database_url=db, data_dir=tmp_path)) as store:
        kept = [json.loads(o.json) for o in store.current_stix_objects(None)]
    names = {o.get("name") for o in kept}
    title = "UK-led operation takes down LockBit ransomware infrastructure"
    assert {title, "Mike Burgess", "Glasgow"} <= names
