"""Web pages fetched from a local server become reports; URL list files are read line by line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from liaison.errors import InputError
from liaison.ingest import Fetched, Fetcher, FetchPolicy, page_report, read_url_list
from tests.local_http import LocalServer, local_server  # noqa: F401 - the fixture

ARTICLE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Europol dismantles phishing network | Security Wire</title>
  <meta property="og:title" content="Europol dismantles phishing network">
  <meta property="og:site_name" content="Security Wire">
  <meta property="article:published_time" content="2023-03-14T09:30:00+01:00">
</head>
<body>
  <nav><a href="/">Home</a> <a href="/world">World</a></nav>
  <article>
    <h1>Europol dismantles phishing network</h1>
    <p>Police in six countries arrested twelve people on Tuesday in an operation coordinated by Europol
    against a phishing network that stole millions of euros from bank customers across Europe.</p>
    <p>Investigators seized servers in the Netherlands and Germany, and froze accounts in Spain.</p>
    <script>document.write("tracking pixel")</script>
  </article>
  <footer>Copyright Security Wire. All rights reserved.</footer>
</body>
</html>
"""


def fetch(url: str) -> Fetched:
    with Fetcher(FetchPolicy(max_bytes=100_000, allow_private=True, total_seconds=5.0)) as fetcher:
        return fetcher.get(url)


def fetched(content: bytes, content_type: str | None, charset: str | None = None) -> Fetched:
    url = "https://wire.example/story"
    return Fetched(url, url, 200, content, content_type, charset, None, None)


def test_html_article_from_the_server_gives_title_source_and_date(local_server: LocalServer) -> None:  # noqa: F811
    local_server.route("/story", ARTICLE.encode(), headers={"Content-Type": "text/html; charset=utf-8"})
    local_server.redirect("/s/1", "/story")
    page = fetch(local_server.url("/s/1"))
    report = page_report(page)
    assert report.title == "Europol dismantles phishing network"
    assert report.source == "Security Wire"
    assert report.published == date(2023, 3, 14)
    assert report.url == local_server.url("/story")
    assert report.origin == local_server.url("/story")
    assert "arrested twelve people" in report.text
    assert "tracking pixel" not in report.text
    assert "All rights reserved" not in report.text
    assert page_report(page, source="urls.txt:3").origin == "urls.txt:3"


def test_html_charset_comes_from_the_meta_tag_when_the_header_has_none() -> None:
    latin = ARTICLE.replace('<meta charset="utf-8">', '<meta charset="iso-8859-1">')
    latin = latin.replace("Police in six countries", "La police a arrêté à Genève, déjà")
    report = page_report(fetched(latin.encode("latin-1"), "text/html"))
    assert "arrêté à Genève, déjà" in report.text


def test_html_charset_of_the_header_wins_over_the_meta_tag() -> None:
    body = ARTICLE.replace("Police in six countries", "Police in Zürich and Besançon").encode("cp1252")
    report = page_report(fetched(body, "text/html", "windows-1252"))
    assert "Zürich and Besançon" in report.text


def test_undecodable_page_names_the_url() -> None:
    with pytest.raises(InputError) as caught:
        page_report(fetched("Zürich est une ville.".encode("latin-1"), "text/plain"))
    assert caught.value.source == "https://wire.example/story"
    assert "not valid utf-8" in caught.value.problem


def test_text_plain_response_is_kept_as_it_is(local_server: LocalServer) -> None:  # noqa: F811
    text = "Bulletin 12\n\nThe border crossing at Narva reopened on Monday.\n"
    local_server.route("/bulletin.txt", text.encode(), headers={"Content-Type": "text/plain; charset=utf-8"})
    report = page_report(fetch(local_server.url("/bulletin.txt")))
    assert report.text == "Bulletin 12\n\nThe border crossing at Narva reopened on Monday."
    assert report.url == local_server.url("/bulletin.txt")
    assert report.source == "127.0.0.1"
    assert report.title is None


@pytest.mark.parametrize("content_type", ["application/pdf", "image/png", "application/json"])
def test_unsupported_content_types_are_refused(content_type: str) -> None:
    with pytest.raises(InputError) as caught:
        page_report(fetched(b"%PDF-1.7 ...", content_type))
    assert caught.value.source == "https://wire.example/story"
    assert caught.value.problem.startswith(f"unsupported content type {content_type!r}")


def test_missing_content_type_is_sniffed_as_html_or_refused() -> None:
    assert page_report(fetched(ARTICLE.encode(), None)).title == "Europol dismantles phishing network"
    with pytest.raises(InputError, match="unsupported content type None"):
        page_report(fetched(b"\x00\x01binary", None))


def test_not_modified_and_empty_responses_are_errors() -> None:
    url = "https://wire.example/story"
    with pytest.raises(InputError, match="304"):
        page_report(Fetched(url, url, 304, b"", "text/html", None, '"v1"', None))
    with pytest.raises(InputError, match="empty"):
        page_report(fetched(b"  \n", "text/plain"))


def test_html_page_without_article_text_is_an_input_error() -> None:
    with pytest.raises(InputError) as caught:
        page_report(fetched(b"<html><body><nav>Home</nav></body></html>", "text/html"))
    assert caught.value.problem == "no article text found in the HTML page"


def test_url_list_skips_comments_and_names_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "urls.txt"
    path.write_text(
        "\ufeff# morning sweep\n"
        "https://wire.example/a\n"
        "\n"
        "   http://news.example/b?x=1#frag   \n"
        "ftp://files.example/c\n"
        "# https://commented.example/out\n"
        "wire.example/no-scheme\n"
        "https://two.example/ https://urls.example/\n"
        "https://\n"
        "HTTPS://WIRE.EXAMPLE/upper\n",
        encoding="utf-8",
    )
    results = read_url_list(path)
    assert [item for item in results if isinstance(item, str)] == [
        "https://wire.example/a",
        "http://news.example/b?x=1#frag",
        "HTTPS://WIRE.EXAMPLE/upper",
    ]
    errors = [item for item in results if isinstance(item, InputError)]
    assert [error.source for error in errors] == [f"{path}:{line}" for line in (5, 7, 8, 9)]
    assert "ftp://files.example/c" in errors[0].problem
    assert "not an http or https URL" in errors[0].problem
    assert isinstance(results[2], InputError)  # errors keep their place among the URLs


def test_missing_url_list_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        read_url_list(tmp_path / "missing.txt")
    assert caught.value.source == str(tmp_path / "missing.txt")
