"""The typed model every stage speaks.

Plain frozen dataclasses and enums with no third-party imports, so that ``ingest``, ``extract``,
``resolve``, ``store`` and ``share`` can exchange values without knowing about each other's libraries.
Offsets are always character offsets into ``Report.text`` as stored: ``text[start:end]`` is the span.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

# Every deterministic identifier in Liaison is a UUIDv5 in this namespace over a canonical key.
LIAISON_NAMESPACE = uuid.UUID("6f1c8f0e-3b7a-5d2e-9a41-1c2b3d4e5f60")


def deterministic_id(kind: str, *key_parts: str) -> str:
    """Return the UUIDv5 of ``kind`` and its canonical key parts (stable across runs and machines)."""
    return str(uuid.uuid5(LIAISON_NAMESPACE, "\x1f".join((kind, *key_parts))))


_WHITESPACE = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """Canonical form of a report body for identity: NFC, unified line breaks, collapsed spaces."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return _WHITESPACE.sub(" ", text).strip()


def content_hash(text: str) -> str:
    """SHA-256 of the normalised text: two reports with the same hash are the same report."""
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


def report_id_for(text: str) -> str:
    """A report's ID derives from its normalised content, so re-ingesting it changes nothing."""
    return deterministic_id("report", content_hash(text))


def normalise_name(name: str) -> str:
    """Key for comparing names: case-folded, accents removed, punctuation and spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", name)
    without_marks = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    folded = without_marks.casefold().replace("’", "'")
    return _WHITESPACE.sub(" ", re.sub(r"[^\w']+", " ", folded)).strip()


class EntityType(StrEnum):
    PERSON = "person"
    ORGANIZATION = "organization"
    COUNTRY = "country"
    LOCATION = "location"
    NAMED_EVENT = "named_event"
    NATIONALITY = "nationality"


def entity_id_for(entity_type: EntityType, name: str) -> str:
    """The canonical ID of an entity is keyed by its type and normalised name."""
    return deterministic_id("entity", entity_type.value, normalise_name(name))


class TLP(StrEnum):
    """Traffic Light Protocol 2.0 levels, from least to most restrictive."""

    CLEAR = "clear"
    GREEN = "green"
    AMBER = "amber"
    AMBER_STRICT = "amber+strict"
    RED = "red"

    @property
    def rank(self) -> int:
        return list(TLP).index(self)

    @classmethod
    def parse(cls, value: str) -> TLP:
        """Accept ``amber``, ``TLP:AMBER``, ``Amber+Strict`` and the TLP 1.0 ``white``."""
        cleaned = value.strip().lower().removeprefix("tlp:").replace("_", "+").replace(" ", "")
        if cleaned == "white":
            return cls.CLEAR
        for level in cls:
            if level.value == cleaned:
                return level
        allowed = ", ".join(level.value for level in cls)
        raise ValueError(f"unknown TLP level {value!r}; use one of {allowed}")


@dataclass(frozen=True)
class Fingerprint:
    """A MinHash signature of a report's text and its LSH band keys (``liaison.ingest.duplicates``)."""

    signature: tuple[int, ...]
    bands: tuple[str, ...]

    def similarity(self, other: Fingerprint) -> float:
        """Estimated Jaccard similarity of the two texts' shingle sets: the share of equal minima."""
        if not self.signature or len(self.signature) != len(other.signature):
            return 0.0
        same = sum(a == b for a, b in zip(self.signature, other.signature, strict=True))
        return same / len(self.signature)


@dataclass(frozen=True)
class NearDuplicate:
    """A report that copies an earlier one (a syndicated, lightly edited agency statement)."""

    original_id: str
    similarity: float


@dataclass(frozen=True)
class Marking:
    """A handling marking carried by a report and inherited by what is extracted from it.

    ``recipients`` names the organisations a TLP:RED report is for; nobody else reads it.
    """

    tlp: TLP = TLP.CLEAR
    recipients: tuple[str, ...] = ()

    @staticmethod
    def most_restrictive(markings: list[Marking]) -> Marking:
        return max(markings, key=lambda m: m.tlp.rank, default=Marking())


