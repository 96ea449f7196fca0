"""The dashboard, search, sharing, ingest and export pages show each user exactly what it may read.

The scenario: Alpha is home, Bravo a partner with a GREEN agreement, Charlie one with an AMBER agreement
limited to cybercrime. Reports (each with its own person, agency, gang and country):

- clear (CLEAR, France, 2024), green (GREEN, Spain, in French, 2023), strict (AMBER+STRICT, Portugal),
  amber (AMBER, Italy, an attack on terrorism), red (RED for Charlie only, Germany).

Bravo reads clear and green; Charlie reads clear, green and red; Alpha all but red.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date

import httpx
import pytest

from liaison.domain import TLP, AccountRole, EntityType, Extraction, entity_id_for
from liaison.publishing import publish
from liaison.settings import Settings
from liaison.store import Store
from tests.conftest import FIXED_TIME
from tests.sharing_factories import report_extraction, save
from tests.web.browsing import Site, add_users, csrf_token_in, post_form, serving

COUNTRIES = {"clear": "France", "green": "Spain", "strict": "Portugal", "amber": "Italy", "red": "Germany"}


def _extraction(tag: str, tlp: TLP, recipients: tuple[str, ...] = ()) -> Extraction:
    name = tag.capitalize()
    return report_extraction(
        tag,
        tlp,
        person=f"{name} Person",
        organization=f"{name} Agency",
        country=COUNTRIES[tag],
        group=f"{name} Gang",
        recipients=recipients,
    )


@dataclass(frozen=True)
class Scenario:
    site: Site
    reports: dict[str, str]  # tag -> report ID

    def tags(self, html: str) -> set[str]:
        """The scenario's reports a search result page lists."""
        by_id = {report_id: tag for tag, report_id in self.reports.items()}
        return {by_id[found] for found in re.findall(r'data-report-id="([^"]+)"', html)}


def build(store: Store, settings: Settings, *extra: Extraction) -> dict[str, str]:
    store.add_organization("Alpha", home=True)
    store.add_organization("Bravo")
    store.add_organization("Charlie")
    store.set_agreement("Bravo", TLP.GREEN)
    store.set_agreement("Charlie", TLP.AMBER, topics=("cybercrime",))
    clear = _extraction("clear", TLP.CLEAR)
    green = _extraction("green", TLP.GREEN)
    green = replace(green, report=replace(green.report, language="fr", published=date(2023, 5, 1)))
    strict = _extraction("strict", TLP.AMBER_STRICT)
    amber = _extraction("amber", TLP.AMBER)
    attack = replace(amber.events[0], type="attack", topics=("terrorism",))
    amber = replace(amber, events=(attack,), topics=("terrorism",))
    red = _extraction("red", TLP.RED, recipients=("charlie",))
    tagged = {"clear": clear, "green": green, "strict": strict, "amber": amber, "red": red}
    for extraction in (*tagged.values(), *extra):
        save(store, extraction)
    publish(store, settings, now=FIXED_TIME)
    add_users(
        store,
        {
            "ada": ("Alpha", AccountRole.ADMIN),
            "ann": ("Alpha", AccountRole.ANALYST),
            "rob": ("Alpha", AccountRole.READER),
            "bob": ("Bravo", AccountRole.PARTNER),
            "cat": ("Charlie", AccountRole.PARTNER),
        },
    )
    return {tag: extraction.report.id for tag, extraction in tagged.items()}


@pytest.fixture
def scenario(settings: Settings, store: Store) -> Iterator[Scenario]:
    reports = build(store, settings)
    with serving(settings, store) as site:
        yield Scenario(site, reports)


def _ok(client: httpx.Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code, response.text[:500])
    return response.text


def _facet(html: str, key: str) -> dict[str, int]:
    section = re.search(rf'<section class="facet" id="facet-{key}".*?</section>', html, re.S)
    assert section, key
    pairs = re.findall(
        rf'data-facet="{key}">(?:✓ )?([^<]+)</a>\s*<span class="facet-count">(\d+)</span>', section.group(0)
    )
    return {label: int(count) for label, count in pairs}


