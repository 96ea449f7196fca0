"""The watch store: watches per user, alerts recorded once by id, read state, the delivery outbox, and the
facts of a report that watches match (on SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from liaison.domain import TLP, AccountRole, Alert, AlertMatch, Watch, WatchKind, deterministic_id
from liaison.errors import NotFound
from liaison.store import Store
from tests.conftest import FIXED_TIME
from tests.sharing_factories import report_extraction, save


@pytest.fixture
def users(store: Store) -> tuple[str, str]:
    store.add_organization("Home", home=True)
    ana = store.add_user("ana", "Home", AccountRole.ANALYST, None)
    bob = store.add_user("bob", "Home", AccountRole.READER, None)
    return ana.id, bob.id


def a_watch(user: str, key: str, kind: WatchKind = WatchKind.QUERY) -> Watch:
    return Watch(deterministic_id("watch", key), user, kind, key, key, None, None, None, FIXED_TIME)


def an_alert(watch: Watch, report_id: str, *targets: str) -> Alert:
    matches = tuple(
        AlertMatch("event", target, f"event {target}", "It happened.", report_id) for target in targets
    )
    return Alert(
        deterministic_id("alert", watch.id, report_id),
        watch.id,
        watch.user,
        FIXED_TIME,
        report_id,
        "",
        TLP.GREEN,
        "why",
        matches,
        False,
    )


def test_watches_belong_to_their_user(store: Store, users: tuple[str, str]) -> None:
    ana, bob = users
    watch = replace(a_watch("ana", "servers"), min_tlp=TLP.AMBER, webhook_url="https://hooks.example/x")
    store.insert_watch(watch, ana, "secret")
    store.insert_watch(a_watch("bob", "ransom"), bob, None)

    [record] = store.watch_records(user_id=ana)
    assert (record.watch, record.user_id, record.webhook_secret) == (watch, ana, "secret")
    assert store.find_watch_of(ana, watch.id[:6]).watch == watch
    with pytest.raises(NotFound, match="is not one of your watches"):
        store.find_watch_of(bob, watch.id)
    with pytest.raises(NotFound):
        store.find_watch_of(ana, "not-hex!")
    assert len(store.watch_records()) == 2
    store.delete_watch(watch.id)
    assert [r.watch.user for r in store.watch_records()] == ["bob"]


def test_an_alert_is_recorded_once_with_its_matches_and_deliveries(
    store: Store, users: tuple[str, str]
) -> None:
    ana, _ = users
    extraction = report_extraction("one", TLP.GREEN)
    save(store, extraction)
    report_id = extraction.report.id
    watch = a_watch("ana", "servers")
    store.insert_watch(watch, ana, None)
    alert = an_alert(watch, report_id, "e1", "e2")
    deliveries = [("d1", "webhook", "https://hooks.example/x"), ("d2", "email", "a@example.org")]

    assert store.insert_alert(alert, ana, report_id, deliveries)
    assert not store.insert_alert(alert, ana, report_id, deliveries)  # same id: already there

    [found] = store.alerts_for(ana)
    assert found == replace(alert, report_title="Report one")
    assert store.alerted_targets(watch.id, ["e1", "e3"]) == {"e1"}
    assert store.alert_exists(alert.id)
    context = store.alert_context(alert.id)
    assert context is not None and context[0].watch == watch
    assert [d.channel for d in store.deliveries_of(alert.id)] == ["webhook", "email"]
    assert store.pending_delivery_count() == 2


def test_read_state_and_order(store: Store, users: tuple[str, str]) -> None:
    ana, bob = users
    first, second = report_extraction("one", TLP.GREEN), report_extraction("two", TLP.AMBER)
    save(store, first)
    save(store, second)
    watch = a_watch("ana", "servers")
    store.insert_watch(watch, ana, None)
    older = an_alert(watch, first.report.id)
    newer = replace(an_alert(watch, second.report.id), created=FIXED_TIME + timedelta(minutes=1))
    store.insert_alert(older, ana, first.report.id, [])
    store.insert_alert(newer, ana, second.report.id, [])

    assert [a.id for a in store.alerts_for(ana)] == [newer.id, older.id]
    assert store.unread_alert_count(ana) == 2
    with pytest.raises(NotFound):
        store.mark_alerts_read(bob, newer.id)
    assert store.mark_alerts_read(ana, newer.id) == 1
    assert [a.id for a in store.alerts_for(ana)] == [older.id, newer.id]  # unread first
    assert [a.id for a in store.alerts_for(ana, unread_only=True)] == [older.id]
    assert store.mark_alerts_read(ana, None) == 1
    assert store.unread_alert_count(ana) == 0
    assert store.alerts_for(bob) == []
    assert [a.id for a in store.alerts_for(ana, limit=1, offset=1)] == [older.id]


def test_the_outbox_hands_out_what_is_due(store: Store, users: tuple[str, str]) -> None:
    ana, _ = users
    extraction = report_extraction("one", TLP.GREEN)
    save(store, extraction)
    watch = a_watch("ana", "servers")
    store.insert_watch(watch, ana, None)
    alert = an_alert(watch, extraction.report.id)
    store.insert_alert(alert, ana, extraction.report.id, [("d1", "webhook", "https://hooks.example/x")])

    assert [d.id for d in store.due_deliveries(FIXED_TIME)] == ["d1"]
    later = FIXED_TIME + timedelta(seconds=30)
    store.record_delivery_attempt(
        "d1", status="pending", attempts=1, next_attempt_at=later, error="HTTP 500", delivered_at=None
    )
    assert store.due_deliveries(later - timedelta(seconds=1)) == []
    assert store.next_delivery_due() == later
    [due] = store.due_deliveries(later)
    assert (due.attempts, due.last_error) == (1, "HTTP 500")
    store.record_delivery_attempt(
        "d1", status="delivered", attempts=2, next_attempt_at=None, error=None, delivered_at=later
    )
    assert store.due_deliveries(later + timedelta(days=1)) == []
    assert store.next_delivery_due() is None
    assert store.pending_deliveries_of([alert.id]) == []


def test_report_facts_map_everything_to_canonical_entities(store: Store) -> None:
    extraction = report_extraction("facts", TLP.AMBER, group="Ring Nine")
    save(store, extraction)
    facts = store.report_facts(extraction.report.id)
    assert facts is not None
    assert (facts.title, facts.tlp, facts.dedupe_key, facts.topics) == (
        "Report facts",
        TLP.AMBER,
        extraction.report.id,
        ("cybercrime",),
    )
    ring = store.find_entity_id("Ring Nine")
    [event] = facts.events
    assert ring in event.participants and event.location_country == "FR"
    assert event.evidence.startswith("Europol arrested Ring Nine members")
    [claim] = facts.claims
    assert (claim.subject_id, claim.label) == (ring, "34 servers")
    assert {alias.alias for alias in facts.aliases if alias.entity_id == ring} == {"Ring Nine"}
    assert store.report_facts("00000000-0000-0000-0000-000000000000") is None
    assert store.report_query_snippet(extraction.report.id, "seized serv") is not None
    assert store.report_query_snippet(extraction.report.id, "submarine") is None
    assert store.known_topics() == ["cybercrime"]
