"""Delivering alerts by webhook and e-mail through the outbox, with exponential back-off.

Each alert's deliveries are tried once right after it is recorded (a short timeout, never failing the
ingest that raised it), then by ``deliver_due``: ``liaison alerts deliver`` and the background thread of
``liaison serve``. A failed attempt ``n`` is retried ``30 s × 4^(n-1)`` later (30 s, 2 min, 8 min...);
after ``MAX_ATTEMPTS`` the delivery is marked failed. Every attempt is audited.

A webhook is an HTTP POST of the alert as JSON, with ``X-Liaison-Timestamp`` (Unix seconds) and
``X-Liaison-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>``: the receiver checks the
signature and refuses old timestamps. Webhook hosts must resolve to public addresses unless
``LIAISON_WEBHOOK_ALLOW_PRIVATE=1``; redirects are not followed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import smtplib
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import httpx

from liaison.domain import Alert, deterministic_id
from liaison.errors import InputError, LiaisonError
from liaison.ingest.http import is_public_address, resolve
from liaison.settings import Settings
from liaison.store import Store
from liaison.store.watches import DeliveryRecord, WatchRecord

MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
BACKOFF_FACTOR = 4
TIMEOUT_SECONDS = 5.0
ERROR_SHOWN = 300  # characters of an error kept in the outbox
_SUCCESS = range(200, 300)
_EMAIL = re.compile(r"[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+")


class DeliveryError(LiaisonError):
    """One delivery attempt failed; the message says why (kept as ``last_error``)."""


@dataclass(frozen=True)
class DeliverySummary:
    attempted: int
    delivered: int
    failed: int  # gave up after the last attempt
    still_pending: int  # deliveries in the outbox waiting for a retry, after this pass


def retry_delay(attempts: int) -> timedelta:
    """How long after failed attempt number ``attempts`` (1-based) the next one is due."""
    factor: int = BACKOFF_FACTOR ** max(0, attempts - 1)
    return FIRST_RETRY * factor


def check_webhook_url(url: str, settings: Settings) -> None:
    """Refuse a webhook URL that is not http(s) or, unless allowed, whose host is on a private network."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as error:
        raise InputError(url, f"invalid webhook URL: {error}") from error
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise InputError(url, "a webhook URL is an http:// or https:// URL with a host")
    if not settings.webhook_allow_private:
        _public_addresses(url, parsed)


def check_email_address(address: str) -> str:
    cleaned = address.strip()
    if not _EMAIL.fullmatch(cleaned):
        raise InputError(address, "not an e-mail address (name@example.org)")
    return cleaned


def _public_addresses(url: str, parsed: httpx.URL) -> list[Any]:
    host = parsed.raw_host.decode("ascii")
    try:
        addresses = resolve(host, parsed.port or (443 if parsed.scheme == "https" else 80))
    except OSError as error:
        raise InputError(url, f"cannot resolve the webhook host: {error}") from error
    for address in addresses:
        if not is_public_address(address):
            raise InputError(
                url,
                f"refused: {host} resolves to a private address, {address} "
                "(set LIAISON_WEBHOOK_ALLOW_PRIVATE=1 for a receiver on a private network)",
            )
    return addresses


def alert_payload(alert: Alert) -> dict[str, Any]:
    """The alert as the JSON a webhook receives and an e-mail summarises."""
    return {
        "id": alert.id,
        "watch_id": alert.watch_id,
        "user": alert.user,
        "created": alert.created.isoformat(),
        "source_kind": alert.source_kind,
        "report_id": alert.report_id,
        "stix_id": alert.stix_id,
        "received_from": alert.received_from,
        "report_title": alert.report_title,
        "tlp": alert.tlp.value,
        "reason": alert.reason,
        "matches": [asdict(match) for match in alert.matches],
    }


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Liaison-Signature`` value of ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def _post_webhook(url: str, secret: str, alert: Alert, settings: Settings, now: datetime) -> None:
    body = json.dumps(alert_payload(alert), ensure_ascii=False, sort_keys=True).encode("utf-8")
    timestamp = str(int(now.timestamp()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Liaison alerts",
        "X-Liaison-Timestamp": timestamp,
        "X-Liaison-Signature": sign(secret, timestamp, body),
    }
    try:
        parsed = httpx.URL(url)
        addresses = (
            [None] if settings.webhook_allow_private else _public_addresses(url, parsed)
        )  # checked now, connected to as checked: a name cannot turn private in between
        host = parsed.raw_host.decode("ascii")
        with httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False, trust_env=False) as client:
            failure: Exception | None = None
            for address in addresses:
                target = parsed if address is None else parsed.copy_with(host=str(address))
                extensions = {"sni_hostname": host} if parsed.scheme == "https" else {}
                request = client.build_request(
                    "POST",
                    target,
                    content=body,
                    headers={**headers, "Host": parsed.netloc.decode("ascii")},
                    extensions=extensions,
                )
                try:
                    response = client.send(request)
                except (httpx.ConnectError, httpx.ConnectTimeout) as error:
                    failure = error
                    continue
                if response.status_code not in _SUCCESS:
                    raise DeliveryError(f"the webhook answered HTTP {response.status_code}")
                return
            raise DeliveryError(f"cannot connect: {failure}")
    except InputError as error:
        raise DeliveryError(str(error)) from error
    except (httpx.HTTPError, httpx.InvalidURL, ValueError) as error:
        raise DeliveryError(f"the request failed: {type(error).__name__}: {error}") from error


