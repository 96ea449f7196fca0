"""Cross-report entity resolution: one canonical entity per real-world person, organisation or place.

``resolve_entity`` decides, for an entity read in one report, which stored entity it is (if any) and
why. The store is reached only through the ``EntityDirectory`` protocol, so the rules are testable
without a database; every decision carries its reason so that ``liaison entity ID --why`` can show it
and an analyst can undo it.
"""

from liaison.resolve.entities import (
    EntityDirectory,
    KnownEntity,
    Resolution,
    resolution_keys,
    resolve_entity,
)
from liaison.resolve.events import EventDirectory, EventFacts, EventResolution, resolve_event

__all__ = [
    "EntityDirectory",
    "EventDirectory",
    "EventFacts",
    "EventResolution",
    "KnownEntity",
    "Resolution",
    "resolution_keys",
    "resolve_entity",
    "resolve_event",
]
