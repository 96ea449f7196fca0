"""Alerts on what partners send: watches matched against received STIX objects (``liaison import stix``,
``liaison import misp`` and partner pulls all go through ``sharing.import_bundle``, which calls this).

Received objects stay the partner's STIX objects, never Liaison reports, so they are matched as STIX:

- an entity watch matches an ``identity``, ``threat-actor`` or ``intrusion-set`` whose name or an alias
  normalises to one of the watched entity's names or aliases (or that is the watched entity itself, shared
  earlier by Liaison and referred to by the partner), and ``x-liaison-event`` objects with it as a
  participant;
- a query watch matches the name and description of a received report (every word, prefix match);
- a place watch matches ``location`` objects by country code or name, and events located there;
- a topic watch matches a report's ``labels`` (Liaison's own export puts its topics there) and the
  topics of ``x-liaison-event`` objects.

The unit of an alert is a received ``report`` (what it refers to is matched), or a received entity or
place that no report of the same import refers to. Only objects this import stored or brought a new
version of are looked at; one alert per (watch, received object) — its id is a UUIDv5 of both — so neither
the same bundle again nor the same objects pulled again alert twice.

Handling rules: the watcher's organisation must read the object (its collection serves it, once published)
and evidence comes only from objects the collection serves; ``--min-tlp`` applies to the object's marking.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from liaison import alert_delivery
from liaison.domain import TLP, Alert, AlertMatch, WatchKind, deterministic_id, normalise_name
from liaison.errors import LiaisonError
from liaison.settings import Settings
from liaison.share.bundle_index import text_of
from liaison.share.markings import tlp_of
from liaison.store import Store
from liaison.store.accounts import collection_id_for
from liaison.store.watches import WatchRecord

ENTITY_TYPES = ("identity", "threat-actor", "intrusion-set")
EVENT_TYPE = "x-liaison-event"
MAX_MATCHES_PER_ALERT = 50
EVIDENCE_CHARACTERS = 300
MIN_NAME_IN_TEXT = 4  # a shorter name found in a text says too little (initials, "EU")

JsonObject = dict[str, Any]


@dataclass(frozen=True)
class _Unit:
    """What one alert is about: a received report with the objects it refers to, or a lone object."""

    stix_id: str
    item: JsonObject
    received_from: str
    refers_to: tuple[str, ...]


def _names(item: Mapping[str, Any]) -> set[str]:
    names = [item.get("name"), *(item.get("aliases") or ()), *(item.get("x_opencti_aliases") or ())]
    return {normalise_name(text_of(name)) for name in names if isinstance(name, str) and name.strip()}


def _refs(item: Mapping[str, Any]) -> list[str]:
    refs = item.get("object_refs")
    return [ref for ref in refs if isinstance(ref, str)] if isinstance(refs, list) else []


def _title(item: Mapping[str, Any]) -> str:
    for key in ("name", "abstract", "value"):
        if isinstance(item.get(key), str) and item[key].strip():
            return " ".join(text_of(item[key]).split())[:200]
    return str(item.get("id", ""))


def _sentence_with(text: str, words: Iterable[str]) -> str:
    """The first sentence of ``text`` holding one of ``words`` (case-insensitive), shortened."""
    wanted = [w.casefold() for w in words if w]
    for sentence in re.split(r"(?<=[.!?])\s+", " ".join(text.split())):
        if any(word in sentence.casefold() for word in wanted):
            return sentence[:EVIDENCE_CHARACTERS]
    return ""


def _sentence_naming(text: str, keys: set[str]) -> tuple[str, str] | None:
    """The first sentence of ``text`` naming one of ``keys`` (normalised names, whole words): (the name as
    written, the sentence); None when no sentence does."""
    wanted = sorted((key for key in keys if len(key) >= MIN_NAME_IN_TEXT), key=len, reverse=True)
    for sentence in re.split(r"(?<=[.!?])\s+", " ".join(text.split())):
        normalised = f" {normalise_name(sentence)} "
        for key in wanted:
            if f" {key} " in normalised:
                written = re.search(r"\b" + r"\W+".join(map(re.escape, key.split())) + r"\b", sentence, re.I)
                return (written.group(0) if written else key), sentence[:EVIDENCE_CHARACTERS]
    return None


def _event_evidence(event: Mapping[str, Any]) -> str:
    evidence = event.get("evidence")
    if isinstance(evidence, list) and evidence and isinstance(evidence[0], dict):
        return str(evidence[0].get("text", ""))[:EVIDENCE_CHARACTERS]
    return ""


def _event_label(event: Mapping[str, Any]) -> str:
    plover = str(event.get("plover", "")).upper() or "AN"
    return f"{plover} event ({event.get('event_type', 'event')})"


def _units(changed: Sequence[str], current: Mapping[str, tuple[JsonObject, str]]) -> list[_Unit]:
    """The received reports this import stored or gave a new version of, and the entities and places it
    stored or changed that none of those reports refers to (a partner's new group, a new alias). A report
    received before is not looked at again because an object it refers to changed: it is not new."""
    fresh = [i for i in dict.fromkeys(changed) if i in current]
    reports = [i for i in fresh if current[i][0].get("type") == "report"]
    referred = {ref for report_id in reports for ref in _refs(current[report_id][0])}
    lone = [
        i for i in fresh if i not in referred and current[i][0].get("type") in (*ENTITY_TYPES, "location")
    ]
    units = []
    for stix_id in (*reports, *lone):
        item, sender = current[stix_id]
        refers_to = tuple(_refs(item)) if item.get("type") == "report" else ()
        units.append(_Unit(stix_id, item, sender, refers_to))
    return units


class _Matcher:
    """Matches one unit against one watch, with what the watcher's collection serves."""

    def __init__(
        self, current: Mapping[str, tuple[JsonObject, str]], unit: _Unit, readable: set[str]
    ) -> None:
        self.unit = unit
        self.material = [
            current[ref][0] for ref in (unit.stix_id, *unit.refers_to) if ref in current and ref in readable
        ]
        self.events = [o for o in self.material if o.get("type") == EVENT_TYPE]
        self.report_text = (
            f"{text_of(unit.item.get('name', ''))}. {text_of(unit.item.get('description', ''))}"
            if unit.item.get("type") == "report"
            else ""
        )

    def _match(self, kind: str, target: str | None, label: str, evidence: str) -> AlertMatch:
        return AlertMatch(kind, target, label, evidence, self.unit.stix_id)

    def entity(self, entity_id: str, keys: set[str]) -> list[AlertMatch]:
        found: list[AlertMatch] = []
        matched: set[str] = set()
        for item in self.material:
            stix_type, _, uuid = str(item.get("id", "")).partition("--")
            if stix_type in ENTITY_TYPES and (uuid == entity_id or _names(item) & keys):
                matched.add(str(item["id"]))
                name = _title(item)
                evidence = _sentence_with(self.report_text, [name]) if self.report_text else ""
                found.append(self._match("mention", str(item["id"]), f"{name} ({stix_type})", evidence))
        if not matched and self.report_text:
            # The partner did not share an object for it (its marking was above what it shares with us,
            # say): the name in the report's own words still is a mention.
            said = _sentence_naming(self.report_text, keys)
            if said is not None:
                name, sentence = said
                found.append(self._match("mention", None, f"“{name}” in the report's text", sentence))
        for event in self.events:
            participants = event.get("participants") or []
            if any(isinstance(p, dict) and p.get("entity_ref") in matched for p in participants):
                found.append(
                    self._match("event", str(event["id"]), _event_label(event), _event_evidence(event))
                )
        return found

    def place(self, wanted: str) -> list[AlertMatch]:
        found: list[AlertMatch] = []
        places: set[str] = set()
        for item in self.material:
            if item.get("type") != "location":
                continue
            code = str(item.get("country", "")).upper()
            names = _names(item) | {
                normalise_name(str(item[key])) for key in ("city", "administrative_area") if item.get(key)
            }
            if code == wanted or wanted in names:
                places.add(str(item["id"]))
                name = _title(item)
                evidence = _sentence_with(self.report_text, [name]) if self.report_text else ""
                found.append(self._match("place", str(item["id"]), f"{name} (location)", evidence))
        for event in self.events:
            if event.get("location_ref") in places:
                label = _event_label(event) + " located there"
                found.append(self._match("event", str(event["id"]), label, _event_evidence(event)))
        return found

    def topic(self, topic: str) -> list[AlertMatch]:
        wanted = topic.casefold()
        found: list[AlertMatch] = []
        labels = self.unit.item.get("labels") or []
        if self.report_text and any(
            isinstance(label, str) and label.casefold() == wanted for label in labels
        ):
            description = " ".join(text_of(self.unit.item.get("description")).split())
            first = re.split(r"(?<=[.!?])\s+", description)[0][:EVIDENCE_CHARACTERS]
            found.append(self._match("topic", None, f"report about {topic}", first))
        for event in self.events:
            topics = event.get("topics") or []
            if any(isinstance(t, str) and t.casefold() == wanted for t in topics):
                label = f"{_event_label(event)} about {topic}"
                found.append(self._match("event", str(event["id"]), label, _event_evidence(event)))
        return found

    def query(self, query: str, label: str) -> list[AlertMatch]:
        """Every word of the query begins a word of the report's name or description (as the search)."""
        if not self.report_text:
            return []
        words = [w.casefold() for w in re.findall(r"\w+", query)]
        tokens = re.findall(r"\w+", self.report_text.casefold())
        hits = [next((t for t in tokens if t.startswith(word)), None) for word in words]
        if not words or any(hit is None for hit in hits):
            return []
        evidence = _sentence_with(self.report_text, [hit for hit in hits if hit])
        return [self._match("query", None, f"text matches {label}", evidence)]


def _reason(record: WatchRecord, unit: _Unit, matches: Sequence[AlertMatch]) -> str:
    watch = record.watch
    what = "report" if unit.item.get("type") == "report" else str(unit.item.get("type", "object"))
    sender = f"{'an' if what[:1] in 'aeiou' else 'a'} {what} received from {unit.received_from}"
    events = sum(1 for m in matches if m.kind == "event")
    with_events = f", with {events} event{'s' if events > 1 else ''}" if events else ""
    if watch.kind is WatchKind.ENTITY:
        name, _, entity_type = watch.label.rpartition(" (")
        named = sorted({m.label for m in matches if m.kind == "mention"})
        as_ = f" as {', '.join(named)}" if named else ""
        subject = f"{name or watch.label} (watched {entity_type.rstrip(')') or 'entity'})"
        return f"{subject} is named in {sender}{as_}{with_events}"
    if watch.kind is WatchKind.PLACE:
        return f"{watch.label} (watched place) is named in {sender}{with_events}"
    if watch.kind is WatchKind.TOPIC:
        return f"{sender[0].upper()}{sender[1:]} is about {watch.label}{with_events}"
    return f"The text of {sender} matches the watched query {watch.label}"


def check_received_objects(store: Store, settings: Settings, stix_ids: Sequence[str]) -> list[Alert]:
    """Raise the alerts that received STIX objects (stored or given a new version by an import, and
    published) call for; attempt their deliveries once. Returns the alerts recorded."""
    if not stix_ids:
        return []
    records = store.watch_records()
    if not records:
        return []
    current = {o.id: (json.loads(o.json), o.received_from) for o in store.current_stix_objects()}
    units = _units(stix_ids, current)
    # Liaison's own report coming back from a partner that re-shares it was matched when it was ingested.
    own = store.stored_report_ids(
        u.stix_id.partition("--")[2] for u in units if u.item.get("type") == "report"
    )
    units = [u for u in units if u.item.get("type") != "report" or u.stix_id.partition("--")[2] not in own]
    if not units:
        return []
    involved = {ref for unit in units for ref in (unit.stix_id, *unit.refers_to)}
    readable: dict[str, set[str]] = {}
    entity_keys: dict[str, tuple[str, set[str]]] = {}
    for record in records:
        if record.watch.kind is WatchKind.ENTITY and record.watch.id not in entity_keys:
            canonical = store.canonical_of(record.watch.value) or record.watch.value
            entity_keys[record.watch.id] = (canonical, store.entity_name_keys(canonical))
    recorded: list[Alert] = []
    for unit in units:
        level = tlp_of(unit.item) or TLP.CLEAR
        for record in records:
            collection = collection_id_for(record.organization_id)
            if collection not in readable:
                readable[collection] = store.readable_stix_ids(collection, involved)
            if unit.stix_id not in readable[collection]:
                continue
            if record.watch.min_tlp is not None and level.rank < record.watch.min_tlp.rank:
                continue
            alert = _alert_for(
                store, record, unit, level, _Matcher(current, unit, readable[collection]), entity_keys
            )
            if alert is not None:
                recorded.append(alert)
    if recorded:  # a failed attempt stays in the outbox, retried by `liaison alerts deliver`
        with contextlib.suppress(LiaisonError):
            alert_delivery.deliver_alerts(store, settings, [alert.id for alert in recorded])
    return recorded


def _alert_for(
    store: Store,
    record: WatchRecord,
    unit: _Unit,
    level: TLP,
    matcher: _Matcher,
    entity_keys: Mapping[str, tuple[str, set[str]]],
) -> Alert | None:
    watch = record.watch
    if watch.kind is WatchKind.ENTITY:
        canonical, keys = entity_keys[watch.id]
        matches = matcher.entity(canonical, keys)
    elif watch.kind is WatchKind.PLACE:
        matches = matcher.place(watch.value)
    elif watch.kind is WatchKind.TOPIC:
        matches = matcher.topic(watch.value)
    else:
        matches = matcher.query(watch.value, watch.label)
    if not matches:
        return None
    dedupe_key = deterministic_id("received-object", unit.stix_id)
    alert_id = deterministic_id("alert", watch.id, dedupe_key)
    if store.alert_exists(alert_id):
        return None
    matches = matches[:MAX_MATCHES_PER_ALERT]
    alert = Alert(
        alert_id,
        watch.id,
        watch.user,
        store.current_time(),
        None,
        _title(unit.item),
        level,
        _reason(record, unit, matches),
        tuple(matches),
        False,
        stix_id=unit.stix_id,
        received_from=unit.received_from,
    )
    return alert if alert_delivery.record_alert(store, record, alert, dedupe_key) else None


def alert_is_readable(store: Store, collection_id: str, alert: Alert) -> bool:
    """Whether the collection still holds what the alert is about: its report, or the received object."""
    if alert.stix_id is not None:
        return alert.stix_id in store.readable_stix_ids(collection_id, [alert.stix_id])
    return alert.report_id is not None and store.is_readable(collection_id, "report", alert.report_id)
