"""HTML articles: main text and metadata through trafilatura, boilerplate left out."""

from __future__ import annotations

import logging

import trafilatura

from liaison.domain import Report
from liaison.errors import InputError
from liaison.ingest.text import parse_date

# trafilatura logs every page it cannot parse; Liaison reports those as InputErrors instead.
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
logging.getLogger("htmldate").setLevel(logging.CRITICAL)


# Fewer words than this is a menu or a cookie banner, not an article.
MIN_ARTICLE_WORDS = 5


def parse_html(content: str, source: str, url: str | None = None) -> Report:
    """Extract the article of an HTML page. Raises ``InputError`` when no article text is found."""
    try:
        document = trafilatura.bare_extraction(
            content,
            url=url,
            with_metadata=True,
            include_comments=False,
            # Only dates marked up as such: guessing from the running text invents publication dates.
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception as error:  # trafilatura/lxml raise many kinds on hostile markup
        raise InputError(source, f"cannot be parsed as HTML: {error}") from error
    text = getattr(document, "text", None) if document is not None else None
    if not text or len(text.split()) < MIN_ARTICLE_WORDS:
        raise InputError(source, "no article text found in the HTML page")
    published = None
    raw_date = getattr(document, "date", None)
    if raw_date:
        try:
            published = parse_date(str(raw_date), source)
        except InputError:
            published = None
    return Report(
        text=text.strip(),
        title=getattr(document, "title", None) or None,
        source=getattr(document, "sitename", None) or getattr(document, "hostname", None) or None,
        url=url or getattr(document, "url", None) or None,
        published=published,
        language=None,
        origin=source,
    )
