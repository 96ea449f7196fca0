"""Shared fixtures: settings pointing at temporary stores, a real PostgreSQL server, the real models."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from liaison.extract import Extractor
from liaison.settings import Settings
from liaison.store import Store
from tests.postgres_server import running_cluster

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "seeds" / "000_82b7a8f3ec19bd5b.txt"
DEMO_CORPUS = ROOT / "examples" / "reports"
FIXED_TIME = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)

_database_numbers = itertools.count()


@pytest.fixture(scope="session")
def postgres_base_url() -> Iterator[str]:
    """A PostgreSQL server for the session: LIAISON_TEST_POSTGRES_URL, or a throwaway local cluster."""
    external = os.environ.get("LIAISON_TEST_POSTGRES_URL")
    if external:
        yield external.rstrip("/")
        return
    with running_cluster() as url:
        yield url


def _fresh_postgres_database(base_url: str) -> str:
    name = f"liaison_test_{os.getpid()}_{next(_database_numbers)}"
    admin = create_engine(f"{base_url}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"{base_url}/{name}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty store URL: each store test runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    base_url = request.getfixturevalue("postgres_base_url")
    return _fresh_postgres_database(base_url)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=database_url, data_dir=tmp_path / "data")


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path / 'store.db'}", data_dir=tmp_path / "data")


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    opened = Store.open(settings, clock=lambda: FIXED_TIME)
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def extractor() -> Extractor:
    return Extractor(Settings())


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")
