"""Watchlists and alerts: users follow an entity, a topic, a place or a full-text query, and each new
report that matches raises one alert saying what matched and why. The rules are in ``docs/watch.md``.

- An alert is recorded only when the watcher's organisation may read the report (it is in their
  collection once published), and its evidence comes only from readable items.
- One alert per (watch, near-duplicate group): its id is a UUIDv5 of the watch and the report the new one
  copies (or the report itself), so neither a syndicated copy nor a re-ingestion alerts again. A report
  whose events, figures and aliases that matched were all alerted already for the watch alerts no more.
- Deliveries (webhook, e-mail) go through an outbox; ``liaison.alert_delivery`` sends them.
"""

from __future__ import annotations

import contextlib
import re
import secrets
from collections.abc import Sequence

from liaison import alert_delivery
from liaison.domain import TLP, Alert, AlertMatch, Watch, WatchKind, deterministic_id, normalise_name
from liaison.errors import InputError, LiaisonError, NotFound
from liaison.settings import Settings
from liaison.store import Store
from liaison.store.accounts import UserRecord, collection_id_for
from liaison.store.watches import ReportFacts, WatchRecord

# Matches naming one item of a report (an event, a figure, an alias): once all of a report's were alerted
# for a watch, the report brings nothing new to it.
ITEM_KINDS = ("event", "claim", "alias")
MAX_MATCHES_PER_ALERT = 50
_ISO_CODE_LENGTH = 2


def _user(store: Store, name: str) -> UserRecord:
    user = store.user(name)
    if user.disabled:
        raise NotFound(f"user {user.name!r} is disabled")
    return user


def _resolve_entity(store: Store, user: UserRecord, value: str) -> tuple[str, str]:
    """The canonical entity a name, alias or id names, readable by the user: (id, label)."""
    candidates = store.entity_candidates(value, normalise_name(value))
    # Everyone names only what their collection holds, or it does not exist for them: even the home
    # organisation does not read a RED report addressed to others, and the error lists candidates.
    collection = collection_id_for(user.organization_id)
    candidates = [c for c in candidates if store.is_readable(collection, "entity", c.id)]
    if not candidates:
        raise NotFound(f"no entity named {value!r} (see `liaison entities`)")
    if len(candidates) > 1:
        listed = "; ".join(f"{c.name} ({c.type}, {c.id[:8]})" for c in candidates[:10])
        raise InputError(value, f"several entities have this name, give the id of one: {listed}")
    chosen = candidates[0]
    return chosen.id, f"{chosen.name} ({chosen.type})"


def _resolve_topic(store: Store, user: UserRecord, value: str) -> tuple[str, str]:
    readable = store.readable_ids(collection_id_for(user.organization_id), "report")
    known = store.known_topics(readable)
    wanted = value.strip().casefold()
    for topic in known:
        if topic.casefold() == wanted:
            return topic, topic
    listed = ", ".join(known) if known else "none yet"
    raise InputError(value, f"unknown topic; known topics: {listed}")


def _resolve_place(store: Store, value: str) -> tuple[str, str]:
    """A country's ISO code (also for its name, when a stored country has one), else a place name."""
    cleaned = value.strip()
    if not cleaned:
        raise InputError(value, "name a place or give a country's ISO code")
    if len(cleaned) == _ISO_CODE_LENGTH and cleaned.isalpha():
        return cleaned.upper(), cleaned.upper()
    key = normalise_name(cleaned)
    for _, name, code in store.place_candidates(key):
        if code and normalise_name(name) == key:
            return code.upper(), f"{name} ({code.upper()})"
    return key, cleaned