def _names_of(tag: str) -> list[str]:
    name = tag.capitalize()
    return [f"Report {tag}", f"{name} Person", f"{name} Agency", f"{name} Gang", COUNTRIES[tag]]


def test_a_partner_never_sees_a_report_it_may_not_read(scenario: Scenario) -> None:
    site = scenario.site
    expected = {
        "bob": {"clear", "green"},
        "cat": {"clear", "green", "red"},
        "ann": {"clear", "green", "strict", "amber"},
    }
    for user, readable in expected.items():
        client = site.logged_in(user)
        pages = {
            "dashboard": _ok(client, "/"),
            "search": _ok(client, "/search?q=arrested"),
            "all": _ok(client, "/search"),
            "sharing": _ok(client, "/sharing"),
        }
        assert scenario.tags(pages["search"]) == readable, user
        assert scenario.tags(pages["all"]) == readable, user
        for tag in set(COUNTRIES) - readable:
            for name in _names_of(tag):
                for page, html in pages.items():
                    assert name not in html, (user, page, name)
            for level in ("amber", "red") if user == "bob" else ():
                assert not _ok(client, f"/search?tlp={level}").count("data-report-id="), (user, level)
        assert f'id="count-reports">{len(readable)}<' in pages["dashboard"], user
        facet_levels = set(_facet(pages["all"], "tlp"))
        assert facet_levels == {TLP(tag.replace("strict", "amber+strict")).value.upper() for tag in readable}
        # Asking for what it may not read by its ID finds nothing either.
        italy = entity_id_for(EntityType.COUNTRY, "Italy")
        if "amber" not in readable:
            assert scenario.tags(_ok(client, f"/search?country={italy}")) == set()
    # The dashboard's chart counts only readable events (one per report here).
    bob = site.logged_in("bob")
    assert re.search(r'id="events-by-type" data-rendered="true" data-points="2"', _ok(bob, "/"))


def test_search_facets_filter_the_results(scenario: Scenario) -> None:
    ann = scenario.site.logged_in("ann")
    france = entity_id_for(EntityType.COUNTRY, "France")
    cases = {
        "/search?type=attack": {"amber"},
        "/search?type=arrest": {"clear", "green", "strict"},
        "/search?topic=terrorism": {"amber"},
        f"/search?country={france}": {"clear"},
        "/search?language=fr": {"green"},
        "/search?from=2024-01-01": {"clear", "strict", "amber"},
        "/search?from=2023-01-01&to=2023-12-31": {"green"},
        "/search?tlp=amber%2Bstrict": {"strict"},
        "/search?tlp=amber+strict": {"strict"},  # the plus as a space, as a browser's form may send it
        "/search?q=arrested&topic=cybercrime&language=en": {"clear", "strict"},
        "/search?q=Portugal": {"strict"},
        "/search?q=Portugal&tlp=clear": set(),
    }
    for path, expected in cases.items():
        assert scenario.tags(_ok(ann, path)) == expected, path
    everything = _ok(ann, "/search")
    assert _facet(everything, "tlp") == {"CLEAR": 1, "GREEN": 1, "AMBER": 1, "AMBER+STRICT": 1}
    assert _facet(everything, "topic") == {"cybercrime": 3, "terrorism": 1}
    assert _facet(everything, "type") == {"arrest": 3, "attack": 1}
    assert _facet(everything, "year") == {"2024": 3, "2023": 1}
    assert _facet(everything, "language") == {"en": 3, "fr": 1}
    assert _facet(everything, "country") == {"France": 1, "Spain": 1, "Portugal": 1, "Italy": 1}
    # Facets count within the current results; a chosen value links back to the results without it.
    narrowed = _ok(ann, "/search?topic=cybercrime")
    assert _facet(narrowed, "language") == {"en": 2, "fr": 1}
    assert 'href="/search" aria-current="true" data-facet="topic">✓ cybercrime</a>' in narrowed
    # A value that is not a date is reported and not applied.
    bad = _ok(ann, "/search?from=someday")
    assert "from: use a date written YYYY-MM-DD" in bad and len(scenario.tags(bad)) == 4


