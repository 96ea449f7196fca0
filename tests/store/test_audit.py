"""The audit log holds: an untouched chain verifies, and any edit or deletion is detected."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, update

from liaison.store import Store
from liaison.store.schema import audit_log


def _fill(store: Store, count: int = 5) -> None:
    for number in range(count):
        store.append_audit("ann", "read", f"report:{number}", {"n": number, "why": "check"})


def test_an_untouched_log_verifies(store: Store) -> None:
    assert store.verify_audit().ok  # empty
    _fill(store)
    result = store.verify_audit()
    assert result.ok and result.entries == 5
    assert [e.target for e in store.audit_entries()] == [f"report:{n}" for n in range(5)]


@pytest.mark.parametrize(
    "change",
    [
        {"actor": "mallory"},
        {"action": "nothing"},
        {"target": "report:x"},
        {"detail": '{"n":99}'},
    ],
)
def test_an_edited_entry_is_detected(store: Store, change: dict[str, str]) -> None:
    _fill(store)
    with store.engine.begin() as connection:
        connection.execute(update(audit_log).where(audit_log.c.seq == 3).values(**change))
    result = store.verify_audit()
    assert not result.ok and "entry 3" in (result.problem or "")


@pytest.mark.parametrize("seq", [1, 3, 5])
def test_a_deleted_entry_is_detected(store: Store, seq: int) -> None:
    _fill(store)
    with store.engine.begin() as connection:
        connection.execute(delete(audit_log).where(audit_log.c.seq == seq))
    assert not store.verify_audit().ok


def test_appending_after_verification_keeps_the_chain(store: Store) -> None:
    _fill(store, 3)
    assert store.verify_audit().ok
    store.append_audit("bob", "export", "stix")
    assert store.verify_audit().entries == 4
