"""Feeds an analyst follows: add, list, remove, poll (once or every N minutes)."""

from __future__ import annotations

import re
import time
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from liaison import collection
from liaison.cli.common import (
    AllowPrivateOption,
    DbOption,
    JsonOption,
    TlpOption,
    WorkersOption,
    add_row,
    err,
    fail,
    feeds_app,
    out,
    print_json,
    settings_for,
    store_session,
)
from liaison.domain import TLP
from liaison.store import FeedRecord

_DURATION = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")
_SECONDS = {"": 60, "s": 1, "m": 60, "h": 3600, "d": 86400}
# Polling a server more often than this is rude and gains nothing for news.
MIN_INTERVAL_SECONDS = 30


def parse_interval(value: str) -> int:
    """'15m', '1h', '90s', '2d'; a bare number is minutes."""
    match = _DURATION.match(value)
    if not match:
        fail(f"invalid interval {value!r}; use e.g. 90s, 15m, 1h", code=2)
    seconds = int(match.group(1)) * _SECONDS[match.group(2)]
    if seconds < MIN_INTERVAL_SECONDS:
        fail(f"an interval of {seconds}s is too short; poll at most every {MIN_INTERVAL_SECONDS}s", code=2)
    return seconds


def _feed_json(feed: FeedRecord) -> dict[str, Any]:
    data = asdict(feed)
    data["tlp"] = feed.tlp.value
    return data


@feeds_app.command("add")
def add_feed(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help="Feed URL (http or https), or the path of a saved feed file.")],
    name: Annotated[str | None, typer.Option(help="A name for the feed (default: the feed's title).")] = None,
    tlp: TlpOption = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Follow a feed: its new entries are collected by `liaison feeds poll`, marked with --tlp."""
    marking = TLP.CLEAR
    if tlp is not None:
        try:
            marking = TLP.parse(tlp)
        except ValueError as error:
            fail(str(error), code=2)
    location = url if collection.is_url(url) else str(Path(url).resolve())
    if not collection.is_url(url) and not Path(url).is_file():
        fail(f"{url}: neither an http(s) URL nor a feed file", code=2)
    with store_session(ctx, db) as store:
        feed = store.add_feed(location, name, marking)
    if as_json:
        print_json(_feed_json(feed))
    else:
        out.print(f"following {feed.url} ({feed.id[:8]}), TLP:{feed.tlp.value.upper()}")


@feeds_app.command("list")
def list_feeds(ctx: typer.Context, as_json: JsonOption = False, db: DbOption = None) -> None:
    """Followed feeds with their last poll and what they brought."""
    with store_session(ctx, db) as store:
        feeds = store.list_feeds()
    if as_json:
        print_json([_feed_json(feed) for feed in feeds])
        return
    table = Table("id", "name", "url", "tlp", "last poll", "status", "entries", "reports")
    for feed in feeds:
        polled = feed.polled_at.strftime("%Y-%m-%d %H:%M") if feed.polled_at else "never"
        add_row(
            table,
            feed.id[:8],
            feed.name or "",
            feed.url,
            feed.tlp.value,
            polled,
            feed.status or "",
            feed.entries,
            feed.reports,
        )
    out.print(table)


@feeds_app.command("remove")
def remove_feed(
    ctx: typer.Context,
    feed: Annotated[str, typer.Argument(help="Feed URL, ID or ID prefix.")],
    db: DbOption = None,
) -> None:
    """Stop following a feed (the reports it brought stay)."""
    with store_session(ctx, db) as store:
        removed = store.remove_feed(feed)
    out.print(f"no longer following {removed.url}")


@feeds_app.command("poll")
def poll(
    ctx: typer.Context,
    feeds: Annotated[
        list[str] | None, typer.Argument(help="Feeds to poll (URL or ID prefix); default: all.")
    ] = None,
    every: Annotated[
        str | None, typer.Option(help="Poll again at this interval (e.g. 15m) until interrupted.")
    ] = None,
    workers: WorkersOption = None,
    allow_private: AllowPrivateOption = False,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Fetch each feed (a conditional request: unchanged feeds cost one 304), then its new articles.

    An article page that cannot be read is replaced by the entry's own text when it has enough; each
    failure is reported for its entry and retried on later polls, and the rest goes on.
    """
    interval = parse_interval(every) if every else None
    settings = settings_for(ctx, db)
    failed = False
    while True:
        with store_session(ctx, db) as store:
            chosen = [store.get_feed(feed) for feed in feeds] if feeds else None
            results = collection.poll_feeds(
                settings, store, chosen, allow_private, workers, on_feed=None if as_json else _print_poll
            )
        failed = any(r.status == "failed" or r.summary.failures for r in results)
        if as_json:
            print_json([_poll_json(r) for r in results])
        if interval is None:
            break
        try:
            time.sleep(interval)
        except KeyboardInterrupt:
            break
    if failed and interval is None:
        raise typer.Exit(1)


def _poll_json(result: collection.PollResult) -> dict[str, Any]:
    return {
        "feed": result.feed.url,
        "status": result.status,
        "entries": result.entries,
        "new_entries": result.new_entries,
        "pages_fetched": result.pages_fetched,
        "stored": result.summary.stored,
        "unchanged": result.summary.unchanged,
        "near_duplicates": result.summary.near_duplicates,
        "failed": [asdict(f) for f in result.summary.failures],
        "error": result.error,
        "warnings": result.warnings,
    }


def _print_poll(result: collection.PollResult) -> None:
    name = result.feed.name or result.feed.url
    if result.status == "failed":
        err.print(f"[bold red]error:[/] {escape(result.error or 'poll failed')}", markup=True)
        return
    if result.status == "not modified":
        out.print(f"{name}: not modified")
        return
    summary = result.summary
    copies = f" ({summary.near_duplicates} near-duplicate)" if summary.near_duplicates else ""
    out.print(
        f"{name}: {result.entries} entries, {result.new_entries} new; stored {summary.stored}{copies}, "
        f"{summary.unchanged} already stored, {len(summary.failures)} failed"
    )
    for warning in result.warnings:
        err.print(f"[yellow]warning:[/] {escape(warning)}", markup=True)
    for failure in summary.failures:
        err.print(f"[bold red]error:[/] {escape(failure.message)}", markup=True)
