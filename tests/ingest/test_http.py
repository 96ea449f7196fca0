"""The fetcher against a real local server: private addresses, redirects, size cap, deadlines, 304s."""

from __future__ import annotations

import gzip
import ipaddress
import socket
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from liaison.errors import InputError
from liaison.ingest.http import USER_AGENT, Fetched, Fetcher, FetchPolicy, is_public_address
from tests.local_http import LocalServer

LIMIT = 10_000


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as running:
        yield running


def fetch(url: str, **policy: Any) -> Fetched:
    policy.setdefault("max_bytes", LIMIT)
    policy.setdefault("allow_private", True)
    policy.setdefault("timeout_seconds", 5.0)
    policy.setdefault("total_seconds", 5.0)
    with Fetcher(FetchPolicy(**policy)) as fetcher:
        return fetcher.get(url)


def fetch_error(url: str, **policy: Any) -> InputError:
    with pytest.raises(InputError) as caught:
        fetch(url, **policy)
    return caught.value


def test_fetch_gives_body_type_and_sends_the_user_agent(server: LocalServer) -> None:
    server.route("/a", b"<p>hello</p>", headers={"Content-Type": 'text/HTML; charset="ISO-8859-1"'})
    fetched = fetch(server.url("/a"))
    assert fetched.status == 200
    assert fetched.content == b"<p>hello</p>"
    assert fetched.content_type == "text/html"
    assert fetched.charset == "iso-8859-1"
    assert fetched.final_url == fetched.url == server.url("/a")
    assert not fetched.not_modified
    [request] = server.requests
    assert request.header("User-Agent") == USER_AGENT
    assert USER_AGENT.startswith("Liaison/")
    assert "application/rss+xml" in (request.header("Accept") or "")


def test_a_name_is_fetched_at_its_checked_address_with_the_name_as_host(server: LocalServer) -> None:
    # "localhost" resolves (maybe to ::1 first, where nothing listens) and the request goes to the address
    # while the Host header keeps the name: the pinning that prevents DNS rebinding.
    server.route("/b", b"ok")
    fetched = fetch(server.url("/b", host="localhost"))
    assert fetched.content == b"ok"
    assert server.requests[-1].header("Host") == f"localhost:{server.port}"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/",
        "http://localhost:9/",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.1.2.3/",
        "http://[::1]:9/",
        "http://[::ffff:127.0.0.1]:9/",
        "https://0.0.0.0/",
    ],
)
def test_private_addresses_are_refused_by_default(url: str) -> None:
    error = fetch_error(url, allow_private=False)
    assert error.source == url
    assert error.problem.startswith("refused: ")
    assert "private address" in error.problem
    assert "--allow-private" in error.problem


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",  # shared address space (carrier-grade NAT)
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fd00::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "2002:7f00:1::",  # 6to4 around 127.0.0.1
        "64:ff9b::a00:1",  # NAT64 around 10.0.0.1
    ],
)
def test_address_checker_refuses_non_public_ranges(address: str) -> None:
    assert not is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_address_checker_accepts_public_addresses(address: str) -> None:
    assert is_public_address(ipaddress.ip_address(address))


FAKE_DNS = {
    "news.example": ["93.184.215.14"],
    "mixed.example": ["93.184.215.15", "10.0.0.7"],
    "internal.example": ["10.0.0.8"],
}


