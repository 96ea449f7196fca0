"""Watches and the alerts they raise: what matches, once per report group, and only what the watcher
may read. Reports are hand-made extractions (no NLP model), published as ingestion publishes them; the
last test ingests real reports through ``services.ingest_reports``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from liaison import services, watching
from liaison.accounts import hash_password
from liaison.domain import TLP, AccountRole, Extraction, NearDuplicate, WatchKind
from liaison.errors import InputError, NotFound
from liaison.publishing import publish
from liaison.settings import Settings
from liaison.store import Store
from tests.conftest import DEMO_CORPUS, FIXED_TIME
from tests.ingest.test_duplicates import syndicated_copy
from tests.sharing_factories import report_extraction, save

PEOPLE = {"person": "Ada Quill", "organization": "Harbour Police", "group": "Ring Nine"}


@pytest.fixture
def home(store: Store) -> Store:
    """A home organisation with analyst ``ana``; partner Bravo (GREEN agreement) with user ``pat``; and
    partner Charlie, without users, to name as the recipient of RED reports."""
    store.add_organization("Home", home=True)
    store.add_organization("Bravo")
    store.add_organization("Charlie")
    store.set_agreement("Bravo", TLP.GREEN)
    password = hash_password("correct horse battery")
    store.add_user("ana", "Home", AccountRole.ANALYST, password)
    store.add_user("pat", "Bravo", AccountRole.PARTNER, password)
    return store


def report(tag: str, tlp: TLP = TLP.GREEN, recipients: tuple[str, ...] = ()) -> Extraction:
    return report_extraction(tag, tlp, recipients=recipients, **PEOPLE)


def stored(store: Store, settings: Settings, *extractions: Extraction, **kwargs: object) -> list[str]:
    """Store and publish reports as an ingest does; their ids."""
    for extraction in extractions:
        if kwargs:
            assert store.save_extraction(extraction, **kwargs)  # type: ignore[arg-type]
        else:
            save(store, extraction)
    publish(store, settings)
    return [extraction.report.id for extraction in extractions]


def test_an_entity_watch_alerts_once_for_a_new_report_with_what_matched_and_why(
    home: Store, settings: Settings
) -> None:
    stored(home, settings, report("before"))
    watch, secret = watching.add_watch(home, settings, "ana", WatchKind.ENTITY, "ring nine")
    assert (watch.label, watch.user, secret) == ("Ring Nine (organization)", "ana", None)
    [new] = stored(home, settings, report("new"))

    [alert] = watching.check_new_reports(home, settings, [new])

    assert (alert.report_id, alert.watch_id, alert.user, alert.read) == (new, watch.id, "ana", False)
    assert alert.reason == (
        "Ring Nine (watched organization) is a participant in a COERCE event, is the subject of 1 figure"
        " and is mentioned 1 time"
    )
    by_kind = {match.kind: match for match in alert.matches}
    assert sorted(by_kind) == ["claim", "event", "mention"]
    assert by_kind["event"].evidence == (
        "Harbour Police arrested Ring Nine members on Tuesday. Police seized 34 servers. Ref new."
    )
    assert by_kind["claim"].label == "34 servers"
    assert by_kind["mention"].target_id == watch.value
    assert watching.unread_count(home, "ana") == 1
    # Storing the same report again raises nothing more.
    assert watching.check_new_reports(home, settings, [new]) == []
    assert [a.id for a in watching.alerts_of(home, "ana")] == [alert.id]


def test_a_near_duplicate_of_an_alerted_report_does_not_alert_again(home: Store, settings: Settings) -> None:
    stored(home, settings, report("before"))
    watching.add_watch(home, settings, "ana", WatchKind.ENTITY, "Ring Nine")
    [original] = stored(home, settings, report("original"))
    assert len(watching.check_new_reports(home, settings, [original])) == 1
    [copy] = stored(home, settings, report("copy"), near_duplicate=NearDuplicate(original, 0.93))

    assert watching.check_new_reports(home, settings, [copy]) == []
    # ...while a report that is not a copy still alerts
    [other] = stored(home, settings, report("other"))
    assert len(watching.check_new_reports(home, settings, [other])) == 1


def test_a_report_retelling_only_alerted_events_does_not_alert_again(home: Store, settings: Settings) -> None:
    first = report("first")
    stored(home, settings, report("before"))
    watching.add_watch(home, settings, "ana", WatchKind.TOPIC, "Cybercrime")
    stored(home, settings, first)
    [alert] = watching.check_new_reports(home, settings, [first.report.id])
    assert [m.kind for m in alert.matches] == ["topic", "event"]
    retelling = report("retelling")
    save(home, retelling, same_event_as=first)
    publish(home, settings)

    assert watching.check_new_reports(home, settings, [retelling.report.id]) == []


def test_no_alert_for_a_report_above_the_watchers_clearance(home: Store, settings: Settings) -> None:
    stored(home, settings, report("before"))  # GREEN: both organisations read the entity
    analyst, _ = watching.add_watch(home, settings, "ana", WatchKind.ENTITY, "Ring Nine")
    partner, _ = watching.add_watch(home, settings, "pat", WatchKind.ENTITY, "Ring Nine")

    [amber] = stored(home, settings, report("amber", TLP.AMBER))
    assert [a.watch_id for a in watching.check_new_reports(home, settings, [amber])] == [analyst.id]

    [red_elsewhere] = stored(home, settings, report("red-charlie", TLP.RED, ("Charlie",)))
    assert watching.check_new_reports(home, settings, [red_elsewhere]) == []

    [red_bravo] = stored(home, settings, report("red-bravo", TLP.RED, ("Bravo",)))
    assert [a.watch_id for a in watching.check_new_reports(home, settings, [red_bravo])] == [partner.id]
    assert watching.unread_count(home, "pat") == 1
    assert {a.report_id for a in watching.alerts_of(home, "pat")} == {red_bravo}


def test_a_partner_cannot_watch_what_it_cannot_read(home: Store, settings: Settings) -> None:
    stored(home, settings, report_extraction("secret", TLP.AMBER, group="Quiet Crew"))
    with pytest.raises(NotFound, match="no entity named"):
        watching.add_watch(home, settings, "pat", WatchKind.ENTITY, "Quiet Crew")
    watch, _ = watching.add_watch(home, settings, "ana", WatchKind.ENTITY, "Quiet Crew")
    assert watch.label == "Quiet Crew (organization)"
    with pytest.raises(InputError, match="known topics: none yet"):
        watching.add_watch(home, settings, "pat", WatchKind.TOPIC, "cybercrime")


def test_min_tlp_limits_a_watch_to_restricted_reporting(home: Store, settings: Settings) -> None:
    watch, _ = watching.add_watch(home, settings, "ana", WatchKind.QUERY, "servers", min_tlp=TLP.AMBER)
    green, amber = stored(home, settings, report("green"), report("amber", TLP.AMBER))

    [alert] = watching.check_new_reports(home, settings, [green, amber])
    assert (alert.report_id, alert.tlp, alert.watch_id) == (amber, TLP.AMBER, watch.id)
    [match] = alert.matches
    assert match.kind == "query" and "[servers]" in match.evidence
    assert alert.reason == "the report's text matches the watched query “servers”"


def test_place_and_topic_watches(home: Store, settings: Settings) -> None:
    stored(home, settings, report("before"))
    by_name, _ = watching.add_watch(home, settings, "ana", WatchKind.PLACE, "France")
    by_code, _ = watching.add_watch(home, settings, "ana", WatchKind.PLACE, "fr")
    elsewhere, _ = watching.add_watch(home, settings, "ana", WatchKind.PLACE, "Atlantis")
    assert (by_name.value, by_name.label, by_code.value) == ("FR", "France (FR)", "FR")
    with pytest.raises(InputError, match="known topics: cybercrime"):
        watching.add_watch(home, settings, "ana", WatchKind.TOPIC, "piracy")
    [new] = stored(home, settings, report("new"))

    alerts = watching.check_new_reports(home, settings, [new])

    assert sorted(a.watch_id for a in alerts) == sorted([by_name.id, by_code.id])
    assert elsewhere.id not in {a.watch_id for a in alerts}
    assert [m.kind for m in alerts[0].matches] == ["event", "place"]
    assert alerts[0].reason.endswith(": 1 event took place there and the report mentions it")


def test_an_ambiguous_name_lists_the_candidates(home: Store, settings: Settings) -> None:
    stored(
        home,
        settings,
        report_extraction("a-person", TLP.GREEN, person="Nova Star"),
        report_extraction("a-group", TLP.GREEN, person="Ada Quill", group="Nova Star"),
    )
    with pytest.raises(InputError, match="several entities") as raised:
        watching.add_watch(home, settings, "ana", WatchKind.ENTITY, "nova star")
    assert "Nova Star (person, " in str(raised.value) and "Nova Star (organization, " in str(raised.value)
    with pytest.raises(NotFound):
        watching.add_watch(home, settings, "ana", WatchKind.ENTITY, "Nobody Known")
    with pytest.raises(InputError, match="at least one word"):
        watching.add_watch(home, settings, "ana", WatchKind.QUERY, "&& ||")


def test_watches_and_alerts_belong_to_their_user(home: Store, settings: Settings) -> None:
    stored(home, settings, report("before"))
    watch, _ = watching.add_watch(home, settings, "ana", WatchKind.ENTITY, "Ring Nine")
    [new] = stored(home, settings, report("new"))
    [alert] = watching.check_new_reports(home, settings, [new])

    assert watching.watches_of(home, "pat") == []
    with pytest.raises(NotFound):
        watching.remove_watch(home, "pat", watch.id)
    with pytest.raises(NotFound):
        watching.mark_read(home, "pat", alert.id)
    assert watching.mark_read(home, "ana", alert.id[:8]) == 1
    assert watching.mark_read(home, "ana", None) == 0
    assert watching.alerts_of(home, "ana", unread_only=True) == []
    assert watching.alerts_of(home, "ana")[0].read

    assert watching.remove_watch(home, "ana", watch.id[:8]) == watch
    assert watching.watches_of(home, "ana") == []
    assert watching.alerts_of(home, "ana") == []  # they went with their watch
    actions = [(e.actor, e.action, e.target) for e in home.audit_entries()]
    assert ("ana", "watch.add", watch.id) in actions and ("ana", "watch.remove", watch.id) in actions


@pytest.fixture
def demo_copy(tmp_path: Path, sqlite_settings: Settings) -> Iterator[Path]:
    original = DEMO_CORPUS / "05_lockbit-operation-cronos.md"
    text = services.read_reports([original], sqlite_settings)[0].text  # type: ignore[union-attr]
    copy = tmp_path / "copy.md"
    copy.write_text("---\ntitle: Gang disrupted\nsource: Regional Wire\n---\n" + syndicated_copy(text, 3))
    yield copy


@pytest.mark.model
def test_real_ingestion_alerts_once_and_not_for_a_syndicated_copy(
    settings: Settings, demo_copy: Path
) -> None:
    original = DEMO_CORPUS / "05_lockbit-operation-cronos.md"
    earlier = DEMO_CORPUS / "07_lockbit-after-cronos.md"
    with Store.open(settings, clock=lambda: FIXED_TIME) as store:
        store.add_organization("Home", home=True)
        store.add_user("ana", "Home", AccountRole.ANALYST, None)
        services.ingest_paths([earlier], settings, store)
        watch, _ = watching.add_watch(store, settings, "ana", WatchKind.ENTITY, "LockBit")

        first = services.ingest_paths([original], settings, store)
        again = services.ingest_paths([original], settings, store)
        copied = services.ingest_paths([demo_copy], settings, store)

        assert (first.stored, first.alerts) == (1, 1)
        assert (again.unchanged, again.alerts) == (1, 0)
        assert (copied.stored, copied.near_duplicates, copied.alerts) == (1, 1, 0)
        [alert] = watching.alerts_of(store, "ana")
        assert alert.watch_id == watch.id and alert.reason.startswith("LockBit (watched organization)")
        assert any(match.kind == "mention" and "LockBit" in match.evidence for match in alert.matches)


def test_settings_read_the_mail_and_webhook_variables() -> None:
    read = Settings.from_environment(
        {
            "LIAISON_SMTP_HOST": "mail.example.org",
            "LIAISON_SMTP_PORT": "2525",
            "LIAISON_SMTP_FROM": "liaison@example.org",
            "LIAISON_SMTP_USER": "u",
            "LIAISON_SMTP_PASSWORD": "p",
            "LIAISON_SMTP_STARTTLS": "1",
            "LIAISON_WEBHOOK_ALLOW_PRIVATE": "1",
        }
    )
    expected = replace(
        Settings(data_dir=read.data_dir),
        smtp_host="mail.example.org",
        smtp_port=2525,
        smtp_from="liaison@example.org",
        smtp_user="u",
        smtp_password="p",
        smtp_starttls=True,
        webhook_allow_private=True,
    )
    assert read == expected


def test_a_watched_entity_merged_into_another_is_followed_under_its_new_name(
    home: Store, settings: Settings
) -> None:
    stored(home, settings, report("before"))
    watch, _ = watching.add_watch(home, settings, "ana", WatchKind.ENTITY, "Ring Nine")
    home.merge_entities(home.find_entity_id("Harbour Police"), watch.value)
    [new] = stored(home, settings, report("after-merge"))

    [alert] = watching.check_new_reports(home, settings, [new])
    assert alert.watch_id == watch.id
    assert {m.kind for m in alert.matches} >= {"mention", "event"}
