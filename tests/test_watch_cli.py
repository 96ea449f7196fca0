"""``liaison watch`` and ``liaison alerts`` end to end, over an SQLite store; reports are stored without the
NLP model and raise alerts through the hook ingestion calls."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from liaison import watching
from liaison.cli import app
from liaison.domain import TLP, AccountRole
from liaison.publishing import publish
from liaison.settings import Settings
from liaison.store import Store
from tests.sharing_factories import report_extraction, save
from tests.test_alert_delivery import WebhookReceiver, receiver, signature_is_valid

__all__ = ["receiver"]  # the fixture, imported for this module's tests

runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    with Store.open(Settings(database_url=url)) as store:
        store.add_organization("Home", home=True)
        store.add_organization("Bravo")
        store.add_user("root", "Home", AccountRole.ADMIN, None)
        store.add_user("ana", "Home", AccountRole.ANALYST, None)
        save(store, report_extraction("before", TLP.GREEN, group="Ring Nine"))
        publish(store, Settings(database_url=url))
    return url


def liaison(db: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", db, *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def as_json(db: str, *args: str) -> Any:
    code, out, err = liaison(db, *args, "--json")
    assert code == 0, err
    return json.loads(out)


def new_report(db: str, tag: str, tlp: TLP = TLP.GREEN) -> str:
    """Store a report about Ring Nine as an ingest does, alerts included; its id."""
    settings = Settings(database_url=db)
    with Store.open(settings) as store:
        extraction = report_extraction(tag, tlp, group="Ring Nine")
        save(store, extraction)
        publish(store, settings)
        watching.check_new_reports(store, settings, [extraction.report.id])
    return extraction.report.id


def test_watches_are_added_listed_and_removed_for_the_acting_user(db: str) -> None:
    code, out, err = liaison(db, "watch", "add", "ring nine")
    assert code == 0, err
    assert out.startswith("root now watches Ring Nine (organization) [entity]")
    code, out, _ = liaison(db, "watch", "add", "--topic", "cybercrime", "--user", "ana", "--min-tlp", "amber")
    assert code == 0 and "ana now watches cybercrime [topic]" in out

    [mine] = as_json(db, "watch", "list")
    [anas] = as_json(db, "watch", "list", "--user", "ana")
    assert (mine["user"], mine["kind"], mine["min_tlp"]) == ("root", "entity", None)
    assert (anas["kind"], anas["value"], anas["min_tlp"]) == ("topic", "cybercrime", "amber")

    code, _, err = liaison(db, "watch", "remove", anas["id"][:8])  # root's, not ana's
    assert code == 1 and "is not one of your watches" in err
    code, out, _ = liaison(db, "watch", "remove", anas["id"][:8], "--user", "ana")
    assert code == 0 and out.startswith(f"removed watch {anas['id'][:8]} on cybercrime")
    assert as_json(db, "watch", "list", "--user", "ana") == []


def test_bad_watches_are_refused_with_the_reason(db: str) -> None:
    code, _, err = liaison(db, "watch", "add", "--topic", "piracy")
    assert code == 1 and "unknown topic; known topics: cybercrime" in err
    code, _, err = liaison(db, "watch", "add", "Nobody Known")
    assert code == 1 and "no entity named 'Nobody Known'" in err
    code, _, err = liaison(db, "watch", "add", "Ring Nine", "--min-tlp", "purple")
    assert code == 2 and "unknown TLP level" in err
    code, _, err = liaison(db, "watch", "add", "Ring Nine", "--webhook", "http://127.0.0.1:9/hook")
    assert code == 1 and "LIAISON_WEBHOOK_ALLOW_PRIVATE" in err
    code, _, err = liaison(db, "watch", "add", "Ring Nine", "--user", "nobody")
    assert code == 1 and "no user named 'nobody'" in err
    for both in (["Ring Nine", "--topic", "cybercrime"], ["--place", "France", "--query", "ransom"], []):
        code, _, err = liaison(db, "watch", "add", *both)
        assert code == 2 and "give exactly one of ENTITY, --topic T, --place P or --query Q" in err


def test_places_and_queries_are_watched_by_their_options(db: str) -> None:
    code, out, _ = liaison(db, "watch", "add", "--place", "France", "--user", "ana")
    assert code == 0 and "[place]" in out
    code, out, _ = liaison(db, "watch", "add", "--query", "ransom demand", "--user", "ana")
    assert code == 0 and "[query]" in out
    kinds = {watch["kind"]: watch["value"] for watch in as_json(db, "watch", "list", "--user", "ana")}
    assert kinds["place"] == "FR" and kinds["query"] == "ransom demand"


def test_without_a_single_administrator_the_user_must_be_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'two.db'}"
    with Store.open(Settings(database_url=url)) as store:
        store.add_organization("Home", home=True)
        store.add_user("one", "Home", AccountRole.ADMIN, None)
        store.add_user("two", "Home", AccountRole.ADMIN, None)
    code, _, err = liaison(url, "watch", "list")
    assert code == 2 and "--user NAME or LIAISON_USER" in err
    monkeypatch.setenv("LIAISON_USER", "two")
    assert liaison(url, "watch", "list", "--json") == (0, "[]\n", "")


def test_alerts_are_listed_unread_first_and_marked_read(db: str) -> None:
    assert liaison(db, "watch", "add", "Ring Nine", "--user", "ana")[0] == 0
    first = new_report(db, "first")
    second = new_report(db, "second", TLP.AMBER)

    alerts = as_json(db, "alerts", "--user", "ana")
    assert {a["report_id"] for a in alerts} == {first, second}
    assert all(not a["read"] and a["user"] == "ana" for a in alerts)
    assert as_json(db, "alerts") == []  # root watches nothing

    code, out, _ = liaison(db, "alerts", "--user", "ana")
    assert code == 0 and "NEW " in out and "Ring Nine (watched organization) is a participant" in out
    assert "- event: COERCE event (arrest): “" in out

    code, out, _ = liaison(db, "alerts", "--user", "ana", "--read", alerts[0]["id"][:8])
    assert (code, out) == (0, "1 alert(s) marked read\n")
    unread = as_json(db, "alerts", "--user", "ana", "--unread")
    assert [a["id"] for a in unread] == [alerts[1]["id"]]
    listed = as_json(db, "alerts", "--user", "ana")
    assert [a["read"] for a in listed] == [False, True]  # unread first
    assert liaison(db, "alerts", "--user", "ana", "--read-all")[1] == "1 alert(s) marked read\n"
    assert liaison(db, "alerts", "--user", "ana", "--unread")[1] == "no unread alerts\n"
    code, _, err = liaison(db, "alerts", "--read", alerts[0]["id"][:8])  # root's alerts: not this one
    assert code == 1 and "no alert with ID" in err


def test_alerts_deliver_retries_a_webhook_that_failed(
    db: str, receiver: WebhookReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIAISON_WEBHOOK_ALLOW_PRIVATE", "1")
    monkeypatch.setenv("HOOK_SECRET", "the receiver's secret")
    receiver.statuses = [500, 204]
    code, out, err = liaison(
        db, "watch", "add", "Ring Nine", "--webhook", receiver.url, "--webhook-secret-env", "HOOK_SECRET"
    )
    assert code == 0, err
    assert "webhook secret" not in out  # given, so not shown
    settings = Settings.from_environment().with_database(db)
    with Store.open(settings) as store:
        extraction = report_extraction("hooked", TLP.GREEN, group="Ring Nine")
        save(store, extraction)
        publish(store, settings)
        [alert] = watching.check_new_reports(store, settings, [extraction.report.id])
    assert len(receiver.received) == 1  # the immediate attempt, refused

    def retry_due_at(moment: datetime) -> None:
        with Store.open(settings) as store:
            [delivery] = store.deliveries_of(alert.id)
            store.record_delivery_attempt(
                delivery.id,
                status=delivery.status,
                attempts=delivery.attempts,
                next_attempt_at=moment,
                error=delivery.last_error,
                delivered_at=None,
            )

    retry_due_at(datetime(2999, 1, 1, tzinfo=UTC))
    assert liaison(db, "alerts", "deliver") == (0, "0 attempted, 0 delivered, 0 given up, 1 to retry\n", "")
    retry_due_at(datetime(2000, 1, 1, tzinfo=UTC))
    code, out, _ = liaison(db, "alerts", "deliver", "--wait")  # returns once nothing is pending
    assert (code, out) == (0, "1 attempted, 1 delivered, 0 given up, 0 to retry\n")

    assert len(receiver.received) == 2
    assert signature_is_valid("the receiver's secret", receiver.received[-1])
    assert json.loads(receiver.received[-1].body)["id"] == alert.id
    with Store.open(settings) as store:
        [delivery] = store.deliveries_of(alert.id)
        assert (delivery.status, delivery.attempts) == ("delivered", 2)
