"""The brief as PDF, by WeasyPrint from the HTML brief, fetching nothing.

The HTML is self-contained, but report text is untrusted: the URL fetcher refuses every URL (and allows no
protocol should a later WeasyPrint bypass ``fetch``), so no string in a report can make WeasyPrint read a
file or reach the network.
"""

from __future__ import annotations

from typing import Any, NoReturn

import weasyprint
from weasyprint.urls import URLFetcher

from liaison.briefing.gather import Brief
from liaison.briefing.render import render_html


class FetchRefused(ValueError):
    """A brief asked WeasyPrint for a resource: briefs have none."""


def refuse_every_url(url: str, *args: Any, **kwargs: Any) -> NoReturn:
    raise FetchRefused(f"a brief fetches nothing (asked for {url[:80]!r})")


class RefusingFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint is untyped
    """WeasyPrint's fetcher with every fetch refused (WeasyPrint skips the resource and carries on)."""

    def __init__(self) -> None:
        super().__init__(timeout=1, allowed_protocols=(), allow_redirects=False, fail_on_errors=False)

    def fetch(self, url: str, headers: Any = None) -> NoReturn:
        refuse_every_url(url)


def html_to_pdf(html: str) -> bytes:
    document = weasyprint.HTML(string=html, url_fetcher=RefusingFetcher(), base_url=None)
    pdf: bytes = document.write_pdf()
    return pdf


def render_pdf(brief: Brief) -> bytes:
    return html_to_pdf(render_html(brief))