def test_hostile_report_text_is_escaped_everywhere(settings: Settings, store: Store) -> None:
    hostile = report_extraction(
        "hostile",
        TLP.CLEAR,
        person='<script>alert("person")</script>',
        organization="<img src=x onerror=alert(1)>",
        country="France",
        group='"><svg onload=alert(2)>',
    )
    hostile = replace(hostile, report=replace(hostile.report, title='<b onmouseover="alert(3)">Title</b>'))
    build(store, settings, hostile)
    with serving(settings, store) as site:
        ann = site.logged_in("ann")
        for path in ("/", "/search?q=alert", "/search?q=onerror", "/search?topic=cybercrime"):
            html = _ok(ann, path)
            assert "&lt;img src=x " in html or "&lt;script&gt;" in html, path  # shown, as text
            assert not re.search(r"<script\b(?![^>]*\bsrc=\"/static/)", html), path
            assert not re.search(r"<img\b|<svg onload|<b\b", html), path
            assert not re.search(r"<[^>]*\son(error|load|mouseover)\s*=", html), path
        assert "&lt;img src=x onerror=alert(1)&gt;" in _ok(ann, "/")
        assert "&lt;b onmouseover=&#34;alert(3)&#34;&gt;Title&lt;/b&gt;" in _ok(ann, "/")
        assert "&lt;script&gt;alert(&#34;person&#34;)&lt;/script&gt;" in _ok(ann, "/")
        assert "onerror=<mark>alert</mark>(1)&gt;" in _ok(ann, "/search?q=alert")


def test_an_analyst_uploads_a_report_and_a_reader_or_partner_may_not(scenario: Scenario) -> None:
    site = scenario.site
    text = b"Customs officers in Marseille seized 40 kilograms of cocaine on Friday, the prosecutor said."
    form = {"tlp": "green", "source": "Customs", "title": "Seizure in Marseille"}
    for user in ("rob", "bob"):
        client = site.logged_in(user)
        assert client.get("/ingest").status_code == 403, user
        refused = post_form(client, "/ingest/upload", form, files={"file": ("brief.txt", text)})
        assert refused.status_code == 403, user
    ann = site.logged_in("ann")
    page = _ok(ann, "/ingest")
    assert 'enctype="multipart/form-data"' in page
    token = csrf_token_in(page)
    without_token = ann.post("/ingest/upload", data=form, files={"file": ("brief.txt", text)})
    assert without_token.status_code == 403
    bad_level = ann.post(
        "/ingest/upload", data={**form, "tlp": "purple", "csrf_token": token}, files={"file": ("a.txt", text)}
    )
    assert bad_level.status_code == 422 and "Choose a TLP marking." in bad_level.text
    before = site.store.readable_counts(_collection(site.store, "Alpha")).reports
    uploaded = ann.post(
        "/ingest/upload", data={**form, "csrf_token": token}, files={"file": ("brief.txt", text)}
    )
    assert uploaded.status_code == 200, uploaded.text
    (report_id,) = re.findall(r'data-ingested="([^"]+)"', uploaded.text)
    detail = site.store.readable_report(_collection(site.store, "Bravo"), report_id)
    assert detail is not None and detail.summary.title == "Seizure in Marseille"
    assert detail.summary.tlp == "green" and detail.summary.source == "Customs"
    assert site.store.readable_counts(_collection(site.store, "Alpha")).reports == before + 1
    # A page on a private address is refused by the fetcher, and said so.
    fetched = post_form(ann, "/ingest/url", {"address": f"{site.url}/login", "tlp": "clear"})
    assert fetched.status_code == 422 and 'id="ingest-result"' in fetched.text
    entries = [(e.actor, e.detail) for e in site.store.audit_entries() if e.action == "web.ingest"]
    assert [actor for actor, _ in entries] == ["ann", "ann", "ann"]
    assert entries[1][1]["stored"] == 1 and entries[1][1]["reports"] == [report_id]


