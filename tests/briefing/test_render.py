"""The brief as HTML and PDF: self-contained, escaped, marked on every page, fetching nothing."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO

import pypdf
import pytest

from liaison.briefing import BriefRequest, build_brief, render_html, render_pdf
from liaison.briefing.pdf import FetchRefused, html_to_pdf, refuse_every_url
from liaison.domain import TLP
from liaison.publishing import publish
from liaison.settings import Settings
from liaison.store import Store
from tests.briefing.world import GREEN_ORG, HOME, build_world, collection_of
from tests.sharing_factories import report_extraction, save

HOSTILE_PERSON = 'Eve <img src="http://127.0.0.1:9/x.png" onerror="alert(1)">'
HOSTILE_ORG = "<script>alert(2)</script> Bureau"
HOSTILE_GROUP = '<svg onload="alert(3)">Gang</svg>'


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags_of(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


@pytest.fixture
def hostile_html(sqlite_settings: Settings) -> Iterator[str]:
    with Store.open(sqlite_settings) as store:
        store.add_organization(HOME, home=True)
        extraction = report_extraction(
            "hostile", TLP.CLEAR, person=HOSTILE_PERSON, organization=HOSTILE_ORG, group=HOSTILE_GROUP
        )
        save(store, extraction)
        publish(store, sqlite_settings)
        brief = build_brief(
            store, sqlite_settings, BriefRequest(entity=HOSTILE_ORG), collection_of(store, HOME), HOME
        )
        yield render_html(brief)


def test_html_brief_is_self_contained(hostile_html: str) -> None:
    tags = tags_of(hostile_html)
    assert not [tag for tag, _ in tags if tag in ("script", "img", "iframe", "link", "object", "embed")]
    for _, attributes in tags:
        for name, value in attributes.items():
            assert not name.startswith("on"), name
            if name in ("src", "href", "xlink:href", "action", "srcset"):
                assert value is not None and value.startswith("#"), (name, value)
    assert not re.search(r"url\(|@import", hostile_html)


def test_hostile_names_are_escaped_everywhere(hostile_html: str) -> None:
    for payload in (HOSTILE_PERSON, HOSTILE_ORG, HOSTILE_GROUP):
        assert payload not in hostile_html
    assert "&lt;script&gt;alert(2)&lt;/script&gt; Bureau" in hostile_html
    assert "&lt;svg onload=&#34;alert(3)&#34;&gt;Gang&lt;/svg&gt;" in hostile_html  # in the graph's SVG


def test_marking_banner_at_top_and_bottom_and_in_page_margins(sqlite_settings: Settings) -> None:
    with Store.open(sqlite_settings) as store:
        build_world(store, sqlite_settings)
        brief = build_brief(
            store, sqlite_settings, BriefRequest(entity=GREEN_ORG), collection_of(store, HOME), HOME
        )
    html = render_html(brief)
    banners = re.findall(r'<div class="tlp screen"[^>]*>([^<]*)</div>', html)
    assert banners == ["TLP:GREEN", "TLP:GREEN"]
    assert html.index(banners[0]) < html.index("<header>") and html.rindex("TLP:GREEN") > html.index(
        "</footer>"
    )
    assert re.search(r'@top-center \{\s*content: "TLP:GREEN"', html)
    assert re.search(r'@bottom-center \{\s*content: "TLP:GREEN"', html)
    assert "#33FF00" in html  # TLP 2.0 green on black
    pdf = pypdf.PdfReader(BytesIO(render_pdf(brief)))
    assert len(pdf.pages) >= 1
    for page in pdf.pages:
        assert page.extract_text().count("TLP:GREEN") >= 2  # top and bottom of every page


def test_weasyprint_fetches_nothing() -> None:
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        html = (
            f'<html><head><link rel="stylesheet" href="{base}/style.css">'
            f"<style>@import url({base}/more.css); body {{ background: url({base}/bg.png) }}</style></head>"
            f'<body><img src="{base}/image.png"><img src="file:///etc/hostname">hello</body></html>'
        )
        assert html_to_pdf(html).startswith(b"%PDF")
    finally:
        server.shutdown()
        server.server_close()
    assert requests == []
    with pytest.raises(FetchRefused):
        refuse_every_url("file:///etc/passwd")
