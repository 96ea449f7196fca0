"""The store stage: schema, migrations and queries. No other package writes SQL."""

from liaison.store.repository import (
    EntityDetail,
    EntityMention,
    EntitySummary,
    ReportDetail,
    ReportSummary,
    SearchHit,
    Store,
)

__all__ = [
    "EntityDetail",
    "EntityMention",
    "EntitySummary",
    "ReportDetail",
    "ReportSummary",
    "SearchHit",
    "Store",
]
