"""Alerts on what partners send: a STIX import or a partner pull that stores objects matching a watch raises
one alert per (watch, received object), never again for the same objects, and only for users whose
organisation's collection serves the object. Partner bundles are Liaison's own export of another instance,
or hand-made STIX 2.1 dicts (to name an entity under another ID, with an alias)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from liaison import alert_delivery, partners, sharing, watching
from liaison.accounts import create_token, hash_password
from liaison.cli import app
from liaison.domain import TLP, AccountRole, Extraction, WatchKind
from liaison.publishing import publish
from liaison.settings import Settings
from liaison.share.markings import MARKING_IDS
from liaison.store import Store
from tests.live_server import live_server
from tests.sharing_factories import report_extraction, save
from tests.test_alert_delivery import WebhookReceiver, receiver, signature_is_valid
from tests.web.browsing import PASSWORD, serving

PEOPLE = {"person": "Ada Quill", "organization": "Harbour Police", "group": "Ring Nine"}
__all__ = ["receiver"]  # the fixture, imported for this module's tests

SENDER = "identity--" + str(uuid.uuid5(uuid.NAMESPACE_URL, "zulu"))
STAMP = "2026-11-20T10:00:00.000Z"


@pytest.fixture
def home(store: Store, settings: Settings) -> Store:
    """Home (analyst ``ana``), partner Bravo under a GREEN agreement (user ``pat``), and a stored report
    naming Ring Nine, so that both may watch it."""
    store.add_organization("Home", home=True)
    store.add_organization("Bravo")
    store.set_agreement("Bravo", TLP.GREEN)
    password = hash_password(PASSWORD)
    store.add_user("ana", "Home", AccountRole.ANALYST, password)
    store.add_user("pat", "Bravo", AccountRole.PARTNER, password)
    save(store, report("local"))
    publish(store, settings)
    return store


def report(tag: str, tlp: TLP = TLP.GREEN) -> Extraction:
    return report_extraction(tag, tlp, **PEOPLE)


@pytest.fixture
def zulu(tmp_path: Path) -> Iterator[tuple[Store, Settings]]:
    """Another Liaison instance (SQLite), home organisation Zulu: the partner whose exports we import."""
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'zulu.db'}", data_dir=tmp_path / "zulu", organization_name="Zulu"
    )
    store = Store.open(settings)
    store.add_organization("Zulu", home=True)
    yield store, settings
    store.close()


def stix_id(kind: str, name: str) -> str:
    return f"{kind}--{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def hand_made_bundle(tag: str, tlp: TLP, *, labels: tuple[str, ...] = ()) -> dict[str, Any]:
    """A partner's report on an intrusion set it calls "R9" with the alias "Ring Nine" (its own ID), and a
    location in France."""
    marking = [MARKING_IDS[tlp]]
    group = stix_id("intrusion-set", "r9")
    place = stix_id("location", "fr")
    common = {"spec_version": "2.1", "created": STAMP, "modified": STAMP, "created_by_ref": SENDER}
    objects: list[dict[str, Any]] = [
        {"type": "identity", "id": SENDER, "spec_version": "2.1", "created": STAMP, "modified": STAMP,
         "name": "Zulu", "identity_class": "organization"},
        {"type": "intrusion-set", "id": group, "name": "R9", "aliases": ["Ring Nine"],
         "object_marking_refs": [MARKING_IDS[TLP.CLEAR]], **common},
        {"type": "location", "id": place, "name": "France", "country": "FR",
         "object_marking_refs": [MARKING_IDS[TLP.CLEAR]], **common},
        {"type": "report", "id": stix_id("report", tag), "name": f"Harbour sweep {tag}",
         "description": f"R9 operators were seen laundering ransoms through port shell companies ({tag}).",
         "published": STAMP, "object_refs": [group, place], "object_marking_refs": marking,
         **({"labels": list(labels)} if labels else {}), **common},
    ]  # fmt: skip
    return {"type": "bundle", "id": stix_id("bundle", tag), "objects": objects}


def imported(store: Store, settings: Settings, bundle: dict[str, Any], sender: str = "Zulu") -> int:
    summary = sharing.import_bundle(bundle, settings, store, received_from=sender, source="test")
    assert summary.ok, summary.errors
    return summary.alerts


def test_a_partner_export_alerts_once_on_a_watched_entity_it_names(
    home: Store, settings: Settings, zulu: tuple[Store, Settings]
) -> None:
    watch, _ = watching.add_watch(home, settings, "ana", WatchKind.ENTITY, "Ring Nine")
    partner_store, partner_settings = zulu
    save(partner_store, report("z1"))
    bundle = sharing.export_bundle(partner_store, partner_settings)

    assert imported(home, settings, bundle) == 1

    [alert] = watching.alerts_of(home, "ana")
    received_report = next(o for o in bundle["objects"] if o["type"] == "report")
    assert (alert.source_kind, alert.stix_id, alert.report_id) == ("stix", received_report["id"], None)
    assert (alert.report_title, alert.tlp, alert.received_from) == ("Report z1", TLP.GREEN, "Zulu")
    assert alert.watch_id == watch.id and not alert.read
    assert alert.reason.startswith("Ring Nine (watched organization) is named in a report received from Zulu")
    kinds = {match.kind for match in alert.matches}
    assert kinds == {"mention", "event"}
    mention = next(m for m in alert.matches if m.kind == "mention")
    assert mention.label.startswith("Ring Nine (") and mention.report_id == received_report["id"]
    assert "Ring Nine" in mention.evidence
    event = next(m for m in alert.matches if m.kind == "event")
    assert "arrested Ring Nine" in event.evidence
    assert watching.unread_count(home, "ana") == 1
    assert len(watching.alerts_of(home, "pat")) == 0  # pat watches nothing

    # The same bundle again, and the same objects in a new bundle (another export): nothing new.
    assert imported(home, settings, bundle) == 0
    assert imported(home, settings, sharing.export_bundle(partner_store, partner_settings)) == 0
    assert [a.id for a in watching.alerts_of(home, "ana")] == [alert.id]

    payload = alert_delivery.alert_payload(alert)
    assert (payload["source_kind"], payload["stix_id"], payload["report_id"]) == ("stix", alert.stix_id, None)


def test_an_alias_under_another_id_matches_and_handling_rules_hold(home: Store, settings: Settings) -> None:
    for user in ("ana", "pat"):
        watching.add_watch(home, settings, user, WatchKind.ENTITY, "ring nine")
    strict, _ = watching.add_watch(home, settings, "ana", WatchKind.ENTITY, "ring nine", min_tlp=TLP.AMBER)

    assert imported(home, settings, hand_made_bundle("amber", TLP.AMBER)) == 2  # ana's two watches
    by_watch = {a.watch_id: a for a in watching.alerts_of(home, "ana")}
    assert len(by_watch) == 2 and by_watch[strict.id].tlp is TLP.AMBER
    [mention] = by_watch[strict.id].matches
    assert (mention.kind, mention.target_id) == ("mention", stix_id("intrusion-set", "r9"))
    assert mention.label == "R9 (intrusion-set)"
    assert mention.evidence.startswith("R9 operators were seen")
    # Bravo's GREEN agreement does not admit AMBER: its collection does not serve the report.
    assert watching.alerts_of(home, "pat") == [] and watching.unread_count(home, "pat") == 0

    assert imported(home, settings, hand_made_bundle("green", TLP.GREEN)) == 2  # ana's first watch, pat
    [pats] = watching.alerts_of(home, "pat")
    assert (pats.stix_id, pats.tlp) == (stix_id("report", "green"), TLP.GREEN)
    assert len(watching.alerts_of(home, "ana")) == 3


def test_query_place_and_topic_watches_match_a_received_report(home: Store, settings: Settings) -> None:
    query, _ = watching.add_watch(home, settings, "ana", WatchKind.QUERY, "laundering ransom")
    place, _ = watching.add_watch(home, settings, "ana", WatchKind.PLACE, "fr")
    missed, _ = watching.add_watch(home, settings, "ana", WatchKind.QUERY, "submarine")
    topic, _ = watching.add_watch(home, settings, "ana", WatchKind.TOPIC, "cybercrime")

    imported(home, settings, hand_made_bundle("q", TLP.GREEN, labels=("cybercrime",)))

    by_watch = {a.watch_id: a for a in watching.alerts_of(home, "ana")}
    assert set(by_watch) == {query.id, place.id, topic.id}
    [about] = by_watch[topic.id].matches
    assert (about.kind, about.label) == ("topic", "report about cybercrime")
    assert by_watch[topic.id].reason == "A report received from Zulu is about cybercrime"
    assert by_watch[query.id].matches[0].kind == "query"
    assert "laundering" in by_watch[query.id].matches[0].evidence
    [where] = by_watch[place.id].matches
    assert (where.kind, where.target_id, where.label) == (
        "place",
        stix_id("location", "fr"),
        "France (location)",
    )
    assert missed.id not in by_watch


def test_received_alerts_are_listed_until_the_object_is_no_longer_readable(
    home: Store, settings: Settings
) -> None:
    watching.add_watch(home, settings, "pat", WatchKind.ENTITY, "ring nine")
    imported(home, settings, hand_made_bundle("green", TLP.GREEN))
    assert watching.unread_count(home, "pat") == 1
    home.remove_agreement("Bravo")  # no agreement, no GREEN: the report leaves Bravo's collection
    publish(home, settings)
    assert watching.alerts_of(home, "pat") == [] and watching.unread_count(home, "pat") == 0


def test_a_partner_pull_raises_the_alert_once(tmp_path: Path, zulu: tuple[Store, Settings]) -> None:
    """Two instances on loopback: Bravo pulls from Zulu's TAXII server and its analyst is alerted."""
    partner_store, partner_settings = zulu
    partner_store.add_organization("Bravo")
    partner_store.set_agreement("Bravo", TLP.GREEN)
    partner_store.add_user("bravo-puller", "Bravo", AccountRole.PARTNER, None)
    token, _ = create_token(partner_store, "bravo-puller", "pulls from Zulu")
    save(partner_store, report("pulled"))
    save(partner_store, report_extraction("withheld", TLP.AMBER, person="Bo Lind", group="Vale Crew"))
    publish(partner_store, partner_settings)

    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'bravo.db'}",
        data_dir=tmp_path / "bravo",
        organization_name="Bravo",
    )
    store = Store.open(settings)
    try:
        store.add_organization("Bravo", home=True)
        store.add_user("ana", "Bravo", AccountRole.ANALYST, None)
        save(store, report("local"))
        publish(store, settings)
        watching.add_watch(store, settings, "ana", WatchKind.ENTITY, "Ring Nine")
        with live_server(partner_settings, partner_store) as base:
            store.add_partner("Zulu", f"{base}/taxii2/api/", token)
            first = partners.pull(store, settings, "Zulu", allow_private=True)
            assert first.ok, first.errors
            again = partners.pull(store, settings, "Zulu", allow_private=True)
            assert again.ok and again.stored == 0
        [alert] = watching.alerts_of(store, "ana")
        assert (alert.report_title, alert.received_from, alert.tlp) == ("Report pulled", "Zulu", TLP.GREEN)
        mention = next(m for m in alert.matches if m.kind == "mention")
        assert mention.target_id is not None and mention.label.startswith("Ring Nine (")
        assert "Vale Crew" not in repr(watching.alerts_of(store, "ana"))
    finally:
        store.close()