def add_watch(
    store: Store,
    settings: Settings,
    user: str,
    kind: WatchKind,
    value: str,
    *,
    min_tlp: TLP | None = None,
    webhook_url: str | None = None,
    webhook_secret: str | None = None,
    email: str | None = None,
) -> tuple[Watch, str | None]:
    """Add a watch for ``user``; returns it and the webhook secret generated for it (shown once), if any."""
    owner = _user(store, user)
    if not value.strip():
        raise InputError(kind.value, "say what to watch")
    if kind is WatchKind.ENTITY:
        matched, label = _resolve_entity(store, owner, value)
    elif kind is WatchKind.TOPIC:
        matched, label = _resolve_topic(store, owner, value)
    elif kind is WatchKind.PLACE:
        matched, label = _resolve_place(store, value)
    else:
        if not re.search(r"\w", value):
            raise InputError(value, "a query needs at least one word (letters or digits)")
        matched, label = value.strip(), f"“{value.strip()}”"
    generated = None
    if webhook_url:
        alert_delivery.check_webhook_url(webhook_url, settings)
        if not webhook_secret:
            generated = webhook_secret = secrets.token_urlsafe(32)
    elif webhook_secret:
        raise InputError("--webhook-secret-env", "a webhook secret needs a webhook URL")
    if email is not None:
        email = alert_delivery.check_email_address(email)
    created = store.current_time()
    watch = Watch(
        deterministic_id("watch", owner.id, secrets.token_hex(16)),
        owner.name,
        kind,
        matched,
        label,
        min_tlp,
        webhook_url or None,
        email,
        created,
    )
    store.insert_watch(watch, owner.id, webhook_secret)
    store.append_audit(
        owner.name,
        "watch.add",
        watch.id,
        {
            "kind": kind.value,
            "value": matched,
            "min_tlp": min_tlp.value if min_tlp else None,
            "webhook": webhook_url or None,
            "email": email,
        },
    )
    return watch, generated


def watches_of(store: Store, user: str) -> list[Watch]:
    owner = _user(store, user)
    return [record.watch for record in store.watch_records(user_id=owner.id)]


def remove_watch(store: Store, user: str, watch_id: str) -> Watch:
    """Remove one of the user's watches (id or unique prefix) with its alerts; another user's → NotFound."""
    owner = _user(store, user)
    record = store.find_watch_of(owner.id, watch_id)
    store.delete_watch(record.watch.id)
    store.append_audit(owner.name, "watch.remove", record.watch.id, {"kind": record.watch.kind.value})
    return record.watch


def alerts_of(
    store: Store, user: str, *, unread_only: bool = False, limit: int = 100, offset: int = 0
) -> list[Alert]:
    """The user's alerts, unread first, newest first."""
    owner = _user(store, user)
    collection = collection_id_for(owner.organization_id)
    return store.alerts_for(
        owner.id, unread_only=unread_only, limit=limit, offset=offset, collection_id=collection
    )


def unread_count(store: Store, user: str) -> int:
    owner = _user(store, user)
    return store.unread_alert_count(owner.id, collection_id_for(owner.organization_id))


def mark_read(store: Store, user: str, alert_id: str | None) -> int:
    """Mark one alert (id or unique prefix) or, with None, all the user's alerts read; how many changed."""
    return store.mark_alerts_read(_user(store, user).id, alert_id)


# --- matching ---


def _entity_matches(watched: str, facts: ReportFacts, readable_event: set[str]) -> list[AlertMatch]:
    found: list[AlertMatch] = []
    mentions = [m for m in facts.mentions if m.entity_id == watched]
    if mentions:
        found.append(
            AlertMatch(
                "mention",
                watched,
                f"{mentions[0].name}, mentioned {len(mentions)} time{'s' if len(mentions) > 1 else ''}",
                mentions[0].sentence,
                facts.report_id,
            )
        )
    for event in facts.events:
        if event.event_id in readable_event and watched in event.participants:
            found.append(
                AlertMatch(
                    "event",
                    event.event_id,
                    f"{event.plover} event ({event.type})",
                    event.evidence,
                    facts.report_id,
                )
            )
    for claim in facts.claims:
        if claim.subject_id == watched:
            found.append(AlertMatch("claim", claim.claim_id, claim.label, claim.evidence, facts.report_id))
    for alias in facts.aliases:
        if alias.entity_id == watched:
            target = deterministic_id("alias", watched, alias.alias)
            found.append(
                AlertMatch("alias", target, f"new alias “{alias.alias}”", alias.evidence, facts.report_id)
            )
    return found