@pytest.fixture
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Names of FAKE_DNS resolve to their addresses; every other name resolves as usual."""
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host in FAKE_DNS:
            return [
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)) for address in FAKE_DNS[host]
            ]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def mock_fetcher(handler: Callable[[httpx.Request], httpx.Response], **policy: Any) -> Fetcher:
    policy.setdefault("max_bytes", LIMIT)
    return Fetcher(FetchPolicy(**policy), transport=httpx.MockTransport(handler))


@pytest.mark.usefixtures("fake_dns")
def test_the_connection_goes_to_the_checked_address_and_tls_verifies_the_name() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b"x", headers={"Content-Type": "text/plain"})

    with mock_fetcher(handler) as fetcher:
        fetched = fetcher.get("https://news.example/story?id=1#top")
    [request] = seen
    assert request.url.host == "93.184.215.14"
    assert request.url.path == "/story"
    assert request.headers["Host"] == "news.example"
    assert request.extensions["sni_hostname"] == "news.example"
    assert fetched.final_url == "https://news.example/story?id=1"


@pytest.mark.usefixtures("fake_dns")
def test_a_name_with_any_private_address_is_refused() -> None:
    with mock_fetcher(lambda request: httpx.Response(200)) as fetcher, pytest.raises(InputError) as caught:
        fetcher.get("http://mixed.example/")
    assert "refused: mixed.example resolves to a private address, 10.0.0.7" in caught.value.problem


@pytest.mark.usefixtures("fake_dns")
@pytest.mark.parametrize("location", ["http://internal.example/admin", "http://127.0.0.1/", "http://[::1]/"])
def test_a_redirect_to_a_private_address_is_refused(location: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": location})

    with mock_fetcher(handler) as fetcher, pytest.raises(InputError) as caught:
        fetcher.get("http://news.example/go")
    assert caught.value.source == "http://news.example/go"
    assert caught.value.problem.startswith("refused: ")


def test_redirect_chain_within_the_cap_is_followed(server: LocalServer) -> None:
    server.redirect("/r1", "/r2", status=301)
    server.redirect("/r2", server.url("/r3", host="localhost"), status=307)
    server.redirect("/r3", "final", status=308)
    server.route("/final", b"arrived")
    fetched = fetch(server.url("/r1"), max_redirects=3)
    assert fetched.content == b"arrived"
    assert fetched.url == server.url("/r1")
    assert fetched.final_url == server.url("/final", host="localhost")
    assert [request.path for request in server.requests] == ["/r1", "/r2", "/r3", "/final"]


def test_redirect_chain_over_the_cap_is_refused(server: LocalServer) -> None:
    for hop in range(4):
        server.redirect(f"/r{hop}", f"/r{hop + 1}")
    server.route("/r4", b"too far")
    error = fetch_error(server.url("/r0"), max_redirects=3)
    assert error.source == server.url("/r0")
    assert error.problem == "more than 3 redirects"


def test_redirect_to_another_scheme_is_refused(server: LocalServer) -> None:
    server.redirect("/r", "file:///etc/passwd")
    error = fetch_error(server.url("/r"))
    assert "only http and https" in error.problem


@pytest.mark.parametrize("url", ["ftp://example.org/feed.xml", "file:///etc/passwd", "javascript:alert(1)"])
def test_other_schemes_are_refused(url: str) -> None:
    error = fetch_error(url)
    assert error.source == url
    assert "only http and https" in error.problem


def test_content_length_over_the_cap_is_refused(server: LocalServer) -> None:
    server.route("/big", b"x" * (LIMIT + 1))
    error = fetch_error(server.url("/big"))
    assert error.problem.startswith(f"larger than the {LIMIT:,}-byte limit")
    assert "Content-Length" in error.problem


def test_chunked_body_over_the_cap_is_refused(server: LocalServer) -> None:
    server.route("/stream", b"y" * (LIMIT * 3), chunked=True, chunk_size=1000)
    error = fetch_error(server.url("/stream"))
    assert error.problem.startswith(f"larger than the {LIMIT:,}-byte limit")


def test_body_of_exactly_the_cap_is_accepted(server: LocalServer) -> None:
    server.route("/full", b"z" * LIMIT, chunked=True, chunk_size=999)
    assert len(fetch(server.url("/full")).content) == LIMIT


def test_gzip_bodies_are_decoded_and_capped_after_decoding(server: LocalServer) -> None:
    server.route("/small.gz", gzip.compress(b"compressed text"), headers={"Content-Encoding": "gzip"})
    assert fetch(server.url("/small.gz")).content == b"compressed text"
    bomb = gzip.compress(b"\0" * 5_000_000)
    assert len(bomb) < LIMIT
    server.route("/bomb.gz", bomb, headers={"Content-Encoding": "gzip"})
    error = fetch_error(server.url("/bomb.gz"))
    assert error.problem.startswith(f"larger than the {LIMIT:,}-byte limit")
    assert server.requests[0].header("Accept-Encoding") == "gzip"


def test_a_server_dribbling_the_body_fails_at_the_total_deadline(server: LocalServer) -> None:
    server.route("/slow", b"s" * 100, chunked=True, chunk_size=1, delay_per_chunk=0.2)
    error = fetch_error(server.url("/slow"), total_seconds=1.0, timeout_seconds=5.0)
    assert error.source == server.url("/slow")
    assert "timed out" in error.problem


def test_a_server_stalling_before_its_headers_fails_at_the_total_deadline(server: LocalServer) -> None:
    # The read timeout alone (5 s) would wait for the answer at 2 s; the total deadline must hang up first,
    # while the server is still silent, and the server sees that.
    server.route("/stall", b"late", delay_before_response=2.0)
    error = fetch_error(server.url("/stall"), total_seconds=0.5, timeout_seconds=5.0)
    assert "timed out" in error.problem
    assert server.wait_for_hangups(1) == ["/stall"]


@pytest.mark.parametrize(("status", "reason"), [(404, "Not Found"), (500, "Internal Server Error")])
def test_http_errors_name_the_url(server: LocalServer, status: int, reason: str) -> None:
    server.route("/gone", b"nope", status=status)
    error = fetch_error(server.url("/gone"))
    assert error.source == server.url("/gone")
    assert error.problem == f"HTTP {status} {reason}"
    assert str(error) == f"{server.url('/gone')}: HTTP {status} {reason}"


def test_http_error_after_a_redirect_names_where_it_happened(server: LocalServer) -> None:
    server.redirect("/moved", "/missing")
    error = fetch_error(server.url("/moved"))
    assert error.source == server.url("/moved")
    assert error.problem == f"HTTP 404 Not Found (at {server.url('/missing')})"


def test_conditional_get_with_etag_gets_304(server: LocalServer) -> None:
    server.route("/feed", b"<rss/>", etag='"v1"', last_modified="Tue, 14 Mar 2023 10:00:00 GMT")
    with Fetcher(FetchPolicy(max_bytes=LIMIT, allow_private=True)) as fetcher:
        first = fetcher.get(server.url("/feed"))
        assert first.etag == '"v1"'
        assert first.last_modified == "Tue, 14 Mar 2023 10:00:00 GMT"
        second = fetcher.get(server.url("/feed"), etag=first.etag, last_modified=first.last_modified)
    assert second.not_modified
    assert second.status == 304
    assert second.content == b""
    assert server.requests[0].header("If-None-Match") is None
    assert server.requests[1].header("If-None-Match") == '"v1"'
    assert server.requests[1].header("If-Modified-Since") == "Tue, 14 Mar 2023 10:00:00 GMT"


def test_conditional_get_with_last_modified_only(server: LocalServer) -> None:
    server.route("/page", b"body", last_modified="Wed, 15 Mar 2023 10:00:00 GMT")
    with Fetcher(FetchPolicy(max_bytes=LIMIT, allow_private=True)) as fetcher:
        assert fetcher.get(server.url("/page"), etag='"other"').content == b"body"
        assert fetcher.get(server.url("/page"), last_modified="Wed, 15 Mar 2023 10:00:00 GMT").not_modified


def test_304_without_a_conditional_request_is_an_error(server: LocalServer) -> None:
    server.route("/odd", b"", status=304)
    assert fetch_error(server.url("/odd")).problem == "HTTP 304 Not Modified"


def test_connection_refused_says_cannot_connect() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # bound but not listening: connections are refused
        error = fetch_error(f"http://127.0.0.1:{port}/")
    assert error.problem.startswith("cannot connect: ")


def test_unresolvable_names_say_cannot_connect() -> None:
    error = fetch_error("http://no-such-host.invalid/")
    assert error.problem.startswith("cannot connect: cannot resolve no-such-host.invalid")


def test_cookies_are_never_sent_back(server: LocalServer) -> None:
    server.route("/set", b"ok", headers={"Set-Cookie": "session=secret; Path=/"})
    with Fetcher(FetchPolicy(max_bytes=LIMIT, allow_private=True)) as fetcher:
        fetcher.get(server.url("/set"))
        fetcher.get(server.url("/set"))
    assert server.requests[1].header("Cookie") is None
