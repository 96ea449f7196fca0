"""Use cases that share: export the store as a STIX 2.1 bundle, import a partner's bundle.

Export: the reports selected (``--since``, ``--tlp-max``, ``--entity``) and what was read in them, each
object marked with the most restrictive TLP of its reports, plus the partners' objects received before
(their current versions, exactly as received). The same store exports the same bytes.

Import: a bundle is checked whole (size, JSON, STIX 2.1, the OASIS validator, references) and then kept
whole in one transaction, or refused with every reason and nothing stored. Received objects keep their
IDs and markings, and who sent them, in which bundle, and when. Receiving the same bundle again changes
nothing; a later ``modified`` becomes the current version and earlier ones stay as history.

Received objects are not turned into Liaison entities: they stay the partner's objects, exported
unchanged, so that Liaison never presents a partner's assertion as something it read itself. Once
published, what a bundle brought is matched against users' watches (``liaison.watching_received``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from liaison import watching_received
from liaison.domain import TLP
from liaison.errors import InvalidBundle
from liaison.publishing import publish
from liaison.settings import Settings
from liaison.share.stix import build_bundle
from liaison.share.stix_import import check_references, read_bundle
from liaison.share.stix_json import bundle_json
from liaison.store import Store

__all__ = ["ImportSummary", "bundle_json", "export_bundle", "import_bundle"]


@dataclass
class ImportSummary:
    """What one import did. ``errors`` is empty when the bundle was accepted."""

    stored: int = 0  # objects not kept before
    unchanged: int = 0  # versions already kept
    replaced: int = 0  # later versions that became current (the earlier ones stay as history)
    bundle_id: str | None = None
    errors: list[str] = field(default_factory=list)
    older: int = 0  # earlier versions than the current one, kept as history only
    source: str = "-"
    alerts: int = 0  # alerts raised on watches by the objects received (``liaison.watching_received``)

    @property
    def ok(self) -> bool:
        return not self.errors


def export_bundle(
    store: Store,
    settings: Settings,
    since: date | None = None,
    tlp_max: TLP | None = None,
    entity: str | None = None,
) -> dict[str, Any]:
    """The STIX 2.1 bundle of the store, as a JSON-ready dict (write it with ``bundle_json``).

    Received objects are included unless ``entity`` narrows the export to Liaison's own reports about
    one entity; ``since`` applies to when they were received.
    """
    shareable = store.shareable(since=since, tlp_max=tlp_max, entity=entity)
    received = [] if entity else [json.loads(o.json) for o in store.current_stix_objects(since)]
    return build_bundle(shareable, settings.organization_name, received, tlp_max)


def import_bundle(
    bundle: Mapping[str, Any] | str | bytes,
    settings: Settings,
    store: Store,
    received_from: str,
    source: str = "-",
) -> ImportSummary:
    """Check a partner's bundle and keep its objects with their provenance; all or nothing."""
    partner = received_from.strip()
    if not partner:
        return ImportSummary(errors=[f"{source}: say who sent the bundle (--from PARTNER)"], source=source)
    try:
        read = read_bundle(bundle, settings.max_bundle_bytes, source)
        check_references(read, store.known_stix_ids, source)
    except InvalidBundle as error:
        return ImportSummary(errors=[f"{source}: {message}" for message in error.messages], source=source)
    saved = store.save_stix_objects(read.objects, partner, read.id, source)
    alerts = 0
    if saved.stored or saved.replaced:
        publish(store, settings)
        # Only what this bundle stored or gave a new version of: the same objects again alert nobody.
        alerts = len(watching_received.check_received_objects(store, settings, saved.changed))
    return ImportSummary(
        stored=saved.stored,
        unchanged=saved.unchanged,
        replaced=saved.replaced,
        bundle_id=read.id,
        older=saved.older,
        source=source,
        alerts=alerts,
    )
