"""The records the collection-filtered reads return (``liaison.store.readable``), and small helpers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import func

from liaison.store.events import ClaimRecord

T = TypeVar("T")

MAX_PAGE = 500  # rows per page at most: keeps every IN list of a page query short
ENTITY_MENTIONS_SHOWN = 100  # an entity's latest mentions in its detail; the count covers them all
ENTITY_EVENTS_SHOWN = 200


@dataclass(frozen=True)
class Page(Generic[T]):
    items: tuple[T, ...]
    total: int  # matching readable rows, all pages


@dataclass(frozen=True)
class ReadableReport:
    id: str
    title: str | None
    source: str | None
    url: str | None
    published: date | None  # the document creation time
    published_inferred: bool  # read from the text rather than given
    language: str | None
    tlp: str
    ingested_at: datetime
    topics: tuple[str, ...]
    entity_count: int  # readable entities it mentions
    near_duplicate_of: str | None  # the original it copies, when the caller may read that too
    near_duplicate_similarity: float | None


@dataclass(frozen=True)
class MentionedEntity:
    entity_id: str
    name: str
    type: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class ReadableRole:
    report_id: str
    published: date | None
    person_id: str
    person: str
    title: str
    organization_id: str | None
    organization: str | None
    country_id: str | None
    country: str | None
    evidence: str


@dataclass(frozen=True)
class ReadableClaim:
    id: str
    report_id: str
    report_title: str | None
    source: str | None
    published: date | None
    subject_id: str | None  # the readable canonical entity the figure is about
    subject: str | None  # its name, or the words the report uses for it
    value: float
    qualifier: str | None
    unit: str
    period: str | None
    evidence: str

    def record(self) -> ClaimRecord:
        """The figure as ``services.compare_figures`` takes it."""
        return ClaimRecord(
            report_id=self.report_id,
            source=self.source,
            published=self.published.isoformat() if self.published else None,
            subject=self.subject or "",
            value=self.value,
            qualifier=self.qualifier,
            unit=self.unit,
            period=self.period,
            evidence=self.evidence,
        )


@dataclass(frozen=True)
class ReadableParticipant:
    entity_id: str
    name: str
    type: str
    role: str


@dataclass(frozen=True)
class ReadableEventSummary:
    id: str
    type: str
    plover: str
    plover_mode: str | None
    cameo: str | None
    date: str | None
    date_precision: str | None
    location_id: str | None
    location: str | None
    status: str
    confidence: float
    topics: tuple[str, ...]
    participants: tuple[ReadableParticipant, ...]
    sources: int  # readable reports telling it (a syndicated copy counts as its original)


@dataclass(frozen=True)
class ReadableEventSource:
    report_id: str
    title: str | None
    source: str | None
    published: date | None
    language: str | None
    date: str | None
    date_text: str | None
    evidence: tuple[str, ...]  # the supporting sentences
    copy_of: str | None


@dataclass(frozen=True)
class ReadableEventDetail:
    summary: ReadableEventSummary
    sources: tuple[ReadableEventSource, ...]
    claims: tuple[ReadableClaim, ...]


@dataclass(frozen=True)
class ReadableReportDetail:
    summary: ReadableReport
    text: str
    recipients: tuple[str, ...]  # organisations a TLP:RED report is for
    copies: tuple[tuple[str, float], ...]  # readable reports stored as near-duplicates of this one
    mentions: tuple[MentionedEntity, ...]
    events: tuple[ReadableEventSummary, ...]
    claims: tuple[ReadableClaim, ...]
    roles: tuple[ReadableRole, ...]


@dataclass(frozen=True)
class ReadableEntitySummary:
    id: str
    type: str
    name: str
    mention_count: int
    report_count: int
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class ReadableAlias:
    alias: str
    language: str | None
    report_ids: tuple[str, ...]  # readable reports it was read in


@dataclass(frozen=True)
class ReadableEntityMention:
    report_id: str
    report_title: str | None
    published: date | None
    start: int
    end: int
    text: str
    sentence: str


@dataclass(frozen=True)
class ReadableEntityDetail:
    summary: ReadableEntitySummary
    attributes: dict[str, str]
    aliases: tuple[ReadableAlias, ...]
    mentions: tuple[ReadableEntityMention, ...]  # the latest ENTITY_MENTIONS_SHOWN
    roles: tuple[ReadableRole, ...]
    events: tuple[ReadableEventSummary, ...]  # oldest first, the latest ENTITY_EVENTS_SHOWN
    event_count: int


@dataclass(frozen=True)
class ReadableSearchHit:
    report_id: str
    title: str | None
    snippet: str
    score: float


@dataclass(frozen=True)
class ReadableCounts:
    reports: int
    entities: int
    events: int
    claims: int


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def page_bounds(limit: int, offset: int) -> tuple[int, int]:
    return max(0, min(limit, MAX_PAGE)), max(0, offset)


def span(text_column: Any, start: Any, end: Any) -> Any:
    """The characters [start, end) of a text column, cut in SQL (substr counts from 1, in characters)."""
    return func.substr(text_column, start + 1, end - start)


def best_date(own: str | None, candidates: Iterable[str]) -> str | None:
    """The most precise date among those compatible with ``own`` (as ``liaison.store.sharing``)."""
    compatible = [d for d in candidates if not own or d.startswith(own) or own.startswith(d)]
    return max(compatible, key=lambda d: (len(d), d)) if compatible else own