@dataclass(frozen=True)
class Report:
    """One piece of reporting: its text as stored and its metadata."""

    text: str
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: date | None = None
    published_inferred: bool = False
    language: str | None = None
    marking: Marking = field(default_factory=Marking)
    external_id: str | None = None
    origin: str | None = None  # where it came from: "path" or "path:line"

    @property
    def id(self) -> str:
        return report_id_for(self.text)

    @property
    def content_hash(self) -> str:
        return content_hash(self.text)


@dataclass(frozen=True)
class Sentence:
    index: int
    start: int
    end: int
    language: str


@dataclass(frozen=True)
class Evidence:
    """Where a fact was read: the report, the character span, and the sentence around it."""

    report_id: str
    start: int
    end: int
    text: str
    sentence: int


@dataclass(frozen=True)
class Mention:
    """A span of report text that names an entity."""

    start: int
    end: int
    text: str
    sentence: int
    label: str = ""  # the label the statistical model gave, kept for diagnosis
    language: str = ""


@dataclass(frozen=True)
class Entity:
    """An entity as read in one report: its mentions grouped under one normalised name."""

    type: EntityType
    name: str
    mentions: tuple[Mention, ...]
    aliases: tuple[str, ...] = ()
    attributes: dict[str, str] = field(default_factory=dict)
    # How strongly the report's evidence supports this type, from 0 to 1 (see extract/grouping.py).
    type_confidence: float = 1.0

    @property
    def id(self) -> str:
        return entity_id_for(self.type, self.name)


@dataclass(frozen=True)
class KnownName:
    """A surface form of a known canonical entity: "Direction générale de la sûreté nationale" -> DGSN."""

    surface: str
    type: EntityType
    name: str


@dataclass(frozen=True)
class Role:
    """A person holding a title, in an organisation and/or for a country, with its evidence."""

    person: str  # entity id
    title: str
    organization: str | None
    country: str | None
    evidence: Evidence


class TimeType(StrEnum):
    DATE = "DATE"
    TIME = "TIME"
    DURATION = "DURATION"
    SET = "SET"


@dataclass(frozen=True)
class Time:
    """A temporal expression normalised TIMEX3-style (``value`` such as ``2022-09-19``, ``P2D``)."""

    start: int
    end: int
    text: str
    type: TimeType
    value: str
    precision: str  # day | month | year | week | decade | century | duration | unknown


class EventStatus(StrEnum):
    OCCURRED = "occurred"
    PLANNED = "planned"
    HOPED = "hoped"
    NEGATED = "negated"


@dataclass(frozen=True)
class Participant:
    entity: str  # entity id
    role: str  # actor | recipient | host | visitor | participant


@dataclass(frozen=True)
class EventDate:
    value: str
    precision: str
    text: str


@dataclass(frozen=True)
class Event:
    """Something that happened (or is planned, hoped, denied), coded in PLOVER and CAMEO."""

    type: str
    plover: str
    plover_mode: str | None
    cameo: str | None
    date: EventDate | None
    location: str | None  # entity id
    participants: tuple[Participant, ...]
    topics: tuple[str, ...]
    status: EventStatus
    evidence: tuple[Evidence, ...]
    confidence: float
    # The words that express the event in each mention ("met", "meeting", "visite"), as (start, end).
    triggers: tuple[tuple[int, int], ...] = ()

    @property
    def id(self) -> str:
        first = self.evidence[0] if self.evidence else None
        anchor = f"{first.report_id}:{first.start}:{first.end}" if first else ""
        return deterministic_id("event", self.plover, anchor)


@dataclass(frozen=True)
class Claim:
    """A figure asserted in a report: "more than 500 cyber attacks in 2021"."""

    subject: str
    value: float
    qualifier: str | None  # more than | less than | about | at least | exactly …
    unit: str
    period: str | None
    evidence: Evidence


@dataclass(frozen=True)
class Extraction:
    """Everything the pipeline read in one report."""

    report: Report
    sentences: tuple[Sentence, ...]
    entities: tuple[Entity, ...]
    roles: tuple[Role, ...] = ()
    events: tuple[Event, ...] = ()
    times: tuple[Time, ...] = ()
    claims: tuple[Claim, ...] = ()
    topics: tuple[str, ...] = ()
    pipeline_version: str = ""


