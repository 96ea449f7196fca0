"""The sharing use cases on hand-made extractions (no NLP model), on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from liaison import sharing
from liaison.domain import TLP
from liaison.settings import Settings
from liaison.share.validation import validation_errors
from liaison.store import Store
from tests.conftest import FIXED_TIME
from tests.sharing_factories import report_extraction, save

LEVELS = list(TLP)


@pytest.fixture
def filled(store: Store) -> Store:
    first = None
    for level in LEVELS:
        tag = level.value.replace("+", "-")
        extraction = report_extraction(tag, level, person=f"Agent {tag}", group=f"Gang {tag}")
        save(store, extraction, same_event_as=first if level is TLP.RED else None)
        first = first or extraction
    return store


@pytest.mark.parametrize("tlp_max", [None, TLP.GREEN], ids=["all", "green"])
def test_export_import_export_gives_the_same_bytes(
    filled: Store, settings: Settings, tmp_path: Path, tlp_max: TLP | None
) -> None:
    exported = sharing.export_bundle(filled, settings, tlp_max=tlp_max)
    assert validation_errors(exported) == []
    empty = Settings(database_url=f"sqlite:///{tmp_path / 'empty.db'}")
    with Store.open(empty, clock=lambda: FIXED_TIME) as other:
        summary = sharing.import_bundle(sharing.bundle_json(exported), empty, other, "Partner", "b.json")
        assert (summary.errors, summary.stored) == ([], len(exported["objects"]))
        again = sharing.export_bundle(other, empty, tlp_max=tlp_max)
        assert sharing.bundle_json(again) == sharing.bundle_json(exported)
        # and into the store that made it: nothing new, the same bundle again
        assert sharing.import_bundle(exported, settings, filled, "Myself").ok
        assert sharing.bundle_json(
            sharing.export_bundle(filled, settings, tlp_max=tlp_max)
        ) == sharing.bundle_json(exported)


def test_a_refused_bundle_leaves_the_store_as_it_was(filled: Store, settings: Settings) -> None:
    valid = sharing.export_bundle(filled, settings, tlp_max=TLP.CLEAR)
    assert sharing.import_bundle(valid, settings, filled, "Partner").ok
    before = filled.snapshot()
    report = next(o for o in valid["objects"] if o["type"] == "report")
    dangling = {
        **report,
        "modified": "2030-01-01T00:00:00.000Z",
        "object_refs": ["identity--00000000-0000-4000-8000-000000000009"],
    }
    summary = sharing.import_bundle(
        {**valid, "objects": [*valid["objects"], dangling]}, settings, filled, "Partner", "x.json"
    )
    assert summary.errors == [
        f"x.json: {report['id']} refers to identity--00000000-0000-4000-8000-000000000009, "
        "which is neither in the bundle nor in the store"
    ]
    assert filled.snapshot() == before
    assert sharing.import_bundle(valid, settings, filled, " ").errors == [
        "-: say who sent the bundle (--from PARTNER)"
    ]
