"""A real HTTP server on 127.0.0.1 for tests that fetch: routes set per test, and a log of what was asked.

::

    from tests.local_http import LocalServer

    with LocalServer() as server:
        server.route("/feed.xml", FEED, headers={"Content-Type": "application/rss+xml"}, etag='"v1"')
        server.redirect("/old", "/feed.xml")
        fetcher.get(server.url("/old"))
        assert server.requests[-1].header("If-None-Match") is None

Or take the ``local_server`` fixture (``from tests.local_http import local_server`` in a test module or a
conftest). Each route answers GET with its status, headers and body; with ``etag`` or ``last_modified`` it
answers 304 to a matching ``If-None-Match`` or ``If-Modified-Since``. ``chunked=True`` sends the body
with ``Transfer-Encoding: chunked`` and no length; ``delay_per_chunk`` sleeps before each chunk of
``chunk_size`` bytes (a slow server), ``delay_before_response`` before the status line (a client that
hangs up meanwhile is logged in ``hangups``; see ``wait_for_hangups``). A path with no route answers
404. The server is private (loopback): fetchers need ``allow_private=True``.
"""

from __future__ import annotations

import select
import socket
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import pytest


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server received it."""

    method: str
    path: str  # with the query string
    headers: tuple[tuple[str, str], ...]

    def header(self, name: str) -> str | None:
        """The value of header ``name`` (case-insensitive), or None."""
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


@dataclass(frozen=True)
class Route:
    body: bytes
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    delay_per_chunk: float = 0.0
    chunk_size: int | None = None
    chunked: bool = False
    delay_before_response: float = 0.0


class LocalServer:
    """A ``ThreadingHTTPServer`` on 127.0.0.1 (a free port) in a daemon thread; a context manager."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        # Paths whose client hung up while the server stalled before answering (delay_before_response).
        self.hangups: list[str] = []
        self._routes: dict[str, Route] = {}
        self._lock = threading.Lock()
        self._hung_up = threading.Condition(self._lock)
        self._stopping = threading.Event()
        self._server = _QuietServer(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self.port: int = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        """The URL of ``path`` on this server, optionally through another name such as ``localhost``."""
        return f"http://{host}:{self.port}{path}"

    def route(
        self,
        path: str,
        body: bytes,
        status: int = 200,
        headers: dict[str, str] | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        delay_per_chunk: float = 0.0,
        chunk_size: int | None = None,
        chunked: bool = False,
        delay_before_response: float = 0.0,
    ) -> None:
        """Answer GET ``path`` (a path with its query string, or a bare path for any query)."""
        with self._lock:
            self._routes[path] = Route(
                body=body,
                status=status,
                headers=dict(headers or {}),
                etag=etag,
                last_modified=last_modified,
                delay_per_chunk=delay_per_chunk,
                chunk_size=chunk_size,
                chunked=chunked,
                delay_before_response=delay_before_response,
            )

    def redirect(self, path: str, to: str, status: int = 302) -> None:
        """Answer GET ``path`` with a redirect to ``to`` (absolute or relative)."""
        self.route(path, b"", status=status, headers={"Location": to})

    def find(self, path: str) -> Route | None:
        with self._lock:
            return self._routes.get(path) or self._routes.get(urlsplit(path).path)

    def record_hangup(self, path: str) -> None:
        with self._hung_up:
            self.hangups.append(path)
            self._hung_up.notify_all()

    def wait_for_hangups(self, count: int = 1, timeout: float = 5.0) -> list[str]:
        """``hangups`` once it holds ``count`` paths, or as it is after ``timeout`` seconds."""
        with self._hung_up:
            self._hung_up.wait_for(lambda: len(self.hangups) >= count, timeout)
            return list(self.hangups)

    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def sleep(self, seconds: float) -> bool:
        """Sleep unless the server stops first; True when it is stopping."""
        return self._stopping.wait(seconds) if seconds > 0 else self._stopping.is_set()

    def __enter__(self) -> LocalServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that give up (timeouts, size caps, closed keep-alive connections) reset the connection.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _handler_for(server: LocalServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep test output clean

        def do_GET(self) -> None:
            server.record(RecordedRequest("GET", self.path, tuple(self.headers.items())))
            route = server.find(self.path)
            try:
                if route is None:
                    self._answer(Route(b"not found", status=404, headers={"Content-Type": "text/plain"}))
                elif _not_modified(route, self.headers["If-None-Match"], self.headers["If-Modified-Since"]):
                    self._answer(Route(b"", status=304), validators=route)
                else:
                    self._answer(route, validators=route)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up: expected in timeout and size tests

        def _answer(self, route: Route, validators: Route | None = None) -> None:
            if route.delay_before_response and self._stall(route.delay_before_response):
                return
            self.send_response(route.status)
            names = {name.lower() for name in route.headers}
            for name, value in route.headers.items():
                self.send_header(name, value)
            if validators is not None and validators.etag and "etag" not in names:
                self.send_header("ETag", validators.etag)
            if validators is not None and validators.last_modified and "last-modified" not in names:
                self.send_header("Last-Modified", validators.last_modified)
            body = b"" if route.status == 304 else route.body
            if route.chunked:
                self.send_header("Transfer-Encoding", "chunked")
            elif "content-length" not in names and route.status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            size = route.chunk_size or max(len(body), 1)
            for start in range(0, len(body), size):
                if server.sleep(route.delay_per_chunk):
                    return
                chunk = body[start : start + size]
                if route.chunked:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                else:
                    self.wfile.write(chunk)
                self.wfile.flush()
            if route.chunked:
                self.wfile.write(b"0\r\n\r\n")

        def _stall(self, seconds: float) -> bool:
            """Wait before answering; True (do not answer) when the server stops or the client hangs up."""
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                if server.sleep(0):
                    return True
                readable, _, _ = select.select([self.connection], [], [], 0.02)
                if readable and not self.connection.recv(1, socket.MSG_PEEK):
                    server.record_hangup(self.path)
                    return True
            return False

    return Handler


def _not_modified(route: Route, if_none_match: str | None, if_modified_since: str | None) -> bool:
    if route.etag and if_none_match is not None:
        tags = [tag.strip() for tag in if_none_match.split(",")]
        return "*" in tags or route.etag in tags
    return bool(route.last_modified and if_modified_since == route.last_modified)


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    """A started ``LocalServer``, stopped after the test."""
    with LocalServer() as server:
        yield server
