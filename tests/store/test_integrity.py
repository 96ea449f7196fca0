"""The store's integrity checks: a healthy store passes every one; a broken row is named."""

from __future__ import annotations

import sqlite3

from sqlalchemy import text

from liaison.domain import TLP
from liaison.settings import Settings
from liaison.store import Store, database
from liaison.store.maintenance import IntegrityCheck
from tests.sharing_factories import report_extraction, save


def failed(checks: list[IntegrityCheck]) -> dict[str, str | None]:
    return {check.name: check.problem for check in checks if not check.ok}


def fill(store: Store) -> None:
    save(store, report_extraction("one", TLP.GREEN))
    save(store, report_extraction("two", TLP.RED, person="Jane Roe", recipients=("Alpha",)))


def test_a_healthy_store_passes_every_check(store: Store) -> None:
    fill(store)
    checks = store.integrity_checks()
    assert len(checks) >= 13
    assert failed(checks) == {}
    assert not store.is_empty()


def test_an_empty_store_is_empty_and_healthy(store: Store) -> None:
    assert store.is_empty()
    assert failed(store.integrity_checks()) == {}


def test_a_role_naming_an_entity_that_was_never_stored_is_found(store: Store) -> None:
    fill(store)
    with store.engine.begin() as connection:
        connection.execute(
            text(
                'INSERT INTO roles (id, report_id, person_id, title, start, "end", sentence) '
                "SELECT 'broken-role', id, 'no-such-entity', 'director', 0, 1, 0 FROM reports LIMIT 1"
            )
        )
    problems = failed(store.integrity_checks())
    assert list(problems) == ["roles point at a stored report and entities"]
    assert "1 row(s) of roles" in (problems["roles point at a stored report and entities"] or "")
    assert "broken-role" in (problems["roles point at a stored report and entities"] or "")


def test_a_mention_of_a_missing_report_is_found_on_sqlite(sqlite_settings: Settings) -> None:
    with Store.open(sqlite_settings) as store:
        fill(store)
        path = store.engine.url.database
    assert path is not None
    with sqlite3.connect(path) as connection:  # foreign keys are off on a plain connection
        connection.execute(
            'INSERT INTO mentions (id, report_id, entity_id, start, "end", text, sentence, label, language)'
            " SELECT 'orphan-mention', 'no-such-report', entity_id, 0, 1, 'x', 0, 'X', 'en'"
            " FROM mentions LIMIT 1"
        )
    with Store.open(sqlite_settings, migrate=False) as store:
        problems = failed(store.integrity_checks())
    assert set(problems) == {"SQLite foreign_key_check", "mentions point at a stored report"}
    assert "orphan-mention" in (problems["mentions point at a stored report"] or "")
    assert "mentions" in (problems["SQLite foreign_key_check"] or "")


def test_a_store_behind_the_latest_revision_fails_the_revision_check(settings: Settings) -> None:
    with Store.open(settings) as store:
        database.downgrade(store.engine, "0006")
        problems = failed(store.integrity_checks())
    assert problems == {
        "the schema is at the latest revision": f"revision 0006, latest {database.head_revision()}"
    }
