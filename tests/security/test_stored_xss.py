"""Stored XSS through report text, without a browser (``tests/web/browser/test_safety.py`` runs the pages
in one): hostile markup in a report's text, title, source, URL and names comes back from the REST API as
JSON data and from the web pages escaped, never as markup, a handler or a ``javascript:`` link."""

from __future__ import annotations

import re
from dataclasses import replace

from liaison.domain import TLP, AccountRole
from liaison.publishing import publish
from liaison.settings import Settings
from liaison.store import Store
from tests.conftest import FIXED_TIME
from tests.security.common import add_accounts, serving
from tests.sharing_factories import report_extraction, save
from tests.web.browsing import log_in

SCRIPT = "</textarea></script><script>alert(1)</script>"
IMAGE = "<img src=x onerror=alert(2)>"
SVG = '"><svg onload=alert(3)>'
# Tags the pages themselves write: script files from this origin and JSON data blocks.
_OWN_SCRIPT = re.compile(r'<script (type="module" )?src="/static/[^"]+"( type="module")?></script>')
_DATA_BLOCK = re.compile(r'<script type="application/json" id="[\w-]+">.*?</script>', re.S)


def test_hostile_report_markup_stays_data(settings: Settings, store: Store) -> None:
    store.add_organization("Alpha", home=True)
    extraction = report_extraction(
        SCRIPT, TLP.CLEAR, person=IMAGE, organization=SVG, group="Group 'x' & \"y\""
    )
    report = replace(
        extraction.report,
        source="<b onmouseover=alert(4)>Wire</b>",
        url="javascript:alert(5)",
        title=SVG + SCRIPT,
    )
    save(store, replace(extraction, report=report))
    publish(store, settings, now=FIXED_TIME)
    tokens = add_accounts(store, {"ann": ("Alpha", AccountRole.ANALYST)})
    with serving(settings, store, tokens) as server:
        api = server.client()
        headers = server.bearer("ann")
        for path in (f"/api/reports/{report.id}", "/api/reports", "/api/entities", "/api/search?q=alert"):
            response = api.get(path, headers=headers)
            assert response.status_code == 200, path
            assert response.headers["content-type"] == "application/json", path
            assert response.headers["x-content-type-options"] == "nosniff", path
        detail = api.get(f"/api/reports/{report.id}", headers=headers).json()
        assert SCRIPT in detail["text"]  # data, exactly as given: escaping is the renderer's business
        web = server.client()
        assert log_in(web, "ann").status_code == 303
        entity_ids = sorted({e["entity_id"] for e in detail["entities"]})
        pages = [f"/reports/{report.id}", "/reports", "/", "/search?q=alert", "/search?q=onerror"]
        pages += [f"/entities/{entity_id}" for entity_id in entity_ids]
        for path in pages:
            page = web.get(path)
            assert page.status_code == 200, path
            html = _DATA_BLOCK.sub("", _OWN_SCRIPT.sub("", page.text))
            assert "<script" not in html.lower(), path
            assert not re.search(r"<(img|svg|b)\b[^>]*\bon\w+=", html, re.I), path
            assert not re.search(r"""(href|src|action)=["']?\s*javascript:""", html, re.I), path
        reader = web.get(f"/reports/{report.id}").text
        assert "&lt;img src=x onerror=alert(2)&gt;" in reader
        # The JSON data blocks pages embed must not be closable by the text they carry.
        for block in _DATA_BLOCK.findall(web.get(f"/reports/{report.id}").text):
            assert block.lower().count("</script") == 1