def _topic_matches(record: WatchRecord, facts: ReportFacts, readable_event: set[str]) -> list[AlertMatch]:
    topic = record.watch.value
    found: list[AlertMatch] = []
    if topic in facts.topics:
        first = facts.events[0].evidence if facts.events else ""
        found.append(AlertMatch("topic", None, f"report about {topic}", first, facts.report_id))
    for event in facts.events:
        if event.event_id in readable_event and topic in event.topics:
            label = f"{event.plover} event ({event.type}) about {topic}"
            found.append(AlertMatch("event", event.event_id, label, event.evidence, facts.report_id))
    return found


def _place_matches(record: WatchRecord, facts: ReportFacts, readable_event: set[str]) -> list[AlertMatch]:
    wanted = record.watch.value

    def is_watched(place_id: str | None, country_code: str | None) -> bool:
        if place_id is None:
            return False
        if country_code and country_code.upper() == wanted:
            return True
        return wanted in facts.place_names.get(place_id, frozenset())

    found: list[AlertMatch] = []
    for event in facts.events:
        if event.event_id in readable_event and is_watched(event.location_id, event.location_country):
            label = f"{event.plover} event ({event.type}) located in {record.watch.label}"
            found.append(AlertMatch("event", event.event_id, label, event.evidence, facts.report_id))
    mentions = [
        m
        for m in facts.mentions
        if m.type in ("country", "location") and is_watched(m.entity_id, m.country_code)
    ]
    if mentions:
        label = f"{mentions[0].name}, mentioned {len(mentions)} time{'s' if len(mentions) > 1 else ''}"
        found.append(AlertMatch("place", mentions[0].entity_id, label, mentions[0].sentence, facts.report_id))
    return found


def _query_match(store: Store, record: WatchRecord, facts: ReportFacts) -> list[AlertMatch]:
    snippet = store.report_query_snippet(facts.report_id, record.watch.value)
    if snippet is None:
        return []
    return [AlertMatch("query", None, f"text matches {record.watch.label}", snippet, facts.report_id)]


def _reason(record: WatchRecord, matches: Sequence[AlertMatch]) -> str:
    """One sentence a person reads first: the watch, then what matched."""
    watch = record.watch
    kinds = [m.kind for m in matches]
    if watch.kind is WatchKind.ENTITY:
        name, _, entity_type = watch.label.rpartition(" (")
        subject = f"{name or watch.label} (watched {entity_type.rstrip(')') or 'entity'})"
        parts = []
        plovers = sorted({m.label.split(" ")[0] for m in matches if m.kind == "event"})
        if plovers:
            kinds_of_event = [f"{'an' if p[:1] in 'AEIOU' else 'a'} {p} event" for p in plovers]
            parts.append(f"is a participant in {_joined(kinds_of_event)}")
        figures = kinds.count("claim")
        if figures:
            parts.append(f"is the subject of {figures} figure{'s' if figures > 1 else ''}")
        aliases = [m.label.removeprefix("new alias ") for m in matches if m.kind == "alias"]
        if aliases:
            parts.append(f"is named {_joined(aliases)} for the first time")
        mention = next((m for m in matches if m.kind == "mention"), None)
        if mention:
            parts.append("is " + mention.label.rpartition(", ")[2])
        return f"{subject} {_joined(parts)}"
    if watch.kind is WatchKind.TOPIC:
        events = kinds.count("event")
        about = (
            "the report is about " + watch.label if "topic" in kinds else f"the report touches {watch.label}"
        )
        return about + (f", with {events} event{'s' if events > 1 else ''} on it" if events else "")
    if watch.kind is WatchKind.PLACE:
        events = kinds.count("event")
        parts = []
        if events:
            parts.append(f"{events} event{'s' if events > 1 else ''} took place there")
        if "place" in kinds:
            parts.append("the report mentions it")
        return f"{watch.label} (watched place): {_joined(parts)}"
    return f"the report's text matches the watched query {watch.label}"


