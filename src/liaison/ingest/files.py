"""Reading report files from disk: discovery, size and encoding checks, dispatch by kind."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from liaison.domain import Marking, Report
from liaison.errors import InputError, UnsupportedInput
from liaison.ingest import feeds, html, records, text

ReadResult = Report | InputError

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".json", ".jsonl", ".rss", ".atom", ".xml")
FEED_SUFFIXES = (".rss", ".atom", ".xml")


@dataclass(frozen=True)
class ReportMetadata:
    """Metadata given on the command line; a field that is set overrides what the input says."""

    source: str | None = None
    url: str | None = None
    published: date | None = None
    marking: Marking | None = None
    language: str | None = None

    def apply(self, report: Report) -> Report:
        return replace(
            report,
            source=self.source or report.source,
            url=self.url or report.url,
            published=self.published or report.published,
            published_inferred=False if self.published else report.published_inferred,
            marking=self.marking or report.marking,
            language=self.language or report.language,
        )


def discover(paths: Iterable[Path]) -> Iterator[Path | InputError]:
    """Expand directories recursively (sorted, hidden files skipped) into readable files."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                relative = child.relative_to(path)
                if any(part.startswith(".") for part in relative.parts) or not child.is_file():
                    continue
                if child.suffix.lower() in SUPPORTED_SUFFIXES:
                    yield child
        elif path.exists():
            yield path
        else:
            yield InputError(str(path), "no such file or directory")


def decode(path: Path, data: bytes, encoding: str | None = None) -> str:
    """Decode file bytes as text, refusing binary data and naming the first undecodable byte."""
    source = str(path)
    if not data.strip():
        raise InputError(source, "the file is empty")
    if encoding is None:
        for bom, codec in (
            (codecs.BOM_UTF8, "utf-8-sig"),
            (codecs.BOM_UTF16_LE, "utf-16"),
            (codecs.BOM_UTF16_BE, "utf-16"),
        ):
            if data.startswith(bom):
                encoding = codec
                break
    if encoding is None and b"\x00" in data[:8192]:
        raise InputError(source, "looks like a binary file (it contains NUL bytes); not a report")
    try:
        decoded = data.decode(encoding or "utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            source,
            f"is not valid {error.encoding} (byte {error.start}: {data[error.start : error.start + 1]!r});"
            " re-encode it as UTF-8 or pass --encoding",
        ) from error
    except LookupError as error:
        raise InputError(source, f"unknown encoding {encoding!r}") from error
    if "\x00" in decoded:
        raise InputError(source, "contains NUL characters; not a text report")
    return decoded


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def declared_html_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in a <meta> tag, when its bytes are not UTF-8."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        match = _META_CHARSET.search(data[:4096])
        if match:
            name = match.group(1).decode("ascii", "replace").lower()
            try:
                return codecs.lookup(name).name
            except LookupError:
                return None
    return None


def read_file(path: Path, max_bytes: int, encoding: str | None = None) -> Iterator[ReadResult]:
    """Read one file into reports (several for JSON Lines). Raises ``InputError`` for the file."""
    source = str(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        kinds = ", ".join(SUPPORTED_SUFFIXES)
        raise UnsupportedInput(source, f"unsupported file kind {suffix or '(none)'!r}; Liaison reads {kinds}")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(
                source,
                f"is {size:,} bytes, over the {max_bytes:,}-byte limit (LIAISON_MAX_REPORT_BYTES)",
            )
        data = path.read_bytes()
    except OSError as error:
        raise InputError(source, f"cannot be read: {error.strerror or error}") from error
    if suffix in FEED_SUFFIXES:
        # A saved feed: each entry is a report of its title and text (the XML declares its own encoding).
        parsed = feeds.parse_feed(data, source)
        for entry in parsed.entries:
            try:
                yield feeds.entry_report(entry, parsed.title, Marking(), f"{source}#{entry.key}")
            except InputError as error:
                yield error
        return
    if encoding is None and suffix in (".html", ".htm"):
        encoding = declared_html_charset(data)
    content = decode(path, data, encoding)
    if suffix in (".txt", ".md"):
        yield text.parse_text(content, source)
    elif suffix in (".html", ".htm"):
        yield html.parse_html(content, source)
    else:
        yield from records.parse_records(content, source, lines=suffix == ".jsonl")


def read_paths(
    paths: Iterable[Path],
    max_bytes: int,
    metadata: ReportMetadata | None = None,
    encoding: str | None = None,
) -> Iterator[ReadResult]:
    """Yield every report in ``paths`` in order, and an ``InputError`` in place of each bad input."""
    metadata = metadata or ReportMetadata()
    for item in discover(paths):
        if isinstance(item, InputError):
            yield item
            continue
        try:
            for result in read_file(item, max_bytes, encoding):
                yield metadata.apply(result) if isinstance(result, Report) else result
        except InputError as error:
            yield error
