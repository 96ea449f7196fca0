"""A small store for brief tests, from hand-made extractions (no NLP model): one person named in GREEN,
AMBER and RED reports, with marker words that only the AMBER and RED reports contain.

- two GREEN reports tell the same arrest (by an organisation and of a group named only in GREEN reports)
  with different figures: a conflict;
- an AMBER report and a RED report (for the home organisation) name the same person, with organisations,
  groups, countries, titles and reference words of their own (``AMBER_MARKERS``, ``RED_MARKERS``).
"""

from __future__ import annotations

from dataclasses import dataclass

from liaison.domain import TLP
from liaison.publishing import publish
from liaison.settings import Settings
from liaison.store import Store
from tests.sharing_factories import report_extraction, save

HOME = "Home Bureau"
GREEN_PARTNER = "Green Partner"
AMBER_PARTNER = "Amber Partner"
PERSON = "Ada Quill"
GREEN_ORG = "Harbour Watch"
GREEN_GROUP = "Tidal Crew"
AMBER_ORG = "Saffron Directorate"
AMBER_GROUP = "Ochre Syndicate"
RED_ORG = "Crimson Ledger"
RED_GROUP = "Scarlet Cell"
GREEN_TAGS = ("greenfirst", "greensecond")
AMBER_TAG = "ambersecretref"
RED_TAG = "redsecretref"
AMBER_MARKERS = (AMBER_ORG, AMBER_GROUP, AMBER_TAG, "Portugal")
RED_MARKERS = (RED_ORG, RED_GROUP, RED_TAG, "Austria")


@dataclass(frozen=True)
class BriefWorld:
    person_id: str
    green_org_id: str
    green_report_ids: tuple[str, ...]
    amber_report_id: str
    red_report_id: str
    event_id: str


def build_world(store: Store, settings: Settings) -> BriefWorld:
    store.add_organization(HOME, home=True)
    store.add_organization(GREEN_PARTNER)
    store.add_organization(AMBER_PARTNER)
    store.set_agreement(GREEN_PARTNER, TLP.GREEN)
    store.set_agreement(AMBER_PARTNER, TLP.AMBER)
    first = report_extraction(
        GREEN_TAGS[0], TLP.GREEN, person=PERSON, organization=GREEN_ORG, group=GREEN_GROUP, servers=34
    )
    second = report_extraction(
        GREEN_TAGS[1], TLP.GREEN, person=PERSON, organization=GREEN_ORG, group=GREEN_GROUP, servers=41
    )
    amber = report_extraction(
        AMBER_TAG, TLP.AMBER, person=PERSON, organization=AMBER_ORG, country="Portugal", group=AMBER_GROUP
    )
    red = report_extraction(
        RED_TAG,
        TLP.RED,
        person=PERSON,
        organization=RED_ORG,
        country="Austria",
        group=RED_GROUP,
        recipients=(HOME,),
    )
    save(store, first)
    save(store, second, same_event_as=first)
    save(store, amber)
    save(store, red)
    publish(store, settings)
    return BriefWorld(
        person_id=store.canonical_of(first.entities[0].id) or first.entities[0].id,
        green_org_id=store.canonical_of(first.entities[1].id) or first.entities[1].id,
        green_report_ids=(first.report.id, second.report.id),
        amber_report_id=amber.report.id,
        red_report_id=red.report.id,
        event_id=first.events[0].id,
    )


def collection_of(store: Store, organisation: str) -> str:
    return store.collection_for(store.organization(organisation).id).id
