"""Use cases that collect from the web: pages and lists of URLs, and the feeds an analyst follows.

Everything fetched goes through one ``Fetcher`` (size cap, deadlines, redirect cap, no private addresses
unless allowed) and then through the same ingest as files (``services.ingest_reports``): one writer, a
transaction per report, exact and near duplicates recognised.

Polling a feed costs one conditional request when nothing changed (ETag / Last-Modified answered with
304). When it did change, only entries not handled before are fetched. Entries are recorded after their
reports are stored and the feed's validators after its entries, so a poll that is killed is simply
done again on the next run, without fetching or storing anything twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from liaison.domain import Marking, Report
from liaison.errors import InputError
from liaison.ingest import (
    FeedEntry,
    Fetched,
    Fetcher,
    FetchPolicy,
    ReportMetadata,
    entry_report,
    page_report,
    parse_feed,
)
from liaison.services import IngestSummary, ProgressCallback, ingest_reports
from liaison.settings import Settings
from liaison.store import FeedRecord, Store

# A feed summary shorter than this is a teaser, not a report worth extracting on its own.
MIN_SUMMARY_WORDS = 25


def is_url(value: str) -> bool:
    return urlsplit(value).scheme.lower() in ("http", "https")


def fetch_policy(settings: Settings, allow_private: bool = False) -> FetchPolicy:
    return FetchPolicy(max_bytes=settings.max_report_bytes, allow_private=allow_private)


def fetch_reports(
    urls: Iterable[str],
    settings: Settings,
    metadata: ReportMetadata | None = None,
    allow_private: bool = False,
) -> list[Report | InputError]:
    """Fetch each page and read its article; a URL that fails becomes an ``InputError`` in its place."""
    metadata = metadata or ReportMetadata()
    results: list[Report | InputError] = []
    with Fetcher(fetch_policy(settings, allow_private)) as fetcher:
        for url in urls:
            try:
                results.append(metadata.apply(page_report(fetcher.get(url), source=url)))
            except InputError as error:
                results.append(error)
    return results


@dataclass
class PollResult:
    """What one poll of one feed did."""

    feed: FeedRecord
    status: str  # not modified | updated | failed
    entries: int = 0  # in the feed document
    new_entries: int = 0  # not handled before (or failed before and tried again)
    pages_fetched: int = 0
    summary: IngestSummary = field(default_factory=IngestSummary)
    error: str | None = None
    warnings: list[str] = field(default_factory=list)


PollCallback = Callable[[PollResult], None]


def poll_feeds(
    settings: Settings,
    store: Store,
    feeds: Sequence[FeedRecord] | None = None,
    allow_private: bool = False,
    workers: int | None = None,
    progress: ProgressCallback | None = None,
    on_feed: PollCallback | None = None,
) -> list[PollResult]:
    """Poll the given feeds (default: every followed feed) once; one failing feed never stops the rest."""
    results = []
    with Fetcher(fetch_policy(settings, allow_private)) as fetcher:
        for feed in feeds if feeds is not None else store.list_feeds():
            result = poll_feed(feed, settings, store, fetcher, workers, progress)
            results.append(result)
            if on_feed is not None:
                on_feed(result)
    return results


def poll_feed(
    feed: FeedRecord,
    settings: Settings,
    store: Store,
    fetcher: Fetcher,
    workers: int | None = None,
    progress: ProgressCallback | None = None,
) -> PollResult:
    try:
        fetched = _fetch_feed(feed, settings, fetcher)
    except InputError as error:
        store.record_feed_poll(feed.id, "failed", str(error), keep_validators=True)
        return PollResult(feed, "failed", error=str(error))
    if fetched.not_modified:
        store.record_feed_poll(feed.id, "not modified", keep_validators=True)
        return PollResult(feed, "not modified")
    try:
        parsed = parse_feed(fetched.content, feed.url)
    except InputError as error:
        store.record_feed_poll(feed.id, "failed", str(error), keep_validators=True)
        return PollResult(feed, "failed", error=str(error))
    result = PollResult(feed, "updated", entries=len(parsed.entries), warnings=list(parsed.warnings))
    wanted = store.entries_to_fetch(feed.id, (entry.key for entry in parsed.entries))
    new = [entry for entry in parsed.entries if entry.key in wanted]
    result.new_entries = len(new)
    marking = Marking(feed.tlp)
    feed_title = feed.name or parsed.title
    items: list[tuple[FeedEntry, Report | InputError]] = []
    for entry in new:
        item = _entry_item(entry, feed, feed_title, marking, fetcher, result)
        items.append((entry, item))
    result.summary = ingest_reports([item for _, item in items], settings, store, workers, progress)
    failures = {failure.source: failure.message for failure in result.summary.failures}
    for entry, item in items:
        if isinstance(item, InputError):
            store.record_feed_entry(feed.id, entry.key, entry.url, None, "failed", str(item))
            continue
        outcome = result.summary.outcomes.get(item.id, "failed")
        if outcome == "failed":
            message = failures.get(item.origin or item.id, "could not be stored")
            store.record_feed_entry(feed.id, entry.key, entry.url, None, "failed", message)
        else:
            store.record_feed_entry(feed.id, entry.key, entry.url, item.id, outcome)
    store.record_feed_poll(
        feed.id,
        "updated",
        "; ".join(result.warnings) or None,
        etag=fetched.etag,
        last_modified=fetched.last_modified,
    )
    return result


def _fetch_feed(feed: FeedRecord, settings: Settings, fetcher: Fetcher) -> Fetched:
    if is_url(feed.url):
        return fetcher.get(feed.url, etag=feed.etag, last_modified=feed.last_modified)
    return _read_feed_file(Path(feed.url), feed.etag, settings.max_report_bytes)


def _read_feed_file(path: Path, etag: str | None, max_bytes: int) -> Fetched:
    """A feed saved on disk answers like a server: its content hash is its ETag."""
    source = str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(source, f"is {size:,} bytes, over the {max_bytes:,}-byte limit")
        content = path.read_bytes()
    except OSError as error:
        raise InputError(source, f"cannot be read: {error.strerror or error}") from error
    digest = '"' + hashlib.sha256(content).hexdigest()[:32] + '"'
    if digest == etag:
        return Fetched(source, source, 304, b"", None, None, digest, None)
    return Fetched(source, source, 200, content, "application/xml", None, digest, None)


def _entry_item(
    entry: FeedEntry,
    feed: FeedRecord,
    feed_title: str | None,
    marking: Marking,
    fetcher: Fetcher,
    result: PollResult,
) -> Report | InputError:
    """The entry's article page, read and marked; its own summary when the page cannot be read."""
    origin = entry.url or f"{feed.url}#{entry.key}"
    page_error: InputError | None = None
    if entry.url and is_url(entry.url):
        try:
            result.pages_fetched += 1
            report = page_report(fetcher.get(entry.url), source=origin)
            return replace(
                report,
                title=report.title or entry.title,
                source=report.source or feed_title,
                published=report.published or entry.published,
                published_inferred=False
                if report.published or entry.published
                else report.published_inferred,
                marking=marking,
            )
        except InputError as error:
            page_error = error
    if len(entry.summary.split()) >= MIN_SUMMARY_WORDS:
        if page_error is not None:
            result.warnings.append(f"{page_error}; stored the feed's own text instead")
        try:
            return entry_report(entry, feed_title, marking, origin)
        except InputError as error:
            return error
    if page_error is not None:
        return page_error
    return InputError(origin, "the entry has no article link and too little text of its own")
