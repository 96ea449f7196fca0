"""Keeping a store safe: checking it, backing it up while it is in use, and restoring a backup.

SQLite is copied with its online backup API, page by page under the database's own locks, so a backup
taken while Liaison writes is a consistent snapshot. PostgreSQL is saved with ``pg_dump --format=custom``
(one transaction, so consistent too) and restored with ``pg_restore --clean --if-exists``.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from liaison.errors import StoreError
from liaison.settings import Settings
from liaison.store import Store
from liaison.store.maintenance import IntegrityCheck

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


def check_store(store: Store) -> list[IntegrityCheck]:
    """The store's integrity checks and its audit chain, in the order they are printed."""
    checks = store.integrity_checks()
    if checks and not checks[-1].ok and checks[-1].name.startswith("the schema"):
        return checks  # an outdated schema: the audit tables may not exist yet
    verification = store.verify_audit()
    checks.append(
        IntegrityCheck(
            f"the audit chain holds ({verification.entries} entries)", verification.ok, verification.problem
        )
    )
    return checks


def check_database(settings: Settings) -> list[IntegrityCheck]:
    """Check the store as it is, without migrating it first."""
    with Store.open(settings, migrate=False) as store:
        return check_store(store)


def backup(settings: Settings, destination: Path) -> None:
    """Write a consistent copy of the store to ``destination`` (replaced if it exists)."""
    url = make_url(settings.resolved_database_url)
    destination = destination.expanduser()
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    if url.get_backend_name() == "sqlite":
        source_connection = sqlite3.connect(_sqlite_path(url), timeout=30)
        target_connection = sqlite3.connect(partial)
        try:
            source_connection.backup(target_connection)
        finally:
            target_connection.close()
            source_connection.close()
    else:
        _run_postgres_tool("pg_dump", ["--format=custom", f"--file={partial}"], url)
    partial.replace(destination)  # a crash mid-backup never leaves a half file under the final name


def restore(settings: Settings, source: Path, force: bool = False) -> list[IntegrityCheck]:
    """Replace the store with the backup in ``source``; the checks of the restored store are returned.

    A store that holds anything is only overwritten with ``force``.
    """
    source = source.expanduser()
    if not source.is_file():
        raise StoreError(f"no backup file {str(source)!r}")
    url = make_url(settings.resolved_database_url)
    with Store.open(settings, migrate=False) as store:
        if not force and not store.is_empty():
            raise StoreError(f"the store at {url!r} is not empty; use --force to replace it")
    with source.open("rb") as file:
        header = file.read(len(SQLITE_MAGIC))
    if url.get_backend_name() == "sqlite":
        if not header.startswith(SQLITE_MAGIC):
            raise StoreError(f"{str(source)!r} is not an SQLite backup")
        source_connection = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        target_connection = sqlite3.connect(_sqlite_path(url), timeout=30)
        try:
            source_connection.backup(target_connection)
        finally:
            target_connection.close()
            source_connection.close()
    else:
        if not header.startswith(PG_DUMP_MAGIC):
            raise StoreError(f"{str(source)!r} is not a pg_dump custom-format backup")
        _run_postgres_tool(
            "pg_restore",
            [
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={url.database}",
                str(source),
            ],
            url,
        )
    return check_database(settings)


def _sqlite_path(url: URL) -> str:
    if not url.database or url.database == ":memory:":
        raise StoreError("an in-memory store cannot be backed up or restored")
    return str(Path(url.database).expanduser())


def postgres_tool(name: str) -> str:
    """The path of a PostgreSQL client program: on PATH, else the newest in Debian's server folders."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda path: int(path.parent.parent.name) if path.parent.parent.name.isdigit() else 0,
        reverse=True,
    )
    if not candidates:
        raise StoreError(f"{name} not found; install the PostgreSQL client programs")
    return str(candidates[0])


def _run_postgres_tool(name: str, arguments: list[str], url: URL) -> None:
    # The connection goes through libpq's environment, so the password never shows in a process list.
    environment = dict(os.environ)
    for variable, value in (
        ("PGHOST", url.host),
        ("PGPORT", str(url.port) if url.port else None),
        ("PGUSER", url.username),
        ("PGPASSWORD", url.password),
        ("PGDATABASE", url.database),
    ):
        if value:
            environment[variable] = str(value)
    sslmode = url.query.get("sslmode")
    if isinstance(sslmode, str):
        environment["PGSSLMODE"] = sslmode
    completed = subprocess.run(
        [postgres_tool(name), "--no-password", *arguments],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise StoreError(f"{name} failed: {completed.stderr.strip() or completed.returncode}")
