"""RSS (0.9x, 1.0, 2.0) and Atom feeds through feedparser: entries with a stable key, date and plain text.

feedparser only ever receives bytes: given a string it would fetch URLs and open files itself, outside
the fetcher's checks. Documents that declare XML entities are refused before parsing (entity expansion
bombs, external entities); HTML in titles and summaries is reduced to text, never rendered.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any

import feedparser  # type: ignore[import-untyped]

from liaison.domain import Marking, Report
from liaison.errors import InputError

# An internal DTD subset ("<!DOCTYPE rss [ ... ]") is where entities are declared; quoted system and
# public identifiers before it may contain ">" and "[".
_DOCTYPE_SUBSET = re.compile(rb"""<!doctype(?:[^>\["']|"[^"]*"|'[^']*')*\[""")
_ENTITY = b"<!entity"
# The encoding an XML declaration names (after a BOM), read from the folded bytes.
_XML_ENCODING = re.compile(
    rb"""\A(?:\xef\xbb\xbf|\xff\xfe|\xfe\xff)?\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']{1,40})["']"""
)
_EBCDIC_XML = b"\x4c\x6f\xa7\x94"  # "<?xm" in EBCDIC, which feedparser recognises
_MARKUP_PROBE = "<!DOCTYPE x [<!ENTITY"
_SAX_POSITION = re.compile(r"^<unknown>:(\d+):(\d+): ")


@dataclass(frozen=True)
class FeedEntry:
    """One item of a feed."""

    key: str  # stable identity: the entry's id/guid, else its link, else a hash of title and summary
    url: str | None
    title: str | None
    published: date | None
    summary: str  # plain text of the content or summary, may be ""
    author: str | None


@dataclass(frozen=True)
class ParsedFeed:
    title: str | None
    link: str | None
    entries: tuple[FeedEntry, ...]
    warnings: tuple[str, ...]


def refuse_entities(content: bytes, source: str) -> None:
    """Raise ``InputError`` when the document declares entities in an internal DTD subset.

    Checked on the bytes with NULs removed and case folded, so UTF-16 and UTF-32 documents are caught
    too; the whole document is scanned because comments may push the DOCTYPE arbitrarily far. Encodings
    in which markup is not written in ASCII (UTF-7, EBCDIC) would hide it from this check, and no real
    feed uses them: they are refused.
    """
    folded = content.replace(b"\x00", b"").lower()
    declared = _XML_ENCODING.match(folded)
    if content.startswith(_EBCDIC_XML) or (declared and not _ascii_markup(declared.group(1))):
        name = declared.group(1).decode("ascii", "replace") if declared else "EBCDIC"
        raise InputError(source, f"refused: the feed is encoded in {name}, which Liaison does not read")
    for match in _DOCTYPE_SUBSET.finditer(folded):
        if _ENTITY in folded[match.end() :]:
            raise InputError(
                source,
                "refused: the feed declares XML entities in its DOCTYPE (entity expansion or external"
                " entities); real feeds do not need them",
            )


def _ascii_markup(encoding: bytes) -> bool:
    """Whether ``encoding`` writes markup in ASCII and only so.

    "<" must be the byte "<" (NULs aside, as in UTF-16) and no other ASCII bytes may mean "<" (UTF-7 also
    spells it "+ADw-").
    """
    try:
        name = encoding.decode("ascii")
        written = _MARKUP_PROBE.encode(name)
        disguised = b"+ADw-".decode(name, "ignore")
    except (LookupError, UnicodeError):
        return True  # not a text encoding Python knows: feedparser falls back to UTF-8 or windows-1252
    return written.replace(b"\x00", b"").endswith(_MARKUP_PROBE.encode("ascii")) and "<" not in disguised


def parse_feed(content: bytes, source: str) -> ParsedFeed:
    """Parse an RSS or Atom document. Raises ``InputError`` naming ``source`` when it is not a feed."""
    if not content.strip():
        raise InputError(source, "not an RSS or Atom feed: the document is empty")
    refuse_entities(content, source)
    base = source if source.startswith(("http://", "https://")) else None
    try:
        parsed = feedparser.parse(
            io.BytesIO(content),
            # Relative links in entries resolve against the feed's URL; HTML is reduced to text below, so
            # rewriting URIs inside it is wasted work.
            response_headers={"content-location": base} if base else None,
            resolve_relative_uris=False,
            sanitize_html=True,
        )
    except (ValueError, KeyError) as error:
        # Found by fuzzing, inside feedparser: "&#xD800;" (a lone surrogate) cannot be encoded, an
        # encoding name holding a NUL cannot be looked up (ValueError), and a <link> holding an element
        # in an Atom <item> looks up a "links" key that was never set.
        raise InputError(source, f"not an RSS or Atom feed: it cannot be decoded ({error})") from None
    raw_entries: list[Any] = list(parsed.get("entries") or [])
    reason = _bozo_reason(parsed)
    if not raw_entries and (reason or not parsed.get("version")):
        raise InputError(source, f"not an RSS or Atom feed: {reason or 'no rss, RDF or feed element'}")
    warnings: list[str] = []
    if reason:
        warnings.append(f"the feed is not well-formed ({reason}); {len(raw_entries)} entries recovered")
    entries: list[FeedEntry] = []
    for number, raw in enumerate(raw_entries, start=1):
        entry = _entry(raw)
        if entry.url is None:
            warnings.append(f"entry {number} has no link")
        if not entry.title and not entry.summary:
            warnings.append(f"entry {number} has neither title nor text")
        entries.append(entry)
    feed = parsed.get("feed") or {}
    return ParsedFeed(
        title=_text_of(feed, "title") or None,
        link=_string(feed.get("link")),
        entries=tuple(entries),
        warnings=tuple(warnings),
    )


def entry_report(entry: FeedEntry, feed_title: str | None, marking: Marking, source: str) -> Report:
    """A report made of the entry itself, for when its article page cannot be read."""
    text = "\n\n".join(part for part in (entry.title, entry.summary) if part and part.strip())
    if not text.strip():
        raise InputError(source, f"the feed entry {entry.key!r} has neither title nor text")
    return Report(
        text=text,
        title=entry.title,
        source=feed_title,
        url=entry.url,
        published=entry.published,
        marking=marking,
        origin=source,
    )


def _bozo_reason(parsed: Any) -> str | None:
    if not parsed.get("bozo"):
        return None
    exception = parsed.get("bozo_exception")
    # Not broken XML: a declared encoding that had to be overridden, or no HTTP Content-Type given.
    if isinstance(exception, feedparser.CharacterEncodingOverride | feedparser.NonXMLContentType):
        return None
    message = (str(exception) if exception is not None else "") or "malformed document"
    return _SAX_POSITION.sub(r"line \1, column \2: ", message)


def _entry(raw: Any) -> FeedEntry:
    title = _text_of(raw, "title") or None
    summary = _content_text(raw)
    url = _string(raw.get("link"))
    key = _string(raw.get("id")) or url
    if key is None:
        digest = hashlib.sha256(f"{title or ''}\n{summary}".encode()).hexdigest()
        key = f"sha256:{digest}"
    author = _string(raw.get("author"))
    if author is not None:
        author = _plain(author) or None
    return FeedEntry(
        key=key,
        url=url,
        title=title,
        published=_published(raw),
        summary=summary,
        author=author,
    )


def _string(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return value.strip() or None


def _text_of(item: Any, name: str) -> str:
    """The plain text of a text construct (``title``), HTML reduced to text when it is HTML."""
    value = item.get(name)
    if not isinstance(value, str):
        return ""
    detail = item.get(f"{name}_detail") or {}
    return _detail_text(value, detail.get("type"))


def _content_text(raw: Any) -> str:
    """The fullest text of an entry: its content when present, else its summary."""
    for content in raw.get("content") or []:
        value = content.get("value")
        if isinstance(value, str) and value.strip():
            return _detail_text(value, content.get("type"))
    return _text_of(raw, "summary")


def _detail_text(value: str, media_type: Any) -> str:
    if isinstance(media_type, str) and media_type.strip().lower() == "text/plain":
        return _tidy(value)
    return _plain(value)


def _published(raw: Any) -> date | None:
    """The entry's date as the publisher wrote it, else as feedparser read it (in UTC)."""
    for name in ("published", "updated", "created"):
        # dict.get: FeedParserDict.get("updated") falls back to "published" with a DeprecationWarning.
        value = dict.get(raw, name)
        if isinstance(value, str) and value.strip():
            written = _written_date(value.strip())
            if written is not None:
                return written
        parsed = dict.get(raw, f"{name}_parsed")
        if parsed is not None:
            try:
                return date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday)
            except (ValueError, AttributeError):
                continue
    return None


def _written_date(value: str) -> date | None:
    """RFC 822 and ISO 8601 dates read in their own time zone.

    feedparser converts to UTC, which moves "Tue, 14 Mar 2023 22:00 -0500" to the 15th; the article page
    of the same entry says the 14th, and so should its report.
    """
    try:
        return parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return datetime.fromisoformat(value).date()
    except ValueError:
        return None


_BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 header"
    " hr li main nav ol p pre section table td th tr ul".split()
)
_HIDDEN_TAGS = frozenset({"script", "style", "template", "noscript", "iframe", "object", "head", "title"})
_SPACES = re.compile(r"[ \t\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


class _TextCollector(HTMLParser):
    """Text content of an HTML fragment: blocks become lines, scripts and styles are dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN_TAGS:
            self.hidden += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN_TAGS:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def _plain(fragment: str) -> str:
    """Plain text of an HTML fragment (entities decoded, tags removed)."""
    if "<" not in fragment and "&" not in fragment:
        return _tidy(fragment)
    collector = _TextCollector()
    collector.feed(fragment)
    collector.close()
    return _tidy("".join(collector.parts))


def _tidy(text: str) -> str:
    lines = (_SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
