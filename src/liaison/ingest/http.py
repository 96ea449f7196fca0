"""Fetching one URL safely: size cap, deadlines, manual redirects and a guard against private addresses.

A collector fetches URLs that other people wrote (feeds, link lists, redirects), so every hop is checked:
only http and https, and the host must resolve to public addresses only unless ``allow_private`` is set.
The connection then goes to the address that was checked, never to the name again, so a DNS answer that
changes between the check and the connection (DNS rebinding) cannot point the fetch at an internal
service. For https the real name is still sent as SNI and verified against the certificate.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import importlib.metadata
import ipaddress
import socket
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import httpx

from liaison.errors import InputError


def _version() -> str:
    try:
        return importlib.metadata.version("liaison")
    except importlib.metadata.PackageNotFoundError:
        return "0"


USER_AGENT = (
    f"Liaison/{_version()} (open-source intelligence collector; +https://github.com/liaison-osint/liaison)"
)
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.9, "
    "text/xml;q=0.9, text/html;q=0.8, application/xhtml+xml;q=0.8, text/plain;q=0.7, */*;q=0.1"
)
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_CHUNK_BYTES = 64 * 1024
_PRIVATE_HINT = "(use --allow-private to fetch it)"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# NAT64 (RFC 6052) embeds an IPv4 address in its last 32 bits; a gateway would connect to that one.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


@dataclass(frozen=True)
class FetchPolicy:
    """How far a fetch may go. ``max_bytes`` is the body cap (callers pass ``settings.max_report_bytes``)."""

    max_bytes: int
    timeout_seconds: float = 15.0  # each of connect, read and write
    total_seconds: float = 60.0  # the whole fetch, redirects and body included (slow-loris servers)
    max_redirects: int = 5
    allow_private: bool = False
    user_agent: str = USER_AGENT


@dataclass(frozen=True)
class Fetched:
    """A successful response (2xx) or a 304 answer to a conditional request."""

    url: str  # as requested
    final_url: str  # after redirects
    status: int
    content: bytes  # b"" for 304
    content_type: str | None  # media type without parameters, lower case
    charset: str | None  # from the Content-Type header, lower case
    etag: str | None
    last_modified: str | None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def is_public_address(address: IPAddress) -> bool:
    """Whether connecting to ``address`` stays on the public internet.

    Private, loopback, link-local, reserved, multicast, unspecified and shared (CGNAT) ranges are not,
    nor IPv6 forms that carry such an IPv4 address (IPv4-mapped, 6to4, Teredo, NAT64).
    """
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:  # an IPv6 socket connects to the IPv4 address itself
            return is_public_address(address.ipv4_mapped)
        embedded = [address.sixtofour]
        if address.teredo:
            embedded.extend(address.teredo)
        if address in _NAT64:
            embedded.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        if any(inner is not None and not is_public_address(inner) for inner in embedded):
            return False
    return not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
        or not address.is_global
    )


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (a literal IP resolves to itself), in the resolver's order."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise OSError(f"cannot resolve {host}: {getattr(error, 'strerror', None) or error}") from error
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        # An IPv6 link-local answer may carry a zone ("fe80::1%eth0"); the zone does not change the range.
        address = ipaddress.ip_address(str(sockaddr[0]).partition("%")[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise OSError(f"cannot resolve {host}: no address")
    return addresses


class _Deadline:
    """The total deadline of one fetch: when it passes, every socket opened for it is shut down.

    Per-operation timeouts do not stop a server that sends one byte just before each read timeout, in the
    headers or in the body; shutting the socket down from a timer thread wakes the blocked read.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expires = time.monotonic() + seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def passed(self) -> bool:
        return self.expired or time.monotonic() >= self.expires

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            if self.expired:
                _shutdown(sock)
            else:
                self._sockets.append(sock)

    def trace(self, event: str, info: dict[str, Any]) -> None:
        """httpcore's ``trace`` extension: learn the socket of each new connection."""
        if event == "connection.connect_tcp.complete":
            stream = info.get("return_value")
            sock = stream.get_extra_info("socket") if stream is not None else None
            if isinstance(sock, socket.socket):
                self.watch(sock)

    def cancel(self) -> None:
        self._timer.cancel()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shutdown(sock)


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed: nothing left to stop
        sock.shutdown(socket.SHUT_RDWR)


