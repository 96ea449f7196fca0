"""Property-based tests of the handling rules: over random markings, recipients, topics, agreements and
users, no organisation's collection holds anything its rules withhold, and it holds everything they allow.

The oracle below restates the rules independently of ``Audience``: it is the TLP 2.0 policy of issue 7.
Each example checks every read path against it: the TAXII collection (what TAXII pages and API exports
serve), and the store reads behind the REST API and the web pages (lists, details, full-text search,
counts). The HTTP layers over them are tested for "withheld answers like unknown" in tests/api.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liaison.domain import TLP, Marking
from liaison.publishing import publish
from liaison.settings import Settings
from liaison.share.stix_json import references
from liaison.store import Store
from liaison.store.publication import ObjectFilter
from tests.conftest import FIXED_TIME
from tests.sharing_factories import report_extraction, save

ORGS = ("Home", "Bravo", "Charlie", "Delta")
PEOPLE = ("Ann Lee", "Bob Ray", "Cy Moss")
GROUPS = ("Gang One", "Gang Two", "Gang Three")
AGENCIES = ("Europol", "Interpol")
TOPICS = ("terrorism", "cybercrime", "organised crime")


@dataclass(frozen=True)
class DrawnReport:
    tlp: TLP
    recipients: tuple[str, ...]
    person: str
    group: str
    agency: str
    topic: str
    same_event: bool  # its arrest is the first report's arrest, told again


@dataclass(frozen=True)
class DrawnAgreement:
    tlp_max: TLP
    topics: tuple[str, ...]


reports_strategy = st.builds(
    DrawnReport,
    tlp=st.sampled_from(list(TLP)),
    recipients=st.lists(st.sampled_from(ORGS), max_size=2, unique=True).map(tuple),
    person=st.sampled_from(PEOPLE),
    group=st.sampled_from(GROUPS),
    agency=st.sampled_from(AGENCIES),
    topic=st.sampled_from(TOPICS),
    same_event=st.booleans(),
)
agreement_strategy = st.none() | st.builds(
    DrawnAgreement,
    tlp_max=st.sampled_from([TLP.CLEAR, TLP.GREEN, TLP.AMBER]),
    topics=st.lists(st.sampled_from(TOPICS), max_size=2, unique=True).map(tuple),
)


def may_read(org: str, agreement: DrawnAgreement | None, report: DrawnReport) -> bool:
    """The rules of issue 7, restated: which reports an organisation reads."""
    home = org == "Home"
    if not home and agreement is not None and agreement.topics and report.topic not in agreement.topics:
        return False
    return marking_admits(org, agreement, report)


def marking_admits(org: str, agreement: DrawnAgreement | None, report: DrawnReport) -> bool:
    home = org == "Home"
    if report.tlp is TLP.RED:
        return org in report.recipients
    if report.tlp is TLP.CLEAR:
        return True
    if report.tlp is TLP.GREEN:
        return home or agreement is not None
    if report.tlp is TLP.AMBER:
        return home or (agreement is not None and agreement.tlp_max is TLP.AMBER)
    return home  # AMBER+STRICT


def _store(directory: str) -> tuple[Settings, Store]:
    settings_ = Settings(database_url=f"sqlite:///{Path(directory) / 'store.db'}", data_dir=Path(directory))
    return settings_, Store.open(settings_, clock=lambda: FIXED_TIME)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    drawn=st.lists(reports_strategy, min_size=1, max_size=6),
    agreements=st.fixed_dictionaries({org: agreement_strategy for org in ORGS[1:]}),
)
def test_no_collection_holds_what_its_organisation_may_not_read(
    drawn: list[DrawnReport], agreements: dict[str, DrawnAgreement | None]
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        settings_, store = _store(directory)
        try:
            store.add_organization("Home", home=True)
            for org in ORGS[1:]:
                store.add_organization(org)
                agreement = agreements[org]
                if agreement is not None:
                    store.set_agreement(org, agreement.tlp_max, agreement.topics)
            first = None
            for index, report in enumerate(drawn):
                extraction = report_extraction(
                    f"r{index}",
                    report.tlp,
                    person=report.person,
                    organization=report.agency,
                    group=report.group,
                    recipients=tuple(r.casefold() for r in report.recipients),
                )
                extraction = replace(
                    extraction,
                    report=replace(extraction.report, marking=Marking(report.tlp, tuple(report.recipients))),
                    topics=(report.topic,),
                )
                save(store, extraction, same_event_as=first if report.same_event else None)
                first = first or extraction
            publish(store, settings_)
            for org in ORGS:
                agreement = agreements.get(org)
                _check_collection(store, org, agreement, drawn)
        finally:
            store.close()


def _check_collection(
    store: Store, org: str, agreement: DrawnAgreement | None, drawn: list[DrawnReport]
) -> None:
    collection = store.collection_for(store.organization(org).id)
    objects = [
        json.loads(row.json)
        for row in store.collection_objects(collection.id, ObjectFilter(versions=("all",)), limit=100_000)
    ]
    ids = {o["id"] for o in objects}
    readable = {f"Report r{i}" for i, report in enumerate(drawn) if may_read(org, agreement, report)}
    served = {o["name"] for o in objects if o["type"] == "report"}
    assert served == readable, (org, agreement)
    # A person or group is shared only if the organisation may read every report naming it, and at
    # least one of them is on its topics.
    for name in (*PEOPLE, *GROUPS, *AGENCIES):
        sources = [r for r in drawn if name in (r.person, r.group, r.agency)]
        expected = bool(sources) and all(marking_admits(org, agreement, r) for r in sources)
        expected = expected and any(may_read(org, agreement, r) for r in sources)
        present = any(o.get("name") == name for o in objects)
        assert present == expected, (org, name, agreement)
    for item in objects:
        assert references(item) <= ids, (org, item["id"])  # nothing points at a withheld object
        if org != "Home" and agreement is not None and agreement.topics and item["type"] == "x-liaison-event":
            assert set(item.get("topics", [])) <= set(agreement.topics) | {"cybercrime"}, item
    _check_read_paths(store, collection.id, org, agreement, drawn, readable)


def _check_read_paths(
    store: Store,
    collection_id: str,
    org: str,
    agreement: DrawnAgreement | None,
    drawn: list[DrawnReport],
    readable: set[str],
) -> None:
    """The store reads behind the REST API and the web pages: lists, details, search, counts."""
    allowed_names = {"France"} if readable else set()
    for name in (*PEOPLE, *GROUPS, *AGENCIES):
        sources = [r for r in drawn if name in (r.person, r.group, r.agency)]
        if all(marking_admits(org, agreement, r) for r in sources) and any(
            may_read(org, agreement, r) for r in sources
        ):
            allowed_names.add(name)
    reports_page = store.readable_reports(collection_id, limit=100)
    assert {r.title for r in reports_page.items} == readable and reports_page.total == len(readable)
    for summary in store.list_reports(100):  # every stored report: a detail only when readable
        detail = store.readable_report(collection_id, summary.id)
        assert (detail is not None) == (summary.title in readable), (org, summary.title)
    hits = store.readable_search(collection_id, "Ref", limit=100)
    assert {h.title for h in hits} <= readable
    entities_page = store.readable_entities(collection_id, limit=200)
    assert {e.name for e in entities_page.items} <= allowed_names, org
    for summary in entities_page.items:
        detail = store.readable_entity(collection_id, summary.id)
        assert detail is not None
        assert {a.alias for a in detail.aliases} <= allowed_names | {summary.name}
        assert all(role.person in allowed_names for role in detail.roles)
    events_page = store.readable_events(collection_id, limit=100)
    for event in events_page.items:
        assert {p.name for p in event.participants} <= allowed_names, org
        detail = store.readable_event(collection_id, event.id)
        assert detail is not None and {s.title for s in detail.sources} <= readable
    claims_page = store.readable_claims(collection_id, limit=100)
    assert {c.report_title for c in claims_page.items} <= readable
    counts = store.readable_counts(collection_id)
    assert counts.reports == len(readable) and counts.entities == entities_page.total
    assert counts.events == events_page.total and counts.claims == claims_page.total
