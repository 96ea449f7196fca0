"""Collecting from the web against a real local HTTP server: feeds polled, pages fetched, copies linked."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from liaison.cli import app
from liaison.domain import Report
from liaison.ingest import read_paths
from tests.conftest import DEMO_CORPUS
from tests.ingest.test_duplicates import syndicated_copy
from tests.local_http import LocalServer

pytestmark = pytest.mark.model

runner = CliRunner()


def liaison(db: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", db, *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def demo_text(name: str) -> str:
    [report] = [r for r in read_paths([DEMO_CORPUS / name], 10_000_000) if isinstance(r, Report)]
    return report.text


def article_page(title: str, text: str, published: str) -> bytes:
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n") if p.strip())
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f'<meta property="article:published_time" content="{published}">'
        f'<meta property="og:site_name" content="Test Wire"></head>'
        f"<body><nav>Home | World | Crime</nav><article><h1>{html.escape(title)}</h1>"
        f"{paragraphs}</article><footer>Cookies policy</footer></body></html>"
    ).encode()


def rss(server: LocalServer, items: list[tuple[str, str, str]]) -> bytes:
    entries = "".join(
        f"<item><title>{html.escape(title)}</title><link>{server.url(path)}</link><guid>{path}</guid>"
        f"<pubDate>{date}</pubDate><description>Short teaser.</description></item>"
        for path, title, date in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Test Wire</title>'
        f"<link>{server.url('/')}</link><description>Security news</description>{entries}</channel></rss>"
    ).encode()


def article_requests(server: LocalServer) -> list[str]:
    return [r.path for r in server.requests if r.path.startswith("/news/")]


def test_a_feed_is_polled_conditionally_and_only_new_entries_are_fetched(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'store.db'}"
    lockbit = demo_text("05_lockbit-operation-cronos.md")
    items = [
        ("/news/lockbit", "Police take down LockBit", "Tue, 20 Feb 2024 09:00:00 GMT"),
        ("/news/lockbit-copy", "Ransomware gang disrupted", "Tue, 20 Feb 2024 11:30:00 GMT"),
        ("/news/flintlock", "Flintlock exercise opens", "Wed, 01 Mar 2023 08:00:00 GMT"),
    ]
    with LocalServer() as server:
        server.route("/news/lockbit", article_page(items[0][1], lockbit, "2024-02-20"))
        server.route(
            "/news/lockbit-copy", article_page(items[1][1], syndicated_copy(lockbit, 5), "2024-02-20")
        )
        server.route(
            "/news/flintlock", article_page(items[2][1], demo_text("14_flintlock-2023.md"), "2023-03-01")
        )
        feed_url = server.url("/feed.xml")
        server.route(
            "/feed.xml", rss(server, items), headers={"Content-Type": "application/rss+xml"}, etag='"v1"'
        )

        code, out, err = liaison(db, "feeds", "add", feed_url, "--name", "Test Wire", "--tlp", "green")
        assert code == 0, err
        # Loopback is refused unless asked for: the poll fails for the feed, naming it, and stores nothing.
        code, out, err = liaison(db, "feeds", "poll", "--json")
        assert code == 1
        [refused] = json.loads(out)
        assert refused["status"] == "failed" and "private address" in refused["error"]
        assert feed_url in refused["error"] and not server.requests

        code, out, err = liaison(db, "feeds", "poll", "--allow-private", "--json")
        assert code == 0, err
        [first] = json.loads(out)
        assert (first["status"], first["entries"], first["new_entries"]) == ("updated", 3, 3)
        assert (first["stored"], first["near_duplicates"]) == (3, 1)
        assert sorted(article_requests(server)) == sorted(path for path, _, _ in items)
        assert all("Liaison/" in (r.header("User-Agent") or "") for r in server.requests)

        code, out, _ = liaison(db, "reports", "--json")
        stored = json.loads(out)
        assert {r["tlp"] for r in stored} == {"green"}
        copy = next(r for r in stored if r["title"] == "Ransomware gang disrupted")
        original = next(r for r in stored if r["title"] == "Police take down LockBit")
        assert copy["near_duplicate_of"] == original["id"] and original["near_duplicate_of"] is None
        assert original["source"] == "Test Wire" and original["published"] == "2024-02-20"

        # The feed changes: one new entry. Only that article is fetched, the others are known.
        items.append(("/news/anom", "Trojan Shield revealed", "Tue, 08 Jun 2021 10:00:00 GMT"))
        server.route(
            "/news/anom", article_page(items[3][1], demo_text("03_anom-trojan-shield.md"), "2021-06-08")
        )
        server.route(
            "/feed.xml", rss(server, items), headers={"Content-Type": "application/rss+xml"}, etag='"v2"'
        )
        before = len(server.requests)
        code, out, err = liaison(db, "feeds", "poll", "--allow-private", "--json")
        assert code == 0, err
        [second] = json.loads(out)
        assert (second["entries"], second["new_entries"], second["stored"]) == (4, 1, 1)
        asked = server.requests[before:]
        assert [r.path for r in asked] == ["/feed.xml", "/news/anom"]
        assert asked[0].header("If-None-Match") == '"v1"'

        # Unchanged: one conditional request answered 304, nothing fetched or extracted.
        before = len(server.requests)
        code, out, err = liaison(db, "feeds", "poll", "--allow-private", "--json")
        assert code == 0, err
        [third] = json.loads(out)
        assert third["status"] == "not modified" and third["stored"] == 0
        [only] = server.requests[before:]
        assert only.path == "/feed.xml" and only.header("If-None-Match") == '"v2"'

        code, out, _ = liaison(db, "feeds", "list", "--json")
        [listed] = json.loads(out)
        assert (listed["entries"], listed["reports"], listed["status"]) == (4, 4, "not modified")


def test_a_bad_entry_is_reported_and_the_others_are_stored(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'store.db'}"
    items = [
        ("/news/gone", "A page that vanished", "Tue, 20 Feb 2024 09:00:00 GMT"),
        ("/news/flintlock", "Flintlock exercise opens", "Wed, 01 Mar 2023 08:00:00 GMT"),
        ("/news/menu", "A page with no article", "Wed, 01 Mar 2023 09:00:00 GMT"),
    ]
    with LocalServer() as server:
        server.route(
            "/news/flintlock", article_page(items[1][1], demo_text("14_flintlock-2023.md"), "2023-03-01")
        )
        server.route("/news/menu", b"<html><body><nav>Home</nav></body></html>")
        server.route("/feed.xml", rss(server, items), headers={"Content-Type": "application/rss+xml"})
        assert liaison(db, "feeds", "add", server.url("/feed.xml"))[0] == 0
        code, out, _ = liaison(db, "feeds", "poll", "--allow-private", "--json")
        assert code == 1
        [result] = json.loads(out)
        assert result["stored"] == 1
        messages = sorted(f["message"] for f in result["failed"])
        assert len(messages) == 2
        assert "/news/gone" in messages[0] + messages[1] and "HTTP 404" in " ".join(messages)
        assert "no article text" in " ".join(messages)
        # the failed entries are tried again on the next poll; the stored one is not fetched again
        before = len(server.requests)
        liaison(db, "feeds", "poll", "--allow-private", "--json")
        assert sorted(r.path for r in server.requests[before:]) == ["/feed.xml", "/news/gone", "/news/menu"]


def test_ingest_fetches_urls_and_url_lists(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'store.db'}"
    with LocalServer() as server:
        server.route("/a", article_page("Flintlock", demo_text("14_flintlock-2023.md"), "2023-03-01"))
        server.route("/b", article_page("Trojan Shield", demo_text("03_anom-trojan-shield.md"), "2021-06-08"))
        listing = tmp_path / "urls.txt"
        listing.write_text(f"# to read\n{server.url('/b')}\nftp://example.org/x\n", encoding="utf-8")
        code, out, _ = liaison(
            db, "ingest", server.url("/a"), "--urls", str(listing), "--allow-private", "--json"
        )
        assert code == 1  # the ftp line is an error, naming its line; the rest is stored
        result = json.loads(out)
        assert result["stored"] == 2
        [failure] = result["failed"]
        assert f"{listing}:3" in failure["message"]
        code, out, _ = liaison(db, "ingest", server.url("/a"), "--json")
        assert code == 1 and "private address" in json.loads(out)["failed"][0]["message"]


def test_a_saved_feed_file_is_read_entry_by_entry(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'store.db'}"
    text = demo_text("14_flintlock-2023.md").replace("\n", " ")
    feed = tmp_path / "saved.rss"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Saved</title>'
        f"<item><title>Flintlock</title><guid>f1</guid><description>{html.escape(text)}</description></item>"
        "<item><title>Empty</title><guid>f2</guid></item></channel></rss>",
        encoding="utf-8",
    )
    code, out, _ = liaison(db, "ingest", str(feed), "--json")
    result = json.loads(out)
    assert result["stored"] == 2 and code == 0
    code, out, _ = liaison(db, "reports", "--json")
    assert {r["source"] for r in json.loads(out)} == {"Saved"}


def test_feeds_are_added_once_listed_and_removed(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'store.db'}"
    assert liaison(db, "feeds", "add", "https://news.example.org/rss", "--tlp", "amber")[0] == 0
    code, _, err = liaison(db, "feeds", "add", "https://news.example.org/rss")
    assert code == 1 and "already followed" in err
    code, _, err = liaison(db, "feeds", "add", "no-such-file.xml")
    assert code == 2 and "neither an http(s) URL nor a feed file" in err
    code, _, err = liaison(db, "feeds", "add", "https://news.example.org/other", "--tlp", "purple")
    assert code == 2
    code, out, _ = liaison(db, "feeds", "list", "--json")
    [feed] = json.loads(out)
    assert (feed["url"], feed["tlp"], feed["polled_at"]) == ("https://news.example.org/rss", "amber", None)
    assert liaison(db, "feeds", "remove", feed["id"][:6])[0] == 0
    assert json.loads(liaison(db, "feeds", "list", "--json")[1]) == []
    code, _, err = liaison(db, "feeds", "remove", "https://news.example.org/rss")
    assert code == 1 and "no single followed feed" in err


@pytest.mark.parametrize(
    ("value", "seconds"), [("15m", 900), ("1h", 3600), ("90s", 90), ("2d", 172800), ("5", 300)]
)
def test_poll_intervals(value: str, seconds: int) -> None:
    from liaison.cli.feeds import parse_interval

    assert parse_interval(value) == seconds


@pytest.mark.parametrize("value", ["10s", "soon", "-5m", "1w"])
def test_bad_poll_intervals_are_refused(tmp_path: Path, value: str) -> None:
    code, _, err = liaison(f"sqlite:///{tmp_path / 'x.db'}", "feeds", "poll", "--every", value)
    assert code == 2 and "interval" in err