def _collection(store: Store, organization: str) -> str:
    return {c.organization: c.id for c in store.collections()}[organization]


def test_exports_hold_only_what_the_caller_reads(scenario: Scenario) -> None:
    bob = scenario.site.logged_in("bob")
    bundle = bob.get("/export/stix")
    assert bundle.status_code == 200 and "attachment" in bundle.headers["content-disposition"]
    ids = {item["id"] for item in bundle.json()["objects"]}
    reports = {f"report--{report_id}": tag for tag, report_id in scenario.reports.items()}
    assert {reports[i] for i in ids if i in reports} == {"clear", "green"}
    only_clear = bob.get("/export/stix?tlp_max=clear").json()["objects"]
    assert {reports[o["id"]] for o in only_clear if o["id"] in reports} == {"clear"}
    misp = bob.get("/export/misp")
    assert misp.status_code == 200 and "Amber Agency" not in misp.text
    assert [event["Event"]["info"] for event in misp.json()["response"]]
    archive = zipfile.ZipFile(io.BytesIO(bob.get("/export/csv").content))
    assert sorted(archive.namelist()) == ["claims.csv", "entities.csv", "events.csv"]
    entities = archive.read("entities.csv").decode("utf-8")
    assert "Green Person" in entities and "Red Person" not in entities and "Amber Person" not in entities
    assert bob.get("/export/nothing").status_code == 404
    exports = [e.detail["format"] for e in scenario.site.store.audit_entries() if e.action == "web.export"]
    assert exports == ["stix", "stix", "misp", "csv"]


def test_the_sharing_page_shows_each_partner_what_it_received_and_admins_change_agreements(
    scenario: Scenario,
) -> None:
    site = scenario.site
    red_object = f"report--{scenario.reports['red']}"
    ann = site.logged_in("ann")
    sharing = _ok(ann, "/sharing")
    assert 'data-organization="Bravo"' in sharing and 'data-organization="Charlie"' in sharing
    assert 'id="agreement-form"' not in sharing  # an analyst reads agreements, an admin changes them
    # Alpha may not read the RED report for Charlie: not even in what Charlie received.
    assert red_object not in _ok(ann, "/sharing/Charlie")
    cat = site.logged_in("cat")
    received = _ok(cat, "/sharing/Charlie")
    assert red_object in received and "Report red" in received and "tlp-red" in received
    assert 'data-organization="Bravo"' not in _ok(cat, "/sharing")
    # Another partner's page and a page of no one answer alike.
    other, nobody = cat.get("/sharing/Bravo"), cat.get("/sharing/Nobody")
    assert other.status_code == nobody.status_code == 404 and other.text == nobody.text

    refused = post_form(ann, "/sharing/agreements", {"organization": "Bravo", "tlp_max": "amber"})
    assert refused.status_code == 403
    ada = site.logged_in("ada")
    assert 'id="agreement-form"' in _ok(ada, "/sharing")
    changed = post_form(ada, "/sharing/agreements", {"organization": "Bravo", "tlp_max": "amber"})
    assert changed.status_code == 303 and changed.headers["location"] == "/sharing"
    bob = site.logged_in("bob")
    assert scenario.tags(_ok(bob, "/search")) == {"clear", "green", "amber"}
    removed = post_form(ada, "/sharing/agreements/remove", {"organization": "Bravo"})
    assert removed.status_code == 303
    assert scenario.tags(_ok(bob, "/search")) == {"clear"}
    too_high = post_form(ada, "/sharing/agreements", {"organization": "Bravo", "tlp_max": "red"})
    assert too_high.status_code == 400 and "at most TLP:AMBER" in too_high.text
    changes = [
        (e.actor, e.action, e.target) for e in site.store.audit_entries() if e.action.startswith("share.")
    ]
    assert changes == [("ada", "share.set", "Bravo"), ("ada", "share.remove", "Bravo")]
