"""Received STIX objects: every version kept, the latest current, provenance, whole bundles or nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from liaison.domain import TLP, ReceivedStixObject
from liaison.errors import StoreError
from liaison.settings import Settings
from liaison.store import Store
from tests.sharing_factories import report_extraction, save


def version(object_id: str, modified: str, name: str = "Partner Agency") -> ReceivedStixObject:
    data = {"type": "identity", "id": object_id, "modified": modified, "name": name}
    return ReceivedStixObject(
        id=object_id,
        type="identity",
        spec_version="2.1",
        modified=modified,
        version_key=modified,
        json=json.dumps(data, sort_keys=True),
    )


ID = "identity--11111111-2222-4333-8444-555555555555"


def test_versions_are_kept_and_the_latest_is_current(settings: Settings) -> None:
    now = [datetime(2024, 5, 1, tzinfo=UTC)]
    with Store.open(settings, clock=lambda: now[0]) as store:
        first = store.save_stix_objects(
            [version(ID, "2024-05-01T10:00:00.000Z")], "CERT-X", "bundle--1", "a.json"
        )
        assert (first.stored, first.unchanged, first.replaced, first.older) == (1, 0, 0, 0)
        again = store.save_stix_objects(
            [version(ID, "2024-05-01T10:00:00.000Z")], "CERT-Y", "bundle--1", "a.json"
        )
        assert (again.stored, again.unchanged) == (0, 1)
        now[0] += timedelta(days=1)
        newer = version(ID, "2024-06-01T10:00:00.000Z", name="Renamed Agency")
        replaced = store.save_stix_objects([newer], "CERT-X", "bundle--2", "b.json")
        assert replaced.replaced == 1
        older = store.save_stix_objects(
            [version(ID, "2023-01-01T00:00:00.000Z")], "CERT-Z", "bundle--3", "c.json"
        )
        assert older.older == 1
        [current] = store.current_stix_objects()
        assert json.loads(current.json)["name"] == "Renamed Agency"
        assert (current.received_from, current.bundle_id) == ("CERT-X", "bundle--2")
        assert current.received_at.replace(tzinfo=UTC) == now[0]
        history = store.stix_object_history(ID)
        assert [h.modified for h in history] == [
            "2023-01-01T00:00:00.000Z",
            "2024-05-01T10:00:00.000Z",
            "2024-06-01T10:00:00.000Z",
        ]
        assert [h.current for h in history] == [False, False, True]
        # the first provenance of a version stays: receiving it again from CERT-Y changed nothing
        assert history[1].received_from == "CERT-X"
        assert store.current_stix_objects(since=(now[0] + timedelta(days=1)).date()) == []
        assert store.stix_counts() == {"identity": 1}
        assert store.table_counts()["stix_imports"] == 3  # the bundle received twice is logged once


def test_a_bundle_is_stored_whole_or_not_at_all(store: Store) -> None:
    store.save_stix_objects([version(ID, "2024-05-01T10:00:00.000Z")], "CERT-X", "bundle--1", "a.json")
    before = store.snapshot()
    other = "identity--99999999-2222-4333-8444-555555555555"
    clash = [version(other, "2024-05-01T10:00:00.000Z"), version(other, "2024-05-01T10:00:00.000Z")]
    clash[1] = ReceivedStixObject(other, "identity", "2.1", "2024-05-02T10:00:00.000Z", "k", None)  # type: ignore[arg-type]
    with pytest.raises(StoreError, match=r"could not store bundle bundle--2 from b\.json"):
        store.save_stix_objects(clash, "CERT-X", "bundle--2", "b.json")
    assert store.snapshot() == before


def test_known_ids_are_received_objects_and_what_liaison_shares(store: Store) -> None:
    extraction = report_extraction("known", TLP.GREEN)
    save(store, extraction)
    store.save_stix_objects([version(ID, "2024-05-01T10:00:00.000Z")], "CERT-X", "bundle--1", "a.json")
    person = extraction.entities[0].id
    asked = {
        ID,
        f"report--{extraction.report.id}",
        f"identity--{person}",
        f"x-liaison-event--{extraction.events[0].id}",
        "identity--00000000-0000-4000-8000-000000000000",
        f"report--{person}",
    }
    assert store.known_stix_ids(asked) == asked - {
        "identity--00000000-0000-4000-8000-000000000000",
        f"report--{person}",
    }
