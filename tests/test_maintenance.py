"""Checking, backing up and restoring a store; a store killed mid-migration or mid-pull stays whole."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from liaison import maintenance
from liaison.accounts import create_token
from liaison.cli import app
from liaison.domain import TLP, AccountRole
from liaison.errors import StoreError
from liaison.publishing import publish
from liaison.settings import Settings
from liaison.store import Store, database
from liaison.store.publication import ObjectFilter
from tests.live_server import live_server
from tests.sharing_factories import report_extraction, save

runner = CliRunner()


def fill(store: Store) -> None:
    store.add_organization("Alpha", home=True)
    store.add_organization("Bravo")
    save(store, report_extraction("one", TLP.GREEN))
    save(store, report_extraction("two", TLP.RED, person="Jane Roe", recipients=("Alpha",)))
    store.append_audit("cli:test", "org.add", "Bravo", {"home": False})


def cli(settings: Settings, *arguments: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--db", settings.resolved_database_url, *arguments], catch_exceptions=False)
    return result.exit_code, result.output


def test_a_backup_restores_the_store_as_it_was(settings: Settings, tmp_path: Path) -> None:
    with Store.open(settings) as store:
        fill(store)
        original = store.snapshot()
        organizations = [o.name for o in store.organizations()]
        audit = store.audit_entries()
    backup = tmp_path / "backups" / "store.backup"
    maintenance.backup(settings, backup)
    assert backup.is_file() and not backup.with_name("store.backup.partial").exists()

    with Store.open(settings) as store:  # the store moves on after the backup
        save(store, report_extraction("three", TLP.CLEAR, person="John Doe"))
        store.add_organization("Charlie")
        store.append_audit("cli:test", "org.add", "Charlie")
        assert store.snapshot() != original

    with pytest.raises(StoreError, match="not empty; use --force"):
        maintenance.restore(settings, backup)
    checks = maintenance.restore(settings, backup, force=True)
    assert [c.name for c in checks if not c.ok] == []
    assert any("audit chain" in c.name for c in checks)

    with Store.open(settings, migrate=False) as store:
        assert store.snapshot() == original
        assert [o.name for o in store.organizations()] == organizations
        assert store.audit_entries() == audit
        verification = store.verify_audit()
        assert verification.ok and verification.entries == len(audit)


def test_a_backup_restores_into_an_empty_store_without_force(settings: Settings, tmp_path: Path) -> None:
    with Store.open(settings) as store:
        fill(store)
        original = store.snapshot()
    backup = tmp_path / "store.backup"
    maintenance.backup(settings, backup)
    if settings.resolved_database_url.startswith("sqlite"):
        empty = Settings(database_url=f"sqlite:///{tmp_path / 'empty.db'}", data_dir=tmp_path / "empty")
    else:
        with Store.open(settings) as store, store.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        empty = settings
    assert [c.name for c in maintenance.restore(empty, backup) if not c.ok] == []
    with Store.open(empty, migrate=False) as store:
        assert store.snapshot() == original


def test_a_file_of_the_wrong_kind_is_refused(settings: Settings, tmp_path: Path) -> None:
    wrong = tmp_path / "notes.txt"
    wrong.write_text("not a backup\n", encoding="utf-8")
    with pytest.raises(StoreError, match=r"is not an SQLite backup|is not a pg_dump"):
        maintenance.restore(settings, wrong)
    with pytest.raises(StoreError, match="no backup file"):
        maintenance.restore(settings, tmp_path / "missing.backup")


def test_the_commands_check_back_up_and_restore(settings: Settings, tmp_path: Path) -> None:
    with Store.open(settings) as store:
        fill(store)
    code, output = cli(settings, "db", "check")
    assert code == 0, output
    assert "ok      the audit chain holds (1 entries)" in output and "FAILED" not in output

    backup = tmp_path / "store.backup"
    code, output = cli(settings, "backup", str(backup))
    assert code == 0 and backup.is_file(), output
    code, output = cli(settings, "restore", str(backup))
    assert code == 1 and "--force" in output
    code, output = cli(settings, "restore", str(backup), "--force")
    assert code == 0 and "restored from" in output, output


def test_db_check_fails_naming_an_edited_audit_entry(settings: Settings) -> None:
    with Store.open(settings) as store:
        fill(store)
        with store.engine.begin() as connection:
            connection.execute(text("UPDATE audit_log SET target = 'Mallory' WHERE seq = 1"))
    code, output = cli(settings, "db", "check")
    assert code == 1
    assert "FAILED  the audit chain holds (0 entries): entry 1 was changed after it was written" in output
    assert "1 of" in output and "checks failed" in output


def test_a_restore_that_does_not_check_out_says_so(sqlite_settings: Settings, tmp_path: Path) -> None:
    with Store.open(sqlite_settings) as store:
        fill(store)
        with store.engine.begin() as connection:
            connection.execute(text("UPDATE audit_log SET action = 'nothing' WHERE seq = 1"))
    backup = tmp_path / "broken.backup"
    maintenance.backup(sqlite_settings, backup)
    code, output = cli(sqlite_settings, "restore", str(backup), "--force")
    assert code == 1
    assert "FAILED  the audit chain" in output and "checks failed" in output


def test_postgres_tools_are_found() -> None:
    if shutil.which("pg_dump") is None and not list(Path("/usr/lib/postgresql").glob("*/bin/pg_dump")):
        pytest.skip("no PostgreSQL client programs")
    assert Path(maintenance.postgres_tool("pg_dump")).name == "pg_dump"
    with pytest.raises(StoreError, match="not found"):
        maintenance.postgres_tool("pg_no_such_tool")


# --- SIGKILL: a store killed mid-migration or mid-pull opens, checks out and is completed by a re-run ---

LIAISON = str(Path(sys.executable).with_name("liaison"))


def run_liaison(database: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LIAISON, "--db", f"sqlite:///{database}", *arguments], capture_output=True, text=True, timeout=600
    )


def kill_group(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


@pytest.mark.slow
def test_a_migration_killed_half_way_leaves_the_old_schema_and_the_next_run_completes_it(
    tmp_path: Path,
) -> None:
    entity_count = 100_000  # enough rows that rebuilding the entities table takes a few seconds
    old = tmp_path / "old.db"
    engine = database.create_store_engine(f"sqlite:///{old}")
    database.upgrade(engine, "0001")
    engine.dispose()
    with sqlite3.connect(old) as connection:
        connection.executemany(
            "INSERT INTO entities (id, type, name, canonical_key, created_at) VALUES (?, ?, ?, ?, ?)",
            [
                (f"{i:036d}", "person", f"Person {i}", f"person:person {i}", "2024-01-01 00:00:00")
                for i in range(entity_count)
            ],
        )
    store_path = tmp_path / "store.db"
    killed_mid_way = 0
    delay = 0.5
    while killed_mid_way < 2:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{store_path}{suffix}").unlink(missing_ok=True)
        shutil.copy(old, store_path)
        process = subprocess.Popen(
            [LIAISON, "--db", f"sqlite:///{store_path}", "db", "upgrade"],
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            time.sleep(delay)
            wal = Path(f"{store_path}-wal")
            # The migration has written pages: the kill lands inside it.
            writing = wal.exists() and wal.stat().st_size > 0
        finally:
            kill_group(process)
        assert process.returncode == -signal.SIGKILL, "the migration ended before it could be killed"
        delay += 0.3
        with sqlite3.connect(store_path) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            [(revision,)] = connection.execute("SELECT version_num FROM alembic_version").fetchall()
        if not writing or revision == database.head_revision():  # too early, or just after the commit
            continue
        killed_mid_way += 1
        with sqlite3.connect(store_path) as connection:
            # All or nothing: still the old schema, no column or table of the next one.
            assert revision == "0001"
            columns = {row[1] for row in connection.execute("PRAGMA table_info(entities)")}
            assert "canonical_id" not in columns
            assert connection.execute("SELECT count(*) FROM entities").fetchone() == (entity_count,)
        upgraded = run_liaison(store_path, "db", "upgrade")
        assert upgraded.returncode == 0, upgraded.stderr
        checked = run_liaison(store_path, "db", "check")
        assert checked.returncode == 0, checked.stdout + checked.stderr
        with sqlite3.connect(store_path) as connection:
            assert connection.execute("SELECT count(*), sum(canonical_id = id) FROM entities").fetchone() == (
                entity_count,
                entity_count,
            )


@pytest.mark.slow
def test_a_pull_killed_half_way_is_completed_by_the_next_pull(tmp_path: Path) -> None:
    alpha = Settings(
        database_url=f"sqlite:///{tmp_path / 'alpha.db'}",
        data_dir=tmp_path / "alpha",
        organization_name="Alpha",
    )
    bravo_path = tmp_path / "bravo.db"
    bravo = Settings(
        database_url=f"sqlite:///{bravo_path}", data_dir=tmp_path / "bravo", organization_name="Bravo"
    )
    with Store.open(alpha) as store:
        store.add_organization("Alpha", home=True)
        store.add_organization("Bravo")
        store.set_agreement("Bravo", TLP.GREEN)
        store.add_user("bravo-puller", "Bravo", AccountRole.PARTNER, None)
        token, _ = create_token(store, "bravo-puller", "pulls from Bravo")
        for number in range(40):
            save(
                store,
                report_extraction(
                    f"r{number}", TLP.GREEN, person=f"Person {number}", group=f"Group {number}"
                ),
            )
        publish(store, alpha)
        collection = store.collection_for(store.organization("Bravo").id)
        served = {
            (row.stix_id, row.version)
            for row in store.collection_objects(collection.id, ObjectFilter(), 100_000)
        }
    assert len(served) > 200

    alpha_store = Store.open(alpha)
    with live_server(alpha, alpha_store) as base:
        with Store.open(bravo) as store:
            store.add_organization("Bravo", home=True)
            store.add_partner("Alpha", f"{base}/taxii2/api/", token)
        pull = [LIAISON, "--db", f"sqlite:///{bravo_path}", "partner", "pull", "--page-size", "5"]
        pull.append("--allow-private")
        process = subprocess.Popen(
            pull, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            while process.poll() is None:
                if received_versions(bravo_path) >= 30:
                    break
                time.sleep(0.02)
            assert process.poll() is None, "the pull ended before it could be killed"
        finally:
            kill_group(process)
        assert process.returncode == -signal.SIGKILL
        partial = received_versions(bravo_path)
        assert 30 <= partial < len(served)
        checked = run_liaison(bravo_path, "db", "check")
        assert checked.returncode == 0, checked.stdout + checked.stderr

        finished = run_liaison(
            bravo_path, "partner", "pull", "--page-size", "50", "--allow-private", "--json"
        )
        assert finished.returncode == 0, finished.stdout + finished.stderr
    alpha_store.close()

    with sqlite3.connect(bravo_path) as connection:
        rows = connection.execute("SELECT id, modified, current FROM stix_objects").fetchall()
    assert len(rows) == len(served)
    assert {(stix_id, modified) for stix_id, modified, _ in rows} == served
    assert all(current for _, _, current in rows)
    checked = run_liaison(bravo_path, "db", "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def received_versions(database: Path) -> int:
    try:
        with sqlite3.connect(database, timeout=30) as connection:
            return int(connection.execute("SELECT count(*) FROM stix_objects").fetchone()[0])
    except sqlite3.OperationalError:
        return 0
