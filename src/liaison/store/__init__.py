"""The store stage: schema, migrations and queries. No other package writes SQL."""

from liaison.domain import (
    ShareableClaim,
    ShareableEntity,
    ShareableEvent,
    ShareableReport,
    ShareableRole,
    ShareableSet,
    StoredStixObject,
)
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
from liaison.store.stix_objects import StixSaveResult

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
    "ShareableClaim",
    "ShareableEntity",
    "ShareableEvent",
    "ShareableReport",
    "ShareableRole",
    "ShareableSet",
    "StixSaveResult",
    "Store",
    "StoredFingerprint",
    "StoredStixObject",
]