@dataclass(frozen=True)
class StoredReport:
    """A report as the store returns it, with when it was ingested."""

    id: str
    report: Report
    ingested_at: datetime
    entity_count: int = 0


# -- what the store shares -------------------------------------------------------------------------
# ``Store.shareable`` reads these and ``liaison.share`` maps them to STIX, MISP or tables. They live here
# because the store and share stages must not import each other. Entity, event and location references
# are canonical entity IDs; every ``tlp`` is the most restrictive marking of the reports the object
# comes from (all of them, not only the reports selected), so a filter never lowers a marking.


@dataclass(frozen=True)
class ShareableReport:
    id: str
    title: str | None
    source: str | None
    url: str | None
    published: date | None
    language: str | None
    tlp: TLP
    topics: tuple[str, ...]
    ingested_at: datetime
    text: str
    near_duplicate_of: str | None = None
    near_duplicate_similarity: float | None = None


@dataclass(frozen=True)
class ShareableEntity:
    """A canonical entity; names, aliases and titles come from every report that mentions it."""

    id: str  # the canonical (root) entity ID
    type: EntityType
    name: str
    aliases: tuple[str, ...]
    attributes: dict[str, str]  # country_code, place_kind, acronym, expansion … when known
    tlp: TLP
    report_ids: tuple[str, ...]  # the selected reports that mention it
    created_at: datetime
    modified_at: datetime  # when the latest report that mentions it was ingested
    titles: tuple[str, ...] = ()  # a person's titles, from every role read
    topics: tuple[str, ...] = ()  # the topics of every report that mentions it
    event_roles: tuple[tuple[str, str], ...] = ()  # (event type, role) of every event it took part in


@dataclass(frozen=True)
class ShareableRole:
    id: str
    person_id: str
    title: str
    organization_id: str | None
    country_id: str | None
    report_id: str
    evidence: str
    tlp: TLP
    ingested_at: datetime


@dataclass(frozen=True)
class ShareableEvent:
    id: str
    type: str
    plover: str
    plover_mode: str | None
    cameo: str | None
    date: str | None  # TIMEX3-style: 2024-02-20, 2024-02, 2024
    date_precision: str | None
    location_id: str | None
    status: str
    confidence: float
    participants: tuple[tuple[str, str], ...]  # (entity ID, role), from every report's account
    sources: tuple[tuple[str, str], ...]  # (report ID, evidence text), selected reports only
    topics: tuple[str, ...]
    tlp: TLP
    created_at: datetime
    modified_at: datetime


@dataclass(frozen=True)
class ShareableClaim:
    id: str
    report_id: str
    subject_id: str | None  # canonical entity ID, when the subject is a stored entity
    subject: str  # the subject's name, or the subject as written
    value: float
    qualifier: str | None
    unit: str
    period: str | None
    evidence: str
    tlp: TLP
    ingested_at: datetime


@dataclass(frozen=True)
class ShareableSet:
    """What one export may contain: selected reports and the objects derived from them."""

    reports: tuple[ShareableReport, ...] = ()
    entities: tuple[ShareableEntity, ...] = ()
    roles: tuple[ShareableRole, ...] = ()
    events: tuple[ShareableEvent, ...] = ()
    claims: tuple[ShareableClaim, ...] = ()


@dataclass(frozen=True)
class ReceivedStixObject:
    """One STIX object from a partner's bundle, as canonical JSON, ready to be kept with provenance."""

    id: str
    type: str
    spec_version: str
    modified: str  # as received; ``created`` for objects without ``modified``, "" for neither
    version_key: str  # ``modified`` normalised so that later versions sort after earlier ones
    json: str


@dataclass(frozen=True)
class StoredStixObject:
    """A received STIX object and where it came from."""

    id: str
    type: str
    modified: str
    json: str
    received_from: str
    bundle_id: str
    received_at: datetime
    current: bool


class AccountRole(StrEnum):
    """What a user may do. Partners read what their organisation's agreement allows, and write to TAXII."""

    ADMIN = "admin"
    ANALYST = "analyst"
    READER = "reader"
    PARTNER = "partner"


