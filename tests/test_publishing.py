"""Publication: each organisation's collection holds exactly what its handling rules allow."""

from __future__ import annotations

import json
from datetime import timedelta

from liaison.domain import TLP, AccountRole
from liaison.publishing import publish
from liaison.settings import Settings
from liaison.share.stix_json import references
from liaison.store import Store
from liaison.store.publication import ObjectFilter
from tests.conftest import FIXED_TIME
from tests.sharing_factories import report_extraction, save


def _setup(store: Store) -> None:
    store.add_organization("Alpha", home=True)
    store.add_organization("Bravo")
    store.add_organization("Charlie")
    store.set_agreement("Bravo", TLP.GREEN)
    store.add_user("ann", "Alpha", AccountRole.ANALYST, None)


def _objects(store: Store, organization: str) -> list[dict]:
    collection = store.collection_for(store.organization(organization).id)
    rows = store.collection_objects(collection.id, ObjectFilter(), limit=10_000)
    return [json.loads(row.json) for row in rows]


def _report_tlps(objects: list[dict]) -> set[str]:
    return {o["name"] for o in objects if o["type"] == "report"}


def test_each_collection_holds_what_its_organisation_may_read(settings: Settings, store: Store) -> None:
    _setup(store)
    levels = {
        "clear": TLP.CLEAR,
        "green": TLP.GREEN,
        "amber": TLP.AMBER,
        "strict": TLP.AMBER_STRICT,
    }
    for tag, level in levels.items():
        save(store, report_extraction(tag, level, person=f"Person {tag}", group=f"Group {tag}"))
    save(
        store,
        report_extraction(
            "red-alpha", TLP.RED, person="Red Person", group="Red Group", recipients=("alpha",)
        ),
    )
    save(
        store,
        report_extraction(
            "red-charlie", TLP.RED, person="Other Red", group="Other Group", recipients=("charlie",)
        ),
    )
    results = {r.organization: r for r in publish(store, settings, now=FIXED_TIME)}
    assert set(results) == {"Alpha", "Bravo", "Charlie"}
    assert _report_tlps(_objects(store, "Alpha")) == {
        "Report clear",
        "Report green",
        "Report amber",
        "Report strict",
        "Report red-alpha",
    }
    assert _report_tlps(_objects(store, "Bravo")) == {"Report clear", "Report green"}
    assert _report_tlps(_objects(store, "Charlie")) == {"Report clear", "Report red-charlie"}
    # Entities in every report are marked by the most restrictive: Europol is in the RED reports too.
    bravo_names = {o.get("name") for o in _objects(store, "Bravo")}
    assert "Person green" in bravo_names and "Europol" not in bravo_names and "Red Person" not in bravo_names
    # The REST rows follow the same rule.
    bravo = store.collection_for(store.organization("Bravo").id)
    reports_readable = {r.id for r in store.list_reports(100) if store.is_readable(bravo.id, "report", r.id)}
    assert len(reports_readable) == 2


def test_publishing_again_adds_nothing_and_new_reports_are_added_after(
    settings: Settings, store: Store
) -> None:
    _setup(store)
    save(store, report_extraction("one", TLP.GREEN))
    first = {r.organization: r for r in publish(store, settings, now=FIXED_TIME)}
    assert first["Bravo"].added > 0
    again = {r.organization: r for r in publish(store, settings, now=FIXED_TIME)}
    assert again["Bravo"].added == 0 and again["Bravo"].withdrawn == 0
    bravo = store.collection_for(store.organization("Bravo").id)
    before = store.collection_objects(bravo.id, ObjectFilter(), limit=10_000)
    last_added = max(row.date_added for row in before)
    assert len({row.date_added for row in before}) == len(before)  # strictly increasing
    save(store, report_extraction("two", TLP.GREEN, person="Someone Else", group="Another Group"))
    publish(store, settings, now=FIXED_TIME + timedelta(hours=1))
    new = store.collection_objects(bravo.id, ObjectFilter(added_after=last_added), limit=10_000)
    assert "Report two" in {json.loads(row.json).get("name") for row in new}
    assert all(row.date_added > last_added for row in new)


def test_an_object_that_becomes_red_is_withdrawn(settings: Settings, store: Store) -> None:
    _setup(store)
    save(store, report_extraction("one", TLP.GREEN))
    publish(store, settings, now=FIXED_TIME)
    assert "Europol" in {o.get("name") for o in _objects(store, "Bravo")}
    save(store, report_extraction("secret", TLP.RED, recipients=("alpha",)))
    results = {r.organization: r for r in publish(store, settings, now=FIXED_TIME + timedelta(hours=1))}
    assert results["Bravo"].withdrawn > 0
    objects = _objects(store, "Bravo")
    assert "Europol" not in {o.get("name") for o in objects}
    ids = {o["id"] for o in objects}
    for item in objects:  # nothing served refers to a withheld object
        assert references(item) <= ids, item["id"]