def _send_email(address: str, alert: Alert, settings: Settings) -> None:
    if not settings.smtp_host or not settings.smtp_from:
        raise DeliveryError("no mail server: set LIAISON_SMTP_HOST and LIAISON_SMTP_FROM")
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = address
    message["Subject"] = f"[Liaison alert, TLP:{alert.tlp.value.upper()}] {alert.report_title}"[:200]
    lines = [
        alert.reason + ".",
        "",
        f"Report: {alert.report_title} ({alert.report_id})"
        if alert.stix_id is None
        else f"Received from {alert.received_from}: {alert.report_title} ({alert.stix_id})",
        f"Marking: TLP:{alert.tlp.value.upper()} — handle it accordingly.",
        "",
        "What matched:",
    ]
    lines.extend(f"- {match.kind}: {match.label}\n  “{match.evidence}”" for match in alert.matches)
    message.set_content("\n".join(lines))
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT_SECONDS) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password)
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise DeliveryError(f"the mail server refused or failed: {error}") from error


def _attempt(
    store: Store, settings: Settings, delivery: DeliveryRecord, now: datetime
) -> tuple[bool, bool] | None:
    """One attempt at one delivery: (delivered, given up); None if another pass took it meanwhile."""
    context = store.alert_context(delivery.alert_id)
    if context is None:  # the watch or the report went away meanwhile
        store.record_delivery_attempt(
            delivery.id,
            status="failed",
            attempts=delivery.attempts,
            next_attempt_at=None,
            error="the alert no longer exists",
            delivered_at=None,
        )
        return False, True
    record, alert = context
    attempts = delivery.attempts + 1
    # Claimed by counting the attempt first: of two passes that read the same row (the serve thread and
    # `liaison alerts deliver`), only one sends; a pass killed mid-send leaves the delivery due again.
    if not store.claim_delivery_attempt(delivery.id, delivery.attempts):
        return None
    error: str | None = None
    try:
        if delivery.channel == "webhook":
            _post_webhook(delivery.target, _secret(record), alert, settings, now)
        else:
            _send_email(delivery.target, alert, settings)
    except DeliveryError as failure:
        error = str(failure)[:ERROR_SHOWN]
    delivered = error is None
    given_up = not delivered and attempts >= MAX_ATTEMPTS
    status = "delivered" if delivered else "failed" if given_up else "pending"
    store.record_delivery_attempt(
        delivery.id,
        status=status,
        attempts=attempts,
        next_attempt_at=None if delivered or given_up else now + retry_delay(attempts),
        error=error,
        delivered_at=now if delivered else None,
    )
    store.append_audit(
        alert.user,
        "alert.deliver",
        alert.id,
        {
            "channel": delivery.channel,
            "target": delivery.target,
            "attempt": attempts,
            "status": status,
            "error": error,
        },
    )
    return delivered, given_up


def _secret(record: WatchRecord) -> str:
    if not record.webhook_secret:
        raise DeliveryError("the watch has no webhook secret")
    return record.webhook_secret


def _run(
    store: Store,
    settings: Settings,
    deliveries: Sequence[DeliveryRecord],
    now: datetime,
    skip_failing_targets: bool = False,
) -> DeliverySummary:
    """Attempt each delivery; with ``skip_failing_targets``, a receiver that failed once in this pass is
    not tried again in it (its other deliveries stay due), so a dead webhook delays an ingest once."""
    delivered = failed = attempted = 0
    failing: set[tuple[str, str]] = set()
    for delivery in deliveries:
        target = (delivery.channel, delivery.target)
        if skip_failing_targets and target in failing:
            continue
        outcome = _attempt(store, settings, delivery, now)
        if outcome is None:
            continue
        ok, given_up = outcome
        attempted += 1
        delivered += ok
        failed += given_up
        if not ok:
            failing.add(target)
    return DeliverySummary(attempted, delivered, failed, store.pending_delivery_count())


def record_alert(store: Store, record: WatchRecord, alert: Alert, dedupe_key: str) -> bool:
    """Store a new alert with one pending delivery per channel of its watch; False if it is there already."""
    watch = record.watch
    deliveries = []
    if watch.webhook_url:
        deliveries.append((deterministic_id("delivery", alert.id, "webhook"), "webhook", watch.webhook_url))
    if watch.email:
        deliveries.append((deterministic_id("delivery", alert.id, "email"), "email", watch.email))
    return store.insert_alert(alert, record.user_id, dedupe_key, deliveries)


def deliver_alerts(store: Store, settings: Settings, alert_ids: Sequence[str]) -> DeliverySummary:
    """The immediate attempt at the deliveries of alerts just recorded; failures wait for a retry."""
    deliveries = store.pending_deliveries_of(alert_ids)
    return _run(store, settings, deliveries, store.current_time(), skip_failing_targets=True)


def deliver_due(store: Store, settings: Settings, now: datetime | None = None) -> DeliverySummary:
    """One pass over the outbox: attempt every pending delivery due at ``now`` (default: the store clock)."""
    moment = now or store.current_time()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return _run(store, settings, store.due_deliveries(moment), moment)
