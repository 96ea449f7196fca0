"""The command line end to end, with the real models, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import resource
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from liaison.cli import app
from liaison.settings import Settings
from liaison.store import Store, database
from tests.conftest import DEMO_CORPUS, SEED
from tests.extraction_checks import assert_valid_extraction

pytestmark = pytest.mark.model

runner = CliRunner()
TIMESTAMPS = ("ingested_at", "created_at")


def liaison(*args: str, db: str | None = None) -> tuple[int, str, str]:
    arguments = ["--db", db, *args] if db else list(args)
    result = runner.invoke(app, arguments, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_version() -> None:
    code, out, _ = liaison("--version")
    assert code == 0 and out.startswith("liaison 0.")


def test_extract_seed_prints_one_valid_extraction(seed_text: str) -> None:
    code, out, err = liaison("extract", str(SEED), "--json")
    assert code == 0, err
    [line] = out.splitlines()
    data = json.loads(line)
    assert_valid_extraction(data, seed_text)
    assert data["report"]["title"] and data["entities"]


def test_extract_jsonl_echoes_record_ids_in_order(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    records = [
        {"id": "b", "text": "Interpol met Europol officials in Lyon on Tuesday.", "published": "2023-05-02"},
        {"id": "a", "text": "La gendarmerie a arrêté deux suspects à Lille.", "language": "fr"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    code, out, err = liaison("extract", str(path), "--json")
    assert code == 0, err
    outputs = [json.loads(line) for line in out.splitlines()]
    assert [o["report"]["id"] for o in outputs] == ["b", "a"]
    assert outputs[0]["report"]["published"] == "2023-05-02"
    assert outputs[1]["report"]["language"] == "fr"
    for output, record in zip(outputs, records, strict=True):
        assert_valid_extraction(output, record["text"])


def test_extract_stores_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIAISON_DATA_DIR", str(tmp_path / "data"))
    code, _, _ = liaison("extract", str(SEED), "--json")
    assert code == 0
    assert not (tmp_path / "data").exists()


def test_ingesting_the_same_file_three_times_leaves_one_report(settings: Settings) -> None:
    db = settings.resolved_database_url
    outputs = [liaison("ingest", str(SEED), db=db) for _ in range(3)]
    assert [code for code, _, _ in outputs] == [0, 0, 0]
    assert "stored 1 report(s), 0 unchanged" in outputs[0][1]
    assert "stored 0 report(s), 1 unchanged" in outputs[2][1]
    code, out, _ = liaison("reports", "--json", db=db)
    assert code == 0 and len(json.loads(out)) == 1


def test_ingesting_the_demo_corpus_twice_changes_no_row(settings: Settings) -> None:
    db = settings.resolved_database_url
    code, out, err = liaison("ingest", str(DEMO_CORPUS), "--json", db=db)
    assert code == 0, err
    first = json.loads(out)
    assert first["stored"] >= 15 and first["failed"] == []
    store = Store.open(settings)
    before = store.snapshot()
    code, out, _ = liaison("ingest", str(DEMO_CORPUS), "--json", db=db)
    assert code == 0
    assert json.loads(out) == {"stored": 0, "unchanged": first["stored"], "near_duplicates": 0, "failed": []}
    assert store.snapshot() == before
    languages = {r.language for r in store.list_reports()}
    assert {"en", "fr"} <= languages
    report_languages = {r.id: r.language for r in store.list_reports()}
    # one entity per real person or organisation, with its variants, across English and French
    both = {"en", "fr"}
    for name, variants, languages in [
        ("Mike Burgess", {"Mike Burguess"}, both),
        ("Graeme Biggar", {"Graeme Bigger"}, both),
        ("Catherine De Bolle", {"Catherine De Boll"}, both),
        ("Reece Kershaw", {"Reece Kershow"}, {"en"}),
        (
            "DGSI",
            {"Direction générale de la sécurité intérieure", "General Directorate for Internal Security"},
            both,
        ),
        ("Christopher Wray", {"Wray"}, both),
        ("Europol", set(), both),
    ]:
        detail = store.get_entity(name)
        assert detail.summary.name == name
        assert variants <= set(detail.summary.aliases), (name, detail.summary.aliases)
        assert {report_languages[m.report_id] for m in detail.mentions} == languages, name
    assert len([e for e in store.list_entities(limit=10_000) if e.name == "Europol"]) == 1
    wray_roles = {(r.title, r.organization) for r in store.get_entity("Christopher Wray").roles}
    assert ("Director", "FBI") in wray_roles
    # events reported by outlets in both languages are one event with every source
    events = store.list_events(limit=1000)
    bilingual = []
    for event in events:
        if event.sources < 2:
            continue
        detail = store.get_event(event.id)
        if {s.language for s in detail.sources} == {"en", "fr"}:
            bilingual.append(event)
    assert len(bilingual) >= 4, [(e.type, e.location, e.date, e.sources) for e in events if e.sources > 1]
    assert {e.location for e in bilingual} >= {"Palo Alto", "Glasgow", "Poland"}
    # the five stories the corpus tells through several outlets are five events with all their sources
    assert sorted(e.sources for e in events if e.sources > 1) == [2, 2, 3, 3, 3]
    store.close()
    code, out, _ = liaison("event", bilingual[0].id[:8], "--json", db=db)
    shown = json.loads(out)
    assert code == 0 and len(shown["sources"]) == bilingual[0].sources
    assert all(s["evidence"] for s in shown["sources"])
    arrests = next(e for e in bilingual if e.location == "Poland")
    code, out, _ = liaison("event", arrests.id, "--json", db=db)
    figures = json.loads(out)["figures"]
    conflicts = [g for g in figures if g["conflicting"]]
    assert any(g["unit"] == "arrests" and {r["value"] for r in g["records"]} == {2, 3} for g in conflicts)
    code, out, _ = liaison("claims", "--json", db=db)
    figures = json.loads(out)
    assert any(g["conflicting"] for g in figures) and any(not g["conflicting"] for g in figures)
    # merge and split through the command line round-trip
    before = json.loads(liaison("entities", "--json", "--limit", "1000", db=db)[1])
    code, out, err = liaison("entity", "merge", "Europol", "Eurojust", "--json", db=db)
    assert code == 0, err
    assert "Eurojust" in json.loads(out)["entity"]["aliases"]
    code, out, _ = liaison("entity", "Europol", "--why", db=db)
    assert "merged by an analyst: Eurojust into Europol" in out
    code, out, err = liaison("entity", "split", "Europol", "Eurojust", db=db)
    assert code == 0, err
    after = json.loads(liaison("entities", "--json", "--limit", "1000", db=db)[1])
    assert sorted(map(str, before)) == sorted(map(str, after))


def test_bad_inputs_fail_clearly_and_the_rest_is_ingested(settings: Settings, tmp_path: Path) -> None:
    db = settings.resolved_database_url
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    (inputs / "good.txt").write_text("Europol and Eurojust dismantled a fraud network in Spain.", "utf-8")
    (inputs / "empty.txt").write_bytes(b"")
    (inputs / "binary.txt").write_bytes(b"\x00\x01\x02\x03binary")
    (inputs / "latin1.txt").write_bytes("Sécurité".encode("latin-1"))
    (inputs / "menu.html").write_text("<html><body><nav>Home</nav></body></html>", "utf-8")
    (inputs / "records.jsonl").write_text(
        '{"text": "Interpol issued a red notice for the suspect."}\n{broken\n', "utf-8"
    )
    code, out, err = liaison("ingest", str(inputs), db=db)
    assert code == 1
    assert "stored 2 report(s), 0 unchanged, 5 failed" in out
    for name in ("empty.txt", "binary.txt", "latin1.txt", "menu.html"):
        assert str(inputs / name) in err
    assert f"{inputs / 'records.jsonl'}:2" in err
    code, out, _ = liaison("reports", "--json", db=db)
    assert len(json.loads(out)) == 2


def test_metadata_flags_and_listings(settings: Settings) -> None:
    db = settings.resolved_database_url
    code, _, err = liaison(
        "ingest",
        str(SEED),
        "--source",
        "Test Wire",
        "--published",
        "2022-09-20",
        "--tlp",
        "amber",
        "--url",
        "https://example.org/x",
        db=db,
    )
    assert code == 0, err
    [report] = json.loads(liaison("reports", "--json", db=db)[1])
    assert (report["source"], report["published"], report["tlp"]) == ("Test Wire", "2022-09-20", "amber")
    code, out, _ = liaison("report", report["id"][:10], "--json", db=db)
    detail = json.loads(out)
    assert detail["extraction"]["report"]["source"] == "Test Wire"
    people = json.loads(liaison("entities", "--type", "person", "--json", db=db)[1])
    assert people and all(p["type"] == "person" for p in people)
    code, out, _ = liaison("entity", people[0]["name"], "--json", db=db)
    assert code == 0 and json.loads(out)["mentions"]
    hits = json.loads(liaison("search", "cyber attacks", "--json", db=db)[1])
    assert [h["report_id"] for h in hits] == [report["id"]]
    code, _, err = liaison("report", "0000000000", db=db)
    assert code == 1 and "no report with ID" in err
    code, _, err = liaison("ingest", str(SEED), "--tlp", "purple", db=db)
    assert code == 2 and "unknown TLP level" in err


def test_db_upgrade_is_idempotent(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'x' / 'fresh.db'}"
    head = database.head_revision()
    code, out, _ = liaison("db", "upgrade", "0001", db=db)
    assert code == 0 and "(empty) -> 0001" in out
    code, out, _ = liaison("db", "upgrade", db=db)
    assert code == 0 and f"0001 -> {head}" in out
    code, out, _ = liaison("db", "upgrade", db=db)
    assert code == 0 and f"{head} -> {head}" in out


@pytest.mark.slow
def test_two_workers_store_the_same_rows_as_one(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    sources = [p for p in sorted(DEMO_CORPUS.iterdir()) if p.suffix in (".md", ".txt")]
    for number in range(200):
        template = sources[number % len(sources)]
        target = corpus / f"{number:03d}{template.suffix}"
        shutil.copy(template, target)
        with target.open("a", encoding="utf-8") as handle:
            handle.write(f"\nThis is copy number {number} of the report.\n")
    snapshots = []
    children_cpu = []
    for workers in (1, 2):
        db = f"sqlite:///{tmp_path / f'w{workers}.db'}"
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
        code, out, err = liaison("ingest", str(corpus), "--workers", str(workers), "--json", db=db)
        children_cpu.append(resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime - before)
        assert code == 0, err
        assert json.loads(out)["stored"] == 200
        store = Store.open(Settings(database_url=db))
        snapshots.append(store.snapshot(exclude_columns=TIMESTAMPS))
        store.close()
    assert snapshots[0] == snapshots[1]
    # With one worker everything runs in this process; with two the extraction ran in child processes.
    assert children_cpu[0] < 1.0 < children_cpu[1]


def test_report_text_is_never_read_as_terminal_markup(settings: Settings, tmp_path: Path) -> None:
    db = settings.resolved_database_url
    hostile = tmp_path / "hostile.txt"
    hostile.write_text(
        "Europol [bold red]warned[/] about [link=https://evil.example]phishing[/link] on Monday.\n"
        "Officials met in Madrid to discuss cybercrime.",
        "utf-8",
    )
    code, _, err = liaison("ingest", str(hostile), db=db)
    assert code == 0, err
    [report] = json.loads(liaison("reports", "--json", db=db)[1])
    code, out, _ = liaison("report", report["id"], db=db)
    assert code == 0
    assert "[bold red]warned[/]" in out and "[link=https://evil.example]phishing[/link]" in out
