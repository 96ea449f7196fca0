"""The JSON shapes of the REST API (``liaison.api.rest``), as pydantic models for the OpenAPI schema.

They mirror the store's collection-filtered records (``liaison.store.readable_records``) field for field,
and are built from them with ``model_validate(record)``.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_day(value: object) -> object:
    """Only a YYYY-MM-DD day: pydantic alone would also read a number (``86400``, ``4e-141``) as a Unix
    time, so that a mistyped filter or field silently meant a day of 1970."""
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DAY.fullmatch(value)):
        return value
    raise ValueError("use a day as YYYY-MM-DD")


Day = Annotated[date, BeforeValidator(_iso_day)]


class _FromRecord(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class NotFoundOut(BaseModel):
    detail: str = Field(examples=["not found"])


class ProblemOut(BaseModel):
    """Why a request was refused."""

    detail: str | list[dict[str, Any]] = Field(
        description="What was wrong: a sentence, or, for parameters FastAPI refused, one entry per problem.",
        examples=["authentication required"],
    )


class ReportOut(_FromRecord):
    id: str
    title: str | None
    source: str | None
    url: str | None
    published: date | None = Field(description="The document creation time (DCT).")
    published_inferred: bool = Field(description="True when the date was read from the text, not given.")
    language: str | None
    tlp: str = Field(description="TLP 2.0 level: clear, green, amber, amber+strict or red.")
    ingested_at: datetime
    topics: list[str]
    entity_count: int = Field(description="Entities read in the report that the caller may read.")
    near_duplicate_of: str | None = Field(
        description="The report this one is a syndicated copy of, when the caller may read it."
    )
    near_duplicate_similarity: float | None


class ReportPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[ReportOut]


class MarkingOut(BaseModel):
    tlp: str
    recipients: list[str] | None = Field(
        description="The organisations a TLP:RED report is for (shown to the home organisation only)."
    )


class CopyOut(BaseModel):
    report_id: str
    similarity: float


class MentionedEntityOut(_FromRecord):
    entity_id: str
    name: str
    type: str
    start: int = Field(description="Character offset of the mention in the report text.")
    end: int
    text: str


class RoleOut(_FromRecord):
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


class ClaimOut(_FromRecord):
    id: str
    report_id: str
    report_title: str | None
    source: str | None
    published: date | None
    subject_id: str | None = Field(description="The entity the figure is about, when the caller may read it.")
    subject: str | None
    value: float
    qualifier: str | None
    unit: str
    period: str | None
    evidence: str


class ClaimPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[ClaimOut]


class ParticipantOut(_FromRecord):
    entity_id: str
    name: str
    type: str
    role: str


class EventOut(_FromRecord):
    id: str
    type: str
    plover: str = Field(description="PLOVER event category.")
    plover_mode: str | None
    cameo: str | None = Field(description="CAMEO event code.")
    date: str | None = Field(description="ISO date, as precise as the sources say (year, month or day).")
    date_precision: str | None
    location_id: str | None
    location: str | None
    status: str
    confidence: float
    topics: list[str]
    participants: list[ParticipantOut]
    sources: int = Field(description="Readable reports telling the event; a syndicated copy counts once.")


class EventPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[EventOut]


class EventSourceOut(_FromRecord):
    report_id: str
    title: str | None
    source: str | None
    published: date | None
    language: str | None
    date: str | None
    date_text: str | None
    evidence: list[str] = Field(description="The sentences of the report that support the event.")
    copy_of: str | None


class EventDetailOut(BaseModel):
    event: EventOut
    sources: list[EventSourceOut]
    claims: list[ClaimOut]


class ReportDetailOut(BaseModel):
    report: ReportOut
    text: str
    marking: MarkingOut
    copies: list[CopyOut] = Field(description="Readable reports stored as syndicated copies of this one.")
    entities: list[MentionedEntityOut]
    events: list[EventOut]
    claims: list[ClaimOut]
    roles: list[RoleOut]


class EntityOut(_FromRecord):
    id: str
    type: str
    name: str
    mention_count: int = Field(description="Mentions in reports the caller may read.")
    report_count: int
    aliases: list[str]


class EntityPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[EntityOut]


class AliasOut(_FromRecord):
    alias: str
    language: str | None
    report_ids: list[str] = Field(description="Readable reports the alias was read in.")


class EntityMentionOut(_FromRecord):
    report_id: str
    report_title: str | None
    published: date | None
    start: int
    end: int
    text: str
    sentence: str


class EntityDetailOut(BaseModel):
    entity: EntityOut
    attributes: dict[str, str]
    aliases: list[AliasOut]
    mentions: list[EntityMentionOut] = Field(description="The latest mentions (mention_count counts all).")
    roles: list[RoleOut] = Field(description="Titles held over time, oldest first.")
    events: list[EventOut] = Field(description="Events taken part in, oldest first (the latest 200).")
    event_count: int


class SearchHitOut(_FromRecord):
    report_id: str
    title: str | None
    snippet: str
    score: float


class SearchOut(BaseModel):
    query: str
    items: list[SearchHitOut]


class StatsOut(_FromRecord):
    reports: int
    entities: int
    events: int
    claims: int


class MeOut(BaseModel):
    name: str
    organization: str
    home: bool = Field(description="True for the home organisation, False for a partner.")
    role: str
    can_write: bool
    collection_id: str = Field(description="The TAXII collection the caller reads through.")
    tlp_levels: list[str] = Field(description="TLP levels the caller reads without being named.")
    topics: list[str] = Field(description="The topics a partner's agreement limits it to (empty: all).")


class IngestRequest(BaseModel):
    """A report to store; ``recipients`` name the organisations a TLP:RED report is for."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1)
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: Day | None = None
    language: str | None = None
    tlp: str = Field(description="TLP 2.0 level: clear, green, amber, amber+strict or red.")
    recipients: list[str] = Field(default_factory=list)


class IngestedReportOut(BaseModel):
    id: str
    outcome: str = Field(description="stored, unchanged or failed.")


class IngestFailureOut(BaseModel):
    source: str
    message: str


class IngestOut(BaseModel):
    stored: int
    unchanged: int
    near_duplicates: int
    reports: list[IngestedReportOut]
    failures: list[IngestFailureOut]