@dataclass(frozen=True)
class Audience:
    """Who a read is for, as the handling rules see it: one organisation.

    ``levels`` are the TLP levels it reads without being named; ``organization`` is the name that makes
    it a recipient of a TLP:RED report; ``topics``, when not empty, narrows what a partner sees to reports
    on those topics. Derived objects (entities, events...) carry the most restrictive marking of every
    report they come from, so one RED source the audience is not named on hides them.
    """

    organization: str
    levels: frozenset[TLP]
    topics: frozenset[str] = frozenset()

    @classmethod
    def everything(cls, tlp_max: TLP | None = None) -> Audience:
        """The instance operator's view (CLI exports): every level up to ``tlp_max``, RED included."""
        top = tlp_max or TLP.RED
        return cls("", frozenset(level for level in TLP if level.rank <= top.rank))

    def admits(self, tlp: TLP, recipients: frozenset[str] | tuple[str, ...] = ()) -> bool:
        """May this audience read something marked ``tlp`` whose RED recipients are ``recipients``?"""
        if tlp in self.levels:
            return True
        return (
            tlp is TLP.RED
            and self.organization != ""
            and self.organization.casefold() in {name.casefold() for name in recipients}
        )

    def admits_all(self, markings: Iterable[tuple[TLP, tuple[str, ...]]]) -> bool:
        """True when every source marking is admitted (a derived object, marked by all its reports)."""
        return all(self.admits(tlp, recipients) for tlp, recipients in markings)

    @property
    def sql_levels(self) -> tuple[str, ...]:
        return tuple(sorted(level.value for level in self.levels))


def audience_levels(home: bool, agreement_tlp_max: TLP | None) -> frozenset[TLP]:
    """The TLP levels an organisation reads unnamed, by the TLP 2.0 rules Liaison applies.

    CLEAR: anyone authenticated. GREEN: the home organisation and partners with an agreement. AMBER: the
    home organisation and partners whose agreement allows AMBER. AMBER+STRICT: the home organisation
    only. RED: nobody unnamed.
    """
    if home:
        return frozenset({TLP.CLEAR, TLP.GREEN, TLP.AMBER, TLP.AMBER_STRICT})
    levels = {TLP.CLEAR}
    if agreement_tlp_max is not None:
        levels.add(TLP.GREEN)
        if agreement_tlp_max.rank >= TLP.AMBER.rank:
            levels.add(TLP.AMBER)
    return frozenset(levels)


class WatchKind(StrEnum):
    """What a watch follows: one canonical entity, a topic label, a place, or a full-text query."""

    ENTITY = "entity"
    TOPIC = "topic"
    PLACE = "place"
    QUERY = "query"


@dataclass(frozen=True)
class Watch:
    """A user's standing interest; new readable reports that match it raise alerts.

    ``value`` is what matching uses (an entity id, a topic label, a place name or ISO code, a query);
    ``label`` is what people read ("Jane Doe (person)"). ``min_tlp`` limits the watch to reports marked at
    least that level; ``None`` means any marking.
    """

    id: str
    user: str
    kind: WatchKind
    value: str
    label: str
    min_tlp: TLP | None
    webhook_url: str | None
    email: str | None
    created: datetime


@dataclass(frozen=True)
class AlertMatch:
    """One reason a report matched a watch: ``kind`` is mention, event, claim, alias, topic, place or query;
    ``target_id`` the matched row (entity, event, claim...) when there is one; ``evidence`` a sentence or
    snippet of the report. For a partner's STIX object, ``target_id`` and ``report_id`` are STIX IDs."""

    kind: str
    target_id: str | None
    label: str
    evidence: str
    report_id: str


@dataclass(frozen=True)
class Alert:
    """One alert per (watch, report near-duplicate group), with every reason the report matched.

    The alert is about a stored report (``report_id``), or about a STIX object a partner sent (``stix_id``:
    a received report, or a received entity no received report refers to), which has no report page;
    ``received_from`` then names the partner. ``report_title`` and ``tlp`` are those of either.
    """

    id: str
    watch_id: str
    user: str
    created: datetime
    report_id: str | None
    report_title: str
    tlp: TLP
    reason: str
    matches: tuple[AlertMatch, ...]
    read: bool
    stix_id: str | None = None
    received_from: str | None = None

    @property
    def source_kind(self) -> str:
        """Either "report" (a stored report) or "stix" (a STIX object a partner sent)."""
        return "stix" if self.stix_id else "report"
