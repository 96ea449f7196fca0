"""The ingest use case: exact and near duplicates, and sources counted once."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from liaison import services
from liaison.settings import Settings
from liaison.store import Store
from tests.conftest import DEMO_CORPUS, FIXED_TIME
from tests.ingest.test_duplicates import syndicated_copy

pytestmark = pytest.mark.model

ORIGINAL = DEMO_CORPUS / "05_lockbit-operation-cronos.md"


def test_whitespace_and_case_variants_are_one_report(settings: Settings, tmp_path: Path) -> None:
    text = ORIGINAL.read_text(encoding="utf-8")
    variant = tmp_path / "variant.md"
    variant.write_text(text.replace("\n\n", "\n\n\n").replace(" ", "  "), encoding="utf-8")
    with Store.open(settings, clock=lambda: FIXED_TIME) as store:
        summary = services.ingest_paths([ORIGINAL, variant], settings, store)
        assert (summary.stored, summary.unchanged) == (1, 1)
        assert len(store.list_reports()) == 1


def test_a_syndicated_copy_is_linked_and_counted_once(settings: Settings, tmp_path: Path) -> None:
    # Another outlet runs the statement the same day, lightly edited.
    original_text = services.read_reports([ORIGINAL], settings)[0].text  # type: ignore[union-attr]
    copy = tmp_path / "copy.md"
    copy.write_text(
        "---\ntitle: Ransomware gang disrupted\nsource: Regional Wire\npublished: 2024-02-20\n---\n"
        + syndicated_copy(original_text, 3),
        encoding="utf-8",
    )
    other = DEMO_CORPUS / "07_lockbit-after-cronos.md"
    with Store.open(settings, clock=lambda: FIXED_TIME) as store:
        summary = services.ingest_paths([ORIGINAL, other, copy], settings, store)
        assert (summary.stored, summary.near_duplicates) == (3, 1)
        by_origin = {r.origin: r for r in store.list_reports()}
        original = by_origin[str(ORIGINAL)]
        copied = by_origin[str(copy)]
        assert copied.near_duplicate_of == original.id
        assert copied.near_duplicate_similarity is not None and copied.near_duplicate_similarity >= 0.5
        assert by_origin[str(other)].near_duplicate_of is None
        # both stay readable; the original lists its copy
        assert store.get_report(copied.id).text
        assert [r for r, _ in store.get_report(original.id).copies] == [copied.id]
        # an event told by the original and its copy has one source, not two
        shared = [e for e in store.list_events(limit=500) if e.sources >= 1]
        for event in shared:
            detail = store.get_event(event.id)
            reports = {s.report_id for s in detail.sources}
            independent = {s.copy_of or s.report_id for s in detail.sources}
            assert event.sources == len(independent)
            if {original.id, copied.id} <= reports:
                assert len(reports) == len(independent) + 1
        assert any(
            {original.id, copied.id} <= {s.report_id for s in store.get_event(e.id).sources} for e in shared
        )
        # the entities the copy repeats are not counted as seen in one more report
        lockbit = [e for e in store.list_entities(limit=1000) if e.name == "LockBit"]
        assert lockbit and lockbit[0].report_count == 2


CITIES = [
    "Lyon",
    "Antwerp",
    "Porto",
    "Naples",
    "Gdansk",
    "Tangier",
    "Valencia",
    "Rotterdam",
    "Marseille",
    "Turin",
]
GROUPS = ["a cocaine network", "a ransomware crew", "a people-smuggling ring", "an arms-trafficking cell"]


def write_numbered_reports(directory: Path, count: int) -> None:
    """``count`` distinct short reports (each names its own number, so no two are the same text)."""
    directory.mkdir()
    for number in range(count):
        city = CITIES[number % len(CITIES)]
        group = GROUPS[number % len(GROUPS)]
        (directory / f"{number:04d}.md").write_text(
            f"---\ntitle: Raid number {number} in {city}\npublished: 2024-{number % 12 + 1:02d}-15\n---\n"
            f"Police in {city} arrested {number % 9 + 2} suspects on Tuesday in operation {number}, "
            f"which targeted {group}. Investigators seized {number * 3 + 5} kilograms of evidence "
            f"and {number + 11} phones, prosecutors said on Wednesday. The suspects will appear before "
            f"a judge in {city} next month, and the investigation continues.\n",
            encoding="utf-8",
        )


def stored_reports(database: Path) -> list[tuple[str, str]]:
    try:
        with sqlite3.connect(database, timeout=30) as connection:
            return connection.execute("SELECT id, content_hash FROM reports").fetchall()
    except sqlite3.OperationalError:  # the schema is not created yet
        return []


@pytest.mark.slow
def test_an_ingest_killed_half_way_is_completed_by_the_next_run(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write_numbered_reports(corpus, 500)
    database = tmp_path / "store.db"
    command = [str(Path(sys.executable).with_name("liaison")), "--db", f"sqlite:///{database}"]
    command += ["ingest", "--workers", "2", str(corpus)]
    # Its own session, so that the kill reaches the pool's worker processes too.
    process = subprocess.Popen(
        command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        while process.poll() is None:
            if database.exists() and len(stored_reports(database)) >= 150:
                break
            time.sleep(0.1)
        assert process.poll() is None, "the ingest ended before it could be killed"
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == -signal.SIGKILL
    partial = len(stored_reports(database))
    assert 150 <= partial < 500
    checked = subprocess.run([*command[:3], "db", "check"], capture_output=True, text=True, timeout=600)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    finished = subprocess.run([*command, "--json"], capture_output=True, text=True, timeout=600)
    assert finished.returncode == 0, finished.stderr
    summary = json.loads(finished.stdout)
    assert summary["stored"] == 500 - partial and summary["unchanged"] == partial
    rows = stored_reports(database)
    assert len(rows) == 500 and len({content_hash for _, content_hash in rows}) == 500
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        # every report was written whole: its sentences, mentions and fingerprint are there
        incomplete = connection.execute(
            "SELECT count(*) FROM reports r"
            " WHERE NOT EXISTS (SELECT 1 FROM sentences s WHERE s.report_id = r.id)"
            " OR NOT EXISTS (SELECT 1 FROM mentions m WHERE m.report_id = r.id)"
            " OR NOT EXISTS (SELECT 1 FROM report_fingerprints f WHERE f.report_id = r.id)"
        ).fetchone()
        assert incomplete == (0,)
    checked = subprocess.run([*command[:3], "db", "check"], capture_output=True, text=True, timeout=600)
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.parametrize(
    ("pending", "cpus", "expected"),
    [(0, 2, 1), (1, 2, 1), (20, 2, 1), (31, 2, 1), (32, 2, 2), (2000, 2, 2), (2000, 8, 8), (100, 8, 6)],
)
def test_every_core_works_once_there_are_enough_reports(pending: int, cpus: int, expected: int) -> None:
    assert services.default_workers(pending, cpus) == expected
