"""Web pages and lists of URLs: a fetched response becomes a report; a text file lists what to fetch."""

from __future__ import annotations

import codecs
from pathlib import Path
from urllib.parse import urlsplit

from liaison.domain import Report
from liaison.errors import InputError
from liaison.ingest.files import declared_html_charset, decode
from liaison.ingest.html import parse_html
from liaison.ingest.http import Fetched

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
TEXT_TYPES = frozenset({"text/plain"})
_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def page_report(fetched: Fetched, source: str | None = None) -> Report:
    """The report of a fetched page: the article of an HTML page, or a plain-text document as it is.

    ``source`` names the input in errors and in ``Report.origin`` (default: the final URL). Raises
    ``InputError`` for other content types, undecodable bodies and pages without article text.
    """
    origin = source or fetched.final_url
    media = fetched.content_type or _sniff(fetched.content)
    if media not in HTML_TYPES and media not in TEXT_TYPES:
        readable = ", ".join(sorted(HTML_TYPES | TEXT_TYPES))
        raise InputError(origin, f"unsupported content type {media!r}; Liaison reads {readable}")
    if fetched.not_modified:
        raise InputError(origin, "the server answered 304 Not Modified: there is no content to read")
    if not fetched.content.strip():
        raise InputError(origin, "the response is empty")
    text = _decode(fetched, origin, html=media in HTML_TYPES)
    if media in HTML_TYPES:
        return parse_html(text, origin, url=fetched.final_url)
    body = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not body:
        raise InputError(origin, "has no report text")
    host = urlsplit(fetched.final_url).hostname
    return Report(text=body, source=host, url=fetched.final_url, origin=origin)


def _sniff(content: bytes) -> str | None:
    """Servers that send no Content-Type: markup is read as HTML, anything else is refused."""
    head = content[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return "text/html" if head.startswith((b"<!doctype html", b"<html")) else None


def _decode(fetched: Fetched, origin: str, html: bool) -> str:
    """Decode with the charset of the header, else of the page's <meta>, else UTF-8; a BOM wins."""
    encoding = None if fetched.content.startswith(_BOMS) else fetched.charset
    if encoding is not None:
        try:
            encoding = codecs.lookup(encoding).name
        except LookupError:
            encoding = None  # a misspelt header charset: fall back to what the page itself says
    if encoding is None and html:
        encoding = declared_html_charset(fetched.content)
    try:
        # files.decode names a Path; errors are re-raised naming the URL (a Path would fold its "//").
        return decode(Path("response"), fetched.content, encoding)
    except InputError as error:
        raise InputError(origin, error.problem) from None


def read_url_list(path: Path) -> list[str | InputError]:
    """The URLs of a list file, one per line; blank lines and ``#`` comments are skipped.

    A line that is not an http or https URL gives an ``InputError`` naming ``path:line`` in its place.
    Raises ``InputError`` when the file itself cannot be read.
    """
    source = str(path)
    try:
        content = path.read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise InputError(source, f"cannot be read: {error.strerror or error}") from error
    except UnicodeDecodeError as error:
        raise InputError(source, f"is not valid UTF-8 (byte {error.start}); re-encode it as UTF-8") from error
    results: list[str | InputError] = []
    for number, raw in enumerate(content.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        problem = _url_problem(line)
        results.append(InputError(f"{source}:{number}", problem) if problem else line)
    return results


def _url_problem(line: str) -> str | None:
    if any(char.isspace() for char in line):
        return f"{line!r} is not one URL (it contains spaces); put one URL per line"
    try:
        parts = urlsplit(line)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as error:
        return f"{line!r} is not a valid URL: {error}"
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return f"{line!r} is not an http or https URL"
    return None