def _content_type(header: str | None) -> tuple[str | None, str | None]:
    """``text/html; charset="ISO-8859-1"`` -> ``("text/html", "iso-8859-1")``."""
    if not header:
        return None, None
    media, *params = header.split(";")
    charset = None
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip("\"'").lower() or None
    return media.strip().lower() or None, charset


def _error_text(error: Exception) -> str:
    return str(error) or type(error).__name__


class _Body:
    """Accumulates a body, decoding gzip itself so that the cap applies to what is kept in memory.

    httpx would inflate a whole network chunk at once (a 64 KiB gzip chunk can inflate to 64 MiB);
    ``decompress(max_length=...)`` never produces more than the cap allows.
    """

    def __init__(self, url: str, encoding: str, max_bytes: int) -> None:
        self.url = url
        self.max_bytes = max_bytes
        self.raw = 0
        self.parts: list[bytes] = []
        self.size = 0
        if encoding in ("", "identity"):
            self._inflater = None
        elif encoding in ("gzip", "x-gzip"):
            self._inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        else:
            raise InputError(url, f"unsupported Content-Encoding {encoding!r}")

    def add(self, chunk: bytes) -> None:
        self.raw += len(chunk)
        if self.raw > self.max_bytes:
            self._too_large()
        if self._inflater is None:
            self._keep(chunk)
            return
        try:
            self._keep(self._inflater.decompress(chunk, self.max_bytes - self.size + 1))
        except zlib.error as error:
            raise InputError(self.url, f"the gzip body is corrupt: {error}") from error

    def finish(self) -> bytes:
        if self._inflater is not None:
            try:
                self._keep(self._inflater.flush(self.max_bytes - self.size + 1))
            except zlib.error as error:
                raise InputError(self.url, f"the gzip body is corrupt: {error}") from error
        return b"".join(self.parts)

    def _keep(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.max_bytes:
            self._too_large()
        self.parts.append(data)

    def _too_large(self) -> None:
        raise InputError(
            self.url, f"larger than the {self.max_bytes:,}-byte limit (LIAISON_MAX_REPORT_BYTES); not fetched"
        )


class Fetcher:
    """One httpx.Client; use as a context manager.

    Connections are not kept alive: a pooled connection is keyed by address, so it could carry a request
    for another name served at the same address over TLS verified for the first name. Proxies from the
    environment are ignored (``trust_env=False``) because the connection must go to the checked address;
    cookies are never stored, so one site's cookies cannot follow a request to another name.
    """

    def __init__(self, policy: FetchPolicy, transport: httpx.BaseTransport | None = None) -> None:
        self.policy = policy
        self._client = httpx.Client(
            transport=transport,
            follow_redirects=False,
            trust_env=False,
            timeout=httpx.Timeout(policy.timeout_seconds),
            limits=httpx.Limits(max_keepalive_connections=0),
            cookies=http.cookiejar.CookieJar(policy=http.cookiejar.DefaultCookiePolicy(allowed_domains=[])),
            headers={"User-Agent": policy.user_agent, "Accept": ACCEPT, "Accept-Encoding": "gzip"},
        )

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Fetched:
        """Fetch ``url``; a 304 answer to ``etag``/``last_modified`` gives ``not_modified``.

        Raises ``InputError`` naming ``url`` for every failure: refused address, HTTP error, timeout,
        size over the cap, too many redirects.
        """
        conditional: dict[str, str] = {}
        if etag:
            conditional["If-None-Match"] = etag
        if last_modified:
            conditional["If-Modified-Since"] = last_modified
        deadline = _Deadline(self.policy.total_seconds)
        try:
            return self._follow(url, conditional, deadline)
        finally:
            deadline.cancel()

    def _follow(self, url: str, conditional: dict[str, str], deadline: _Deadline) -> Fetched:
        current = self._checked_url(url, url)
        redirects = 0
        while True:
            with self._send(url, current, conditional, deadline) as response:
                status = response.status_code
                if status in REDIRECT_STATUSES:
                    location = response.headers.get("Location")
                    if not location:
                        raise InputError(url, f"HTTP {status} redirect without a Location header")
                    redirects += 1
                    if redirects > self.policy.max_redirects:
                        raise InputError(url, f"more than {self.policy.max_redirects} redirects")
                    current = self._checked_url(url, location, base=current)
                    continue
                at = "" if str(current) == url else f" (at {current})"
                if status == 304 and conditional:
                    content = b""
                elif 200 <= status < 300:
                    content = self._read_body(url, response, deadline)
                else:
                    raise InputError(url, f"HTTP {status} {response.reason_phrase}{at}".rstrip())
                media, charset = _content_type(response.headers.get("Content-Type"))
                return Fetched(
                    url=url,
                    final_url=str(current),
                    status=status,
                    content=content,
                    content_type=media,
                    charset=charset,
                    etag=response.headers.get("ETag"),
                    last_modified=response.headers.get("Last-Modified"),
                )

    def _checked_url(self, url: str, target: str, base: httpx.URL | None = None) -> httpx.URL:
        """Parse and check one hop's URL (relative to ``base``); errors name ``url``, the one asked for."""
        try:
            parsed = base.join(target) if base is not None else httpx.URL(target)
        except (httpx.InvalidURL, TypeError, ValueError) as error:
            raise InputError(url, f"invalid URL {target!r}: {error}") from error
        if parsed.scheme not in ("http", "https"):
            raise InputError(url, f"only http and https URLs are fetched, not {target!r}")
        if not parsed.host:
            raise InputError(url, f"no host in the URL {target!r}")
        return parsed.copy_with(fragment=None)

    def _addresses(self, url: str, target: httpx.URL) -> list[IPAddress]:
        host = target.raw_host.decode("ascii")
        try:
            addresses = resolve(host, target.port or (443 if target.scheme == "https" else 80))
        except OSError as error:
            raise InputError(url, f"cannot connect: {error}") from error
        if not self.policy.allow_private:
            for address in addresses:
                if not is_public_address(address):
                    raise InputError(
                        url, f"refused: {host} resolves to a private address, {address} {_PRIVATE_HINT}"
                    )
        return addresses

    @contextlib.contextmanager
    def _send(
        self, url: str, target: httpx.URL, conditional: dict[str, str], deadline: _Deadline
    ) -> Iterator[httpx.Response]:
        """Open a streamed response from ``target``, connecting to its checked addresses in turn."""
        if deadline.passed():
            raise self._timed_out(url)
        name = target.raw_host.decode("ascii")
        headers = {"Host": target.netloc.decode("ascii"), **conditional}
        extensions: dict[str, Any] = {"trace": deadline.trace}
        if target.scheme == "https":
            extensions["sni_hostname"] = name
        failure: Exception | None = None
        for address in self._addresses(url, target):
            request = self._client.build_request(
                "GET", target.copy_with(host=str(address)), headers=headers, extensions=extensions
            )
            try:
                response = self._client.send(request, stream=True)
            except (httpx.ConnectError, httpx.ConnectTimeout) as error:
                failure = error  # try the name's next address, as a browser would
                continue
            except httpx.HTTPError as error:
                raise self._transport_error(url, error, deadline) from error
            try:
                yield response
            except httpx.HTTPError as error:
                raise self._transport_error(url, error, deadline) from error
            finally:
                response.close()
            return
        if deadline.passed():
            raise self._timed_out(url)
        raise InputError(url, f"cannot connect: {_error_text(failure or OSError('no address'))}")

    def _read_body(self, url: str, response: httpx.Response, deadline: _Deadline) -> bytes:
        length = response.headers.get("Content-Length")
        if length and length.strip().isdigit() and int(length) > self.policy.max_bytes:
            raise InputError(
                url,
                f"larger than the {self.policy.max_bytes:,}-byte limit (LIAISON_MAX_REPORT_BYTES):"
                f" Content-Length is {int(length):,}",
            )
        encoding = response.headers.get("Content-Encoding", "").strip().lower()
        body = _Body(url, encoding, self.policy.max_bytes)
        # A transport that answers from memory (httpx.MockTransport) hands over a body already read.
        chunks = [response.content] if response.is_stream_consumed else response.iter_raw(_CHUNK_BYTES)
        for chunk in chunks:
            if deadline.passed():
                raise self._timed_out(url)
            body.add(chunk)
        if deadline.passed():
            raise self._timed_out(url)
        return body.finish()

    def _transport_error(self, url: str, error: httpx.HTTPError, deadline: _Deadline) -> InputError:
        if deadline.passed():
            return self._timed_out(url)
        if isinstance(error, httpx.TimeoutException):
            return InputError(url, f"timed out: no answer within {self.policy.timeout_seconds:g} s")
        if isinstance(error, httpx.ConnectError):
            return InputError(url, f"cannot connect: {_error_text(error)}")
        return InputError(url, f"the connection failed: {_error_text(error)}")

    def _timed_out(self, url: str) -> InputError:
        return InputError(url, f"timed out: no complete response within {self.policy.total_seconds:g} s")