def test_a_received_report_naming_the_entity_only_in_its_text_alerts(
    home: Store, settings: Settings, zulu: tuple[Store, Settings]
) -> None:
    """A partner shares a GREEN report but not the entity object, marked AMBER by another of its reports:
    the name in the report's words is the match."""
    watching.add_watch(home, settings, "ana", WatchKind.ENTITY, "Ring Nine")
    partner_store, partner_settings = zulu
    save(partner_store, report("shared"))
    save(partner_store, report("kept", TLP.AMBER))
    bundle = sharing.export_bundle(partner_store, partner_settings, tlp_max=TLP.GREEN)
    assert not any(o.get("name") == "Ring Nine" for o in bundle["objects"])

    assert imported(home, settings, bundle) == 1
    [alert] = watching.alerts_of(home, "ana")
    mention = next(m for m in alert.matches if m.kind == "mention")
    assert (mention.target_id, mention.label) == (None, "“Ring Nine” in the report's text")
    assert mention.evidence == "Harbour Police arrested Ring Nine members on Tuesday."


def test_the_api_and_the_alerts_page_show_a_received_objects_alert_without_a_report_link(
    home: Store, settings: Settings
) -> None:
    watching.add_watch(home, settings, "ana", WatchKind.ENTITY, "ring nine")
    imported(home, settings, hand_made_bundle("shown", TLP.GREEN))
    received = stix_id("report", "shown")
    token, _ = create_token(home, "ana")
    with serving(settings, home) as site:
        page = httpx.get(f"{site.url}/api/alerts", headers={"Authorization": f"Bearer {token}"}).json()
        [item] = page["items"]
        assert (item["source_kind"], item["stix_id"], item["report_id"]) == ("stix", received, None)
        assert (item["received_from"], item["report_title"], page["unread"]) == (
            "Zulu",
            "Harbour sweep shown",
            1,
        )
        html = site.logged_in("ana").get("/alerts").text
    assert f'data-stix-id="{received}"' in html and "received from Zulu" in html
    assert "/reports/" not in html  # a partner's object has no report page
    assert stix_id("intrusion-set", "r9") in html