def _joined(parts: Sequence[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def check_new_reports(store: Store, settings: Settings, report_ids: Sequence[str]) -> list[Alert]:
    """Raise the alerts that newly stored (and published) reports call for; attempt their deliveries once.

    Called by every path that stores reports, after publication: what a watcher may read is what their
    organisation's collection holds. Returns the alerts recorded.
    """
    if not report_ids:
        return []
    records = store.watch_records()
    if not records:
        return []
    # An entity merged since the watch was added is followed under its canonical entity now.
    canonical = {
        r.watch.id: store.canonical_of(r.watch.value) or r.watch.value
        for r in records
        if r.watch.kind is WatchKind.ENTITY
    }
    recorded: list[Alert] = []
    for report_id in dict.fromkeys(report_ids):
        facts = store.report_facts(report_id)
        if facts is None:
            continue
        readable = _Readable(store, facts)
        for record in records:
            alert = _alert_for(store, record, facts, readable, canonical.get(record.watch.id))
            if alert is not None:
                recorded.append(alert)
    if recorded:  # a failed attempt stays in the outbox, retried by `liaison alerts deliver`
        with contextlib.suppress(LiaisonError):
            alert_delivery.deliver_alerts(store, settings, [alert.id for alert in recorded])
    return recorded


class _Readable:
    """What each organisation's collection holds of one report: the report itself, its events and figures
    (looked up once per organisation, however many of its users watch)."""

    def __init__(self, store: Store, facts: ReportFacts) -> None:
        self.store = store
        self.facts = facts
        self._report: dict[str, bool] = {}
        self._events: dict[str, set[str]] = {}
        self._claims: dict[str, set[str]] = {}

    def report(self, collection: str) -> bool:
        if collection not in self._report:
            self._report[collection] = self.store.is_readable(collection, "report", self.facts.report_id)
        return self._report[collection]

    def events(self, collection: str) -> set[str]:
        if collection not in self._events:
            self._events[collection] = {
                e.event_id
                for e in self.facts.events
                if self.store.is_readable(collection, "event", e.event_id)
            }
        return self._events[collection]

    def claims(self, collection: str) -> set[str]:
        if collection not in self._claims:
            self._claims[collection] = {
                c.claim_id
                for c in self.facts.claims
                if self.store.is_readable(collection, "claim", c.claim_id)
            }
        return self._claims[collection]


def _alert_for(
    store: Store, record: WatchRecord, facts: ReportFacts, readable: _Readable, entity: str | None
) -> Alert | None:
    watch = record.watch
    if watch.min_tlp is not None and facts.tlp.rank < watch.min_tlp.rank:
        return None
    collection = collection_id_for(record.organization_id)
    if not readable.report(collection):
        return None
    if watch.kind is WatchKind.ENTITY:
        matches = _entity_matches(entity or watch.value, facts, readable.events(collection))
        matches = [m for m in matches if m.kind != "claim" or m.target_id in readable.claims(collection)]
    elif watch.kind is WatchKind.TOPIC:
        matches = _topic_matches(record, facts, readable.events(collection))
    elif watch.kind is WatchKind.PLACE:
        matches = _place_matches(record, facts, readable.events(collection))
    else:
        matches = _query_match(store, record, facts)
    alert_id = deterministic_id("alert", watch.id, facts.dedupe_key)
    if not matches or store.alert_exists(alert_id):
        return None
    items = {m.target_id for m in matches if m.kind in ITEM_KINDS and m.target_id}
    if items and store.alerted_targets(watch.id, items) == items:
        return None
    matches = matches[:MAX_MATCHES_PER_ALERT]
    alert = Alert(
        alert_id,
        watch.id,
        watch.user,
        store.current_time(),
        facts.report_id,
        facts.title,
        facts.tlp,
        _reason(record, matches),
        tuple(matches),
        False,
    )
    return alert if alert_delivery.record_alert(store, record, alert, facts.dedupe_key) else None
