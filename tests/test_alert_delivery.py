"""Alert deliveries: a signed webhook POST retried with back-off through the outbox, and e-mail through a
local SMTP server. Receivers are real servers on loopback; time is injected, never waited for."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from liaison import alert_delivery, watching
from liaison.accounts import hash_password
from liaison.domain import TLP, AccountRole, Alert, WatchKind
from liaison.errors import InputError
from liaison.publishing import publish
from liaison.settings import Settings
from liaison.store import Store
from tests.conftest import FIXED_TIME
from tests.sharing_factories import report_extraction, save

SECRET = "a shared secret of the receiver"


@dataclass
class Received:
    timestamp: str
    signature: str
    body: bytes


@dataclass
class WebhookReceiver:
    """Answers each POST with the next status of ``statuses`` (the last one repeats)."""

    statuses: list[int]
    received: list[Received] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    state = WebhookReceiver(statuses=[500, 500, 204])

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.received.append(
                Received(self.headers["X-Liaison-Timestamp"], self.headers["X-Liaison-Signature"], body)
            )
            status = state.statuses[min(len(state.received), len(state.statuses)) - 1]
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/liaison"
    yield state
    server.shutdown()
    server.server_close()


def signature_is_valid(secret: str, received: Received) -> bool:
    """What a receiver does: recompute the HMAC over ``timestamp.body`` and compare in constant time."""
    expected = hmac.new(secret.encode(), received.timestamp.encode() + b"." + received.body, hashlib.sha256)
    return hmac.compare_digest("sha256=" + expected.hexdigest(), received.signature)


@pytest.fixture
def allowed(settings: Settings) -> Settings:
    return replace(settings, webhook_allow_private=True)


def raise_alert(store: Store, settings: Settings, **delivery: Any) -> tuple[Alert, str | None]:
    """Ana watches a group; a new report about it raises one alert (its first delivery attempt included)."""
    store.add_organization("Home", home=True)
    store.add_user("ana", "Home", AccountRole.ANALYST, hash_password("correct horse battery"))
    save(store, report_extraction("before", TLP.GREEN, group="Ring Nine"))
    publish(store, settings)
    _, secret = watching.add_watch(store, settings, "ana", WatchKind.ENTITY, "Ring Nine", **delivery)
    new = report_extraction("new", TLP.AMBER, group="Ring Nine")
    save(store, new)
    publish(store, settings)
    [alert] = watching.check_new_reports(store, settings, [new.report.id])
    return alert, secret


def test_a_webhook_is_signed_and_retried_with_back_off_until_it_is_accepted(
    store: Store, allowed: Settings, receiver: WebhookReceiver
) -> None:
    alert, secret = raise_alert(store, allowed, webhook_url=receiver.url)
    assert secret is not None and len(secret) >= 32  # generated, shown once

    # The immediate attempt was refused (500): the next one is due 30 s later, not before.
    [delivery] = store.deliveries_of(alert.id)
    assert (delivery.status, delivery.attempts, delivery.last_error) == (
        "pending",
        1,
        "the webhook answered HTTP 500",
    )
    assert delivery.next_attempt_at == FIXED_TIME + timedelta(seconds=30)
    not_yet = alert_delivery.deliver_due(store, allowed, now=FIXED_TIME + timedelta(seconds=29))
    assert (not_yet.attempted, len(receiver.received)) == (0, 1)

    second = alert_delivery.deliver_due(store, allowed, now=FIXED_TIME + timedelta(seconds=30))
    assert (second.attempted, second.delivered, second.still_pending) == (1, 0, 1)
    [delivery] = store.deliveries_of(alert.id)
    assert delivery.next_attempt_at == FIXED_TIME + timedelta(seconds=30) + timedelta(minutes=2)

    third_at = FIXED_TIME + timedelta(seconds=150)
    third = alert_delivery.deliver_due(store, allowed, now=third_at)
    assert (third.attempted, third.delivered, third.still_pending) == (1, 1, 0)
    [delivery] = store.deliveries_of(alert.id)
    assert (delivery.status, delivery.attempts, delivery.delivered_at, delivery.next_attempt_at) == (
        "delivered",
        3,
        third_at,
        None,
    )
    assert alert_delivery.deliver_due(store, allowed, now=FIXED_TIME + timedelta(days=1)).attempted == 0

    assert len(receiver.received) == 3
    assert all(signature_is_valid(secret, received) for received in receiver.received)
    assert not signature_is_valid("another secret", receiver.received[-1])
    body = json.loads(receiver.received[-1].body)
    assert (body["id"], body["report_id"], body["tlp"], body["reason"]) == (
        alert.id,
        alert.report_id,
        "amber",
        alert.reason,
    )
    assert {match["kind"] for match in body["matches"]} == {"mention", "event", "claim"}
    assert receiver.received[-1].timestamp == str(int(third_at.timestamp()))
    attempts = [e for e in store.audit_entries() if e.action == "alert.deliver"]
    assert [(e.actor, e.target, e.detail["status"]) for e in attempts] == [
        ("ana", alert.id, "pending"),
        ("ana", alert.id, "pending"),
        ("ana", alert.id, "delivered"),
    ]


def test_a_given_secret_signs_and_a_failing_webhook_is_given_up_after_the_last_attempt(
    store: Store, allowed: Settings, receiver: WebhookReceiver
) -> None:
    receiver.statuses = [503]
    alert, generated = raise_alert(store, allowed, webhook_url=receiver.url, webhook_secret=SECRET)
    assert generated is None
    moment = FIXED_TIME
    for _ in range(alert_delivery.MAX_ATTEMPTS):
        [delivery] = store.deliveries_of(alert.id)
        if delivery.next_attempt_at is None:
            break
        moment = delivery.next_attempt_at
        alert_delivery.deliver_due(store, allowed, now=moment)
    [delivery] = store.deliveries_of(alert.id)
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (
        "failed",
        alert_delivery.MAX_ATTEMPTS,
        None,
    )
    assert len(receiver.received) == alert_delivery.MAX_ATTEMPTS
    assert signature_is_valid(SECRET, receiver.received[0])
    # back-off: 30 s, then four times longer each time
    assert [alert_delivery.retry_delay(n).total_seconds() for n in (1, 2, 3)] == [30, 120, 480]


def test_webhooks_to_private_addresses_are_refused_unless_allowed(settings: Settings) -> None:
    with pytest.raises(InputError, match="private address"):
        alert_delivery.check_webhook_url("http://127.0.0.1:9/hook", settings)
    with pytest.raises(InputError, match="http"):
        alert_delivery.check_webhook_url("ftp://example.org/hook", settings)
    alert_delivery.check_webhook_url("http://127.0.0.1:9/hook", replace(settings, webhook_allow_private=True))


def test_a_webhook_that_cannot_be_reached_does_not_fail_the_check(store: Store, allowed: Settings) -> None:
    with socket.socket() as unused:  # a port nobody listens on
        unused.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{unused.getsockname()[1]}/hook"
    alert, _ = raise_alert(store, allowed, webhook_url=url)
    [delivery] = store.deliveries_of(alert.id)
    assert delivery.status == "pending" and delivery.last_error and "cannot connect" in delivery.last_error


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd API
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Mailbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


def test_an_alert_is_e_mailed_through_the_smtp_server(
    store: Store, settings: Settings, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    mailing = replace(settings, smtp_host="127.0.0.1", smtp_port=port, smtp_from="liaison@example.org")
    alert, _ = raise_alert(store, mailing, email="analyst@example.org")

    [(sender, recipients, content)] = box.messages
    assert (sender, recipients) == ("liaison@example.org", ["analyst@example.org"])
    message = message_from_bytes(content)
    assert message["Subject"] == f"[Liaison alert, TLP:AMBER] {alert.report_title}"
    text = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert alert.reason in text and "TLP:AMBER" in text and "34 servers" in text
    [delivery] = store.deliveries_of(alert.id)
    assert (delivery.channel, delivery.status, delivery.attempts) == ("email", "delivered", 1)


def test_without_a_mail_server_the_e_mail_waits_in_the_outbox(store: Store, settings: Settings) -> None:
    alert, _ = raise_alert(store, settings, email="analyst@example.org")
    [delivery] = store.deliveries_of(alert.id)
    assert delivery.status == "pending" and "LIAISON_SMTP_HOST" in (delivery.last_error or "")
    with pytest.raises(InputError, match="not an e-mail address"):
        watching.add_watch(store, settings, "ana", WatchKind.QUERY, "servers", email="not-an-address")


def test_a_failing_webhook_is_tried_once_per_ingest_however_many_alerts_it_has(
    store: Store, allowed: Settings, receiver: WebhookReceiver
) -> None:
    receiver.statuses = [500]
    store.add_organization("Home", home=True)
    store.add_user("ana", "Home", AccountRole.ANALYST, None)
    save(store, report_extraction("before", TLP.GREEN, group="Ring Nine"))
    publish(store, allowed)
    for value, kind in (("Ring Nine", WatchKind.ENTITY), ("cybercrime", WatchKind.TOPIC)):
        watching.add_watch(
            store, allowed, "ana", kind, value, webhook_url=receiver.url, webhook_secret=SECRET
        )
    new = report_extraction("new", TLP.GREEN, group="Ring Nine")
    save(store, new)
    publish(store, allowed)

    alerts = watching.check_new_reports(store, allowed, [new.report.id])

    assert len(alerts) == 2 and len(receiver.received) == 1
    deliveries = [d for alert in alerts for d in store.deliveries_of(alert.id)]
    assert sorted(d.attempts for d in deliveries) == [0, 1]
    assert {d.status for d in deliveries} == {"pending"}
    # the next pass tries both
    assert alert_delivery.deliver_due(store, allowed, now=FIXED_TIME + timedelta(minutes=1)).attempted == 2


def test_two_passes_that_read_the_same_due_delivery_send_it_once(
    store: Store, allowed: Settings, receiver: WebhookReceiver
) -> None:
    # The serve thread and `liaison alerts deliver` may read the outbox at the same moment.
    receiver.statuses = [500, 204]
    alert, _ = raise_alert(store, allowed, webhook_url=receiver.url)
    due_at = FIXED_TIME + timedelta(seconds=30)
    seen_by_both = store.due_deliveries(due_at)
    first = alert_delivery._run(store, allowed, seen_by_both, due_at)
    second = alert_delivery._run(store, allowed, seen_by_both, due_at)
    assert (first.attempted, first.delivered, second.attempted) == (1, 1, 0)
    assert len(receiver.received) == 2  # the immediate attempt and one retry, not two
    [delivery] = store.deliveries_of(alert.id)
    assert (delivery.status, delivery.attempts) == ("delivered", 2)
