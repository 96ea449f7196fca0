"""Use case: publish what each organisation may read into its TAXII collection.

For every organisation (the home one and each partner), the store is read through that organisation's
handling rules (``Store.audience_for``: TLP levels, agreement topics, RED recipients) and turned into STIX
exactly as an export would; partners' objects received before are added when their marking allows. The
result is compared with what the collection already serves:

- a new object, or a later ``modified``, is added as a new version, with the moment it was added;
- an object whose content changed without a later ``modified`` (a report whose references shrank
  because an entity became RED elsewhere) gets ``modified`` set to the publication moment, so that
  clients see a new version instead of different bytes under the same version;
- an object the organisation may no longer read is withdrawn: no longer served, in any version.

The store rows behind each collection (reports, entities, events, claims, roles) are recorded too: the
REST API reads through them, so TAXII and REST apply the same rules.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from liaison.domain import TLP, Audience, ShareableSet
from liaison.settings import Settings
from liaison.share.markings import tlp_of
from liaison.share.stix import build_bundle
from liaison.share.stix_json import version_key
from liaison.store import Store
from liaison.store.accounts import CollectionRecord
from liaison.store.publication import PublishedObject


@dataclass(frozen=True)
class CollectionPublication:
    collection_id: str
    organization: str
    objects: int  # objects the organisation may read now
    added: int
    unchanged: int
    withdrawn: int


def _stix_time(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _version_of(stix_object: dict[str, Any]) -> str:
    return str(stix_object.get("modified") or stix_object.get("created") or "")


def _received_for(store: Store, audience: Audience, home: bool) -> list[dict[str, Any]]:
    """Partners' objects the audience may read: by their own marking; RED ones stay home."""
    chosen = []
    for stored in store.current_stix_objects():
        item = json.loads(stored.json)
        level = tlp_of(item) or TLP.CLEAR
        if level in audience.levels or (level is TLP.RED and home):
            chosen.append(item)
    return chosen


def members_of(shareable: ShareableSet) -> dict[str, set[str]]:
    return {
        "report": {r.id for r in shareable.reports},
        "entity": {e.id for e in shareable.entities},
        "event": {e.id for e in shareable.events},
        "claim": {c.id for c in shareable.claims},
        "role": {r.id for r in shareable.roles},
    }


def publish_collection(
    store: Store, settings: Settings, collection: CollectionRecord, now: datetime | None = None
) -> CollectionPublication:
    audience = store.audience_for(collection.organization_id)
    home = not audience.topics and TLP.AMBER_STRICT in audience.levels
    shareable = store.shareable(audience=audience)
    received = _received_for(store, audience, home)
    bundle = build_bundle(shareable, settings.organization_name, received)
    moment = now or datetime.now(UTC)
    current = store.current_versions(collection.id)
    new_versions: list[PublishedObject] = []
    unchanged = 0
    seen: set[str] = set()
    for item in bundle["objects"]:
        stix_id = str(item["id"])
        seen.add(stix_id)
        text = json.dumps(item, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        before = current.get(stix_id)
        if before is not None and before.json == text:
            unchanged += 1
            continue
        version = _version_of(item)
        if before is not None and version_key(version) <= before.version_key:
            if "modified" not in item:
                unchanged += 1  # a constant object (a marking definition) cannot take a new version
                continue
            bumped = max(moment, datetime.fromisoformat(before.version.replace("Z", "+00:00")))
            if version_key(_stix_time(bumped)) <= before.version_key:
                bumped += timedelta(milliseconds=1)
            item = {**item, "modified": _stix_time(bumped)}
            version = item["modified"]
            text = json.dumps(item, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        new_versions.append(
            PublishedObject(
                stix_id=stix_id,
                version=version,
                version_key=version_key(version),
                type=str(item["type"]),
                spec_version=str(item.get("spec_version", "2.1")),
                json=text,
            )
        )
    withdrawn = set(current) - seen
    result = store.apply_publication(collection.id, new_versions, withdrawn, members_of(shareable), unchanged)
    return CollectionPublication(
        collection.id, collection.organization, len(seen), result.added, result.unchanged, result.withdrawn
    )


def publish(store: Store, settings: Settings, now: datetime | None = None) -> list[CollectionPublication]:
    """Bring every organisation's collection up to date with the store; nothing to do without any."""
    return [publish_collection(store, settings, collection, now) for collection in store.collections()]
