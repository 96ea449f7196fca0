"""The brief page, ``/brief``, its document and the entity page's Brief form, over a live server."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from liaison.api.rest_brief import BRIEF_CSP
from liaison.domain import AccountRole
from liaison.settings import Settings
from liaison.store import Store
from tests.briefing.world import (
    AMBER_MARKERS,
    GREEN_ORG,
    GREEN_PARTNER,
    HOME,
    PERSON,
    RED_MARKERS,
    BriefWorld,
    build_world,
)
from tests.web.browsing import Site, add_users, serving


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, BriefWorld]]:
    directory = tmp_path_factory.mktemp("brief-web")
    settings = Settings(database_url=f"sqlite:///{directory / 'store.db'}", data_dir=directory / "data")
    with Store.open(settings) as store:
        world = build_world(store, settings)
        add_users(store, {"hana": (HOME, AccountRole.ANALYST), "gus": (GREEN_PARTNER, AccountRole.PARTNER)})
        with serving(settings, store) as served:
            yield served, world


def test_brief_pages_need_a_login(site: tuple[Site, BriefWorld]) -> None:
    client = site[0].client()
    for path in ("/brief", f"/brief/document?entity={GREEN_ORG}"):
        response = client.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_the_form_and_its_brief(site: tuple[Site, BriefWorld]) -> None:
    client = site[0].logged_in("hana")
    form = client.get("/brief", params={"entity": site[1].green_org_id})
    assert form.status_code == 200
    assert 'action="/brief/document"' in form.text and site[1].green_org_id in form.text
    document = client.get(
        "/brief/document",
        params={"kind": "entity", "subject": GREEN_ORG, "tlp_max": "green", "format": "html"},
    )
    assert document.status_code == 200
    assert document.headers["content-security-policy"] == BRIEF_CSP
    assert "<script" not in document.text and "TLP:GREEN" in document.text
    assert re.search(r"<h1>Harbour Watch", document.text)
    pdf = client.get("/brief/document", params={"entity": site[1].green_org_id, "format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-disposition"].startswith("attachment;")


def test_the_entity_page_offers_a_brief(site: tuple[Site, BriefWorld]) -> None:
    client = site[0].logged_in("hana")
    page = client.get(f"/entities/{site[1].green_org_id}")
    assert page.status_code == 200
    form = re.search(
        r'<form class="brief-form" method="get" action="/brief/document".*?</form>', page.text, re.S
    )
    assert form and f'name="entity" value="{site[1].green_org_id}"' in form.group(0)


def test_withheld_subjects_give_the_unknown_page(site: tuple[Site, BriefWorld]) -> None:
    partner = site[0].logged_in("gus")
    unknown = partner.get("/brief/document", params={"entity": "Nobody Known"})
    withheld = partner.get("/brief/document", params={"entity": PERSON})
    assert unknown.status_code == withheld.status_code == 404
    assert unknown.text.replace("Nobody Known", "?") == withheld.text.replace(PERSON, "?")
    topic = partner.get("/brief/document", params={"kind": "topic", "subject": "cybercrime"})
    assert topic.status_code == 200
    for marker in (*AMBER_MARKERS, *RED_MARKERS):
        assert marker not in topic.text


def test_a_bad_form_is_shown_again_with_the_problem(site: tuple[Site, BriefWorld]) -> None:
    client = site[0].logged_in("hana")
    response = client.get(
        "/brief/document", params={"kind": "topic", "subject": "cybercrime", "from": "soon"}
    )
    assert response.status_code == 422
    assert "YYYY-MM-DD" in response.text and 'id="brief-form"' in response.text
    empty = client.get("/brief/document", params={"kind": "topic", "subject": ""})
    assert empty.status_code == 422 and "exactly one subject" in empty.text
