"""The demo store the browser tests and the screenshots run on: the example reports, run through the real
pipeline, plus a home organisation with its staff, a GREEN partner with one user, an AMBER partner, and two
reports marked AMBER and RED.

It is built by the real use cases (``liaison.services.ingest_reports``, which publishes every
organisation's collection), so the pages show what an instance fed with ``make demo`` would show.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from liaison.accounts import hash_password
from liaison.domain import TLP, AccountRole, Marking, Report
from liaison.errors import InputError
from liaison.publishing import publish
from liaison.services import ingest_reports, read_reports
from liaison.settings import Settings
from liaison.store import Store
from tests.sharing_factories import report_extraction, save

ROOT = Path(__file__).resolve().parents[3]
DEMO_CORPUS = ROOT / "examples" / "reports"

PASSWORD = "correct horse battery staple"
HOME = "Central Bureau"
PARTNER = "Allied Police"  # GREEN agreement: reads CLEAR and GREEN, never AMBER or RED
AMBER_PARTNER = "Nordic Cyber Unit"  # AMBER agreement on cybercrime; no user, shown on the sharing page

ADMIN = "alex"
ANALYST = "ana"
READER = "rory"
PARTNER_USER = "pia"
USERS = {
    ADMIN: (HOME, AccountRole.ADMIN),
    ANALYST: (HOME, AccountRole.ANALYST),
    READER: (HOME, AccountRole.READER),
    PARTNER_USER: (PARTNER, AccountRole.PARTNER),
}

AMBER_REPORT = Report(
    title="Black Anchor money-laundering cell dismantled in Valencia",
    source="Liaison officer, Madrid",
    published=date(2024, 2, 15),
    language="en",
    marking=Marking(TLP.AMBER),
    text=(
        "On 14 February 2024 the Spanish Guardia Civil arrested Tomas Reyes in Valencia. Investigators "
        "describe him as the financial manager of the Black Anchor cartel, which laundered the proceeds of "
        "cocaine trafficking through shell companies registered in Panama.\n\n"
        "Europol supported the operation and analysed seized ledgers. Eleven bank accounts were frozen in "
        "Spain and Portugal, and two associates were detained in Lisbon the following day."
    ),
)

RED_REPORT = Report(
    title="Grey Wolf ransomware financier travelling to Vienna",
    source="Sensitive source, for the home organisation only",
    published=date(2024, 3, 4),
    language="en",
    marking=Marking(TLP.RED, (HOME,)),
    text=(
        "On 2 March 2024 Viktor Lang, who finances the Grey Wolf ransomware group, met two associates in "
        "Vienna. According to a sensitive source he plans to move cryptocurrency through exchanges in Dubai "
        "before the end of the month.\n\n"
        "The Austrian Federal Criminal Police Office has not been informed. Lang previously lived in Prague."
    ),
)


# Report text is untrusted. This one carries markup that would run if any page inserted it unescaped:
# each payload sets ``window.__pwned`` (and the image on another loopback origin would also show up as a
# request leaving the server's origin). Only the browser tests ingest it, never the screenshots' store.
PWNED_SCRIPT = "<script>window.__pwned=1</script>"
PWNED_HANDLER = '<img src=x onerror="window.__pwned=1">'
HOSTILE_REPORT = Report(
    title=f"Phishing kit seller arrested {PWNED_SCRIPT}",
    source=f"Hostile feed {PWNED_HANDLER}",
    published=date(2024, 5, 7),
    language="en",
    text=(
        f"On 6 May 2024 Dutch police arrested Pieter Bakker in Rotterdam {PWNED_SCRIPT} for selling "
        f"phishing kits to criminals in Belgium {PWNED_HANDLER}. Europol said the kits imitated the "
        'websites of forty banks <svg onload="window.__pwned=1"><a href="javascript:window.__pwned=1" '
        'onclick="window.__pwned=1" onmouseover="window.__pwned=1" onfocus="window.__pwned=1">'
        "click</a></svg>."
        '\n\nBakker, 31, was also charged with money laundering <img src="http://127.0.0.2:9/pwned.png"> '
        '<iframe srcdoc="<script>parent.__pwned=1</script>"></iframe> by the prosecutor in The Hague.'
    ),
)


@dataclass
class DemoStore:
    settings: Settings
    store: Store
    report_ids: dict[str, str] = field(default_factory=dict)  # tag -> report id ("amber", "red", extras)
    entity_ids: dict[str, str] = field(default_factory=dict)  # tag -> entity id
    event_ids: dict[str, str] = field(default_factory=dict)  # tag -> event id

    def close(self) -> None:
        self.store.close()


def add_organisations_and_users(store: Store) -> None:
    """The home organisation with an admin, an analyst and a reader; a GREEN partner with a user."""
    store.add_organization(HOME, home=True)
    store.add_organization(PARTNER)
    store.add_organization(AMBER_PARTNER)
    store.set_agreement(PARTNER, TLP.GREEN)
    store.set_agreement(AMBER_PARTNER, TLP.AMBER, topics=("cybercrime",))
    hashed = hash_password(PASSWORD)
    for name, (organisation, role) in USERS.items():
        store.add_user(name, organisation, role, hashed)


def build_demo_store(settings: Settings, extras: Sequence[tuple[str, Report]] = ()) -> DemoStore:
    """Create the store at ``settings`` and fill it; ``extras`` are more (tag, report) pairs to ingest."""
    store = Store.open(settings)
    try:
        add_organisations_and_users(store)
        items: list[Report | InputError] = read_reports([DEMO_CORPUS], settings)
        tagged = [("amber", AMBER_REPORT), ("red", RED_REPORT), *extras]
        items.extend(report for _, report in tagged)
        summary = ingest_reports(items, settings, store, workers=1)
        if summary.failures:
            raise RuntimeError(f"the demo corpus did not ingest cleanly: {summary.failures}")
    except BaseException:
        store.close()
        raise
    return DemoStore(settings, store, {tag: report.id for tag, report in tagged})


def add_hostile_names(demo: DemoStore) -> None:
    """A hand-made extraction whose entity names carry the payloads, so that what the pages' scripts draw
    from data (timeline, map and graph labels, mention popovers) is checked as well as the HTML.

    The person takes part in a dated event in a country with an organisation and a group: each of their
    pages has something in every chart."""
    extraction = report_extraction(
        "hostile-names",
        TLP.CLEAR,
        person=f"Eve {PWNED_HANDLER}",
        organization=f"{PWNED_SCRIPT} Bureau",
        group='<svg onload="window.__pwned=1">Gang</svg>',
    )
    save(demo.store, extraction)
    publish(demo.store, demo.settings)
    person, organization, _, group = extraction.entities
    demo.report_ids["hostile-names"] = extraction.report.id
    demo.entity_ids.update(
        {"hostile-person": person.id, "hostile-org": organization.id, "hostile-group": group.id}
    )
    demo.event_ids["hostile"] = extraction.events[0].id
