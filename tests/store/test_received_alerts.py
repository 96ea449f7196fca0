"""The store side of alerts on partners' STIX objects, on SQLite and PostgreSQL: names of a watched entity,
which received objects a collection serves, and alerts that refer to a STIX object instead of a report."""

from __future__ import annotations

from liaison import sharing, watching
from liaison.domain import TLP, AccountRole, Alert, AlertMatch, WatchKind, deterministic_id, normalise_name
from liaison.publishing import publish
from liaison.settings import Settings
from liaison.store import Store
from liaison.store.accounts import collection_id_for
from tests.conftest import FIXED_TIME
from tests.sharing_factories import report_extraction, save
from tests.test_watching_received import PEOPLE, hand_made_bundle, stix_id


def test_names_readable_objects_and_a_stix_alert_round_trip(store: Store, settings: Settings) -> None:
    home = store.add_organization("Home", home=True)
    store.add_user("ana", "Home", AccountRole.ANALYST, None)
    extraction = report_extraction("local", TLP.GREEN, **PEOPLE)
    save(store, extraction)
    publish(store, settings)
    [group] = store.entity_candidates("Ring Nine", normalise_name("Ring Nine"))
    assert "ring nine" in store.entity_name_keys(group.id)
    assert store.stored_report_ids([extraction.report.id, "0" * 36]) == {extraction.report.id}

    summary = sharing.import_bundle(hand_made_bundle("s", TLP.AMBER), settings, store, received_from="Zulu")
    assert summary.ok and summary.alerts == 0  # nobody watches yet
    collection = collection_id_for(home.id)
    received = stix_id("report", "s")
    assert store.readable_stix_ids(collection, [received, "report--" + "0" * 36]) == {received}

    watch, _ = watching.add_watch(store, settings, "ana", WatchKind.ENTITY, "Ring Nine")
    match = AlertMatch("mention", stix_id("intrusion-set", "r9"), "R9 (intrusion-set)", "R9 ...", received)
    alert = Alert(
        deterministic_id("alert", watch.id, "x"),
        watch.id,
        "ana",
        FIXED_TIME,
        None,
        "Harbour sweep s",
        TLP.AMBER,
        "why",
        (match,),
        False,
        stix_id=received,
        received_from="Zulu",
    )
    user_id = store.user("ana").id
    assert store.insert_alert(alert, user_id, deterministic_id("received-object", received), [])
    assert store.alerts_for(user_id, collection_id=collection) == [alert]
    assert store.unread_alert_count(user_id, collection) == 1
    context = store.alert_context(alert.id)
    assert context is not None and context[1] == alert
    assert store.unread_alert_count(user_id, collection_id_for("0" * 36)) == 0
