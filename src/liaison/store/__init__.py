"""The store stage: schema, migrations and queries. No other package writes SQL."""

from liaison.store.collection import FeedRecord, StoredFingerprint
from liaison.store.entities import (
    AliasRecord,
    EntityDetail,
    EntityMention,
    EntitySummary,
    Explanation,
    LinkRecord,
    RoleRecord,
)
from liaison.store.events import ClaimRecord, EventDetail, EventSource, EventSummary
from liaison.store.repository import ReportDetail, ReportSummary, SearchHit, Store

__all__ = [
    "AliasRecord",
    "ClaimRecord",
    "EntityDetail",
    "EntityMention",
    "EntitySummary",
    "EventDetail",
    "EventSource",
    "EventSummary",
    "Explanation",
    "FeedRecord",
    "LinkRecord",
    "ReportDetail",
    "ReportSummary",
    "RoleRecord",
    "SearchHit",
    "Store",
    "StoredFingerprint",
]