def test_a_lone_entity_alerts_once_and_an_old_report_is_not_looked_at_again(
    home: Store, settings: Settings
) -> None:
    watching.add_watch(home, settings, "ana", WatchKind.ENTITY, "ring nine")
    bundle = hand_made_bundle("lone", TLP.GREEN)
    sender, group = (
        next(o for o in bundle["objects"] if o["type"] == t) for t in ("identity", "intrusion-set")
    )
    only_group = {**bundle, "id": stix_id("bundle", "only"), "objects": [sender, group]}

    assert imported(home, settings, only_group) == 1
    [alert] = watching.alerts_of(home, "ana")
    assert (alert.stix_id, alert.report_title) == (group["id"], "R9")
    assert alert.reason == (
        "Ring Nine (watched organization) is named in an intrusion-set received from Zulu"
        " as R9 (intrusion-set)"
    )

    later = {**group, "modified": "2026-11-21T10:00:00.000Z", "aliases": ["Ring Nine", "Nine Ring"]}
    assert (
        imported(home, settings, {**only_group, "id": stix_id("bundle", "later"), "objects": [sender, later]})
        == 0
    )


def test_liaisons_own_report_coming_back_from_a_partner_does_not_alert_again(
    home: Store, settings: Settings
) -> None:
    watching.add_watch(home, settings, "ana", WatchKind.ENTITY, "Ring Nine")
    save(home, report("ours"))
    publish(home, settings)
    assert len(watching.check_new_reports(home, settings, [report("ours").report.id])) == 1
    # A partner re-shares what it received from us: already alerted when we ingested it.
    assert imported(home, settings, sharing.export_bundle(home, settings)) == 0


def test_the_cli_imports_a_bundle_lists_the_alert_and_the_webhook_receives_it_signed(
    tmp_path: Path, receiver: WebhookReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIAISON_WEBHOOK_ALLOW_PRIVATE", "1")
    monkeypatch.setenv("HOOK_SECRET", "the receiver's secret")
    receiver.statuses = [204]
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    with Store.open(Settings(database_url=db)) as store:
        store.add_organization("Home", home=True)
        store.add_user("ana", "Home", AccountRole.ANALYST, None)
        save(store, report("local"))
        publish(store, Settings(database_url=db))
    file = tmp_path / "zulu.json"
    file.write_text(json.dumps(hand_made_bundle("cli", TLP.GREEN)), encoding="utf-8")

    def liaison(*args: str) -> str:
        result = CliRunner().invoke(app, ["--db", db, *args], catch_exceptions=False)
        assert result.exit_code == 0, result.stderr
        return result.stdout

    watch_args = ("--user", "ana", "--webhook", receiver.url, "--webhook-secret-env", "HOOK_SECRET")
    liaison("watch", "add", "Ring Nine", *watch_args)
    assert "1 alert(s) raised on watches" in liaison("import", "stix", str(file), "--from", "Zulu")
    assert "alert" not in liaison("import", "stix", str(file), "--from", "Zulu")

    listed = liaison("alerts", "--user", "ana")
    assert f"received from Zulu: {stix_id('report', 'cli')}" in listed and "Harbour sweep cli" in listed
    [delivered] = receiver.received
    assert signature_is_valid("the receiver's secret", delivered)
    body = json.loads(delivered.body)
    assert (body["source_kind"], body["stix_id"], body["report_id"]) == (
        "stix",
        stix_id("report", "cli"),
        None,
    )
