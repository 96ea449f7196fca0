"""Attacks on authentication against a live server: bypass attempts, token brute force and password
guessing (``liaison.api.throttle``), on the REST API, TAXII and the web login form."""

from __future__ import annotations

import base64
import socket
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from sqlalchemy import update

from liaison.api import auth, throttle
from liaison.api.throttle import (
    MAX_FAILURES_PER_CLIENT,
    MAX_FAILURES_PER_USER,
    Attempt,
    LoginThrottle,
    Refusal,
)
from liaison.domain import AccountRole
from liaison.settings import Settings
from liaison.store import Store
from liaison.store.schema import users
from liaison.web import login
from tests.security.common import PASSWORD, TAXII, Server, add_accounts, basic, serving
from tests.web.browsing import csrf_token_in

UNAUTHENTICATED = {"detail": "authentication required"}


@pytest.fixture
def server(settings: Settings, store: Store) -> Iterator[Server]:
    store.add_organization("Alpha", home=True)
    store.add_organization("Bravo")
    tokens = add_accounts(
        store,
        {
            "ann": ("Alpha", AccountRole.ANALYST),
            "bob": ("Bravo", AccountRole.PARTNER),
            "dis": ("Alpha", AccountRole.ANALYST),
            "rev": ("Alpha", AccountRole.ANALYST),
        },
    )
    with store.engine.begin() as connection:
        connection.execute(update(users).where(users.c.name == "dis").values(disabled=True))
    store.revoke_token(tokens["rev"][:12])
    with serving(settings, store, tokens) as running:
        yield running


def _raw_request(url: str, head: bytes) -> bytes:
    """Send bytes httpx would refuse to send (a header with a bare newline in it)."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as connection:
        connection.sendall(head)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    return received


def test_bypass_attempts_get_the_same_401_and_learn_nothing(server: Server) -> None:
    ann_token = server.tokens["ann"]
    b64 = base64.b64encode
    attempts = {
        "none": None,
        "basic with nothing": "Basic",
        "malformed base64": "Basic !!!not-base64!!!",
        "no colon": "Basic " + b64(b"ann").decode(),
        "empty user and password": "Basic " + b64(b":").decode(),
        "password only": "Basic " + b64(f":{PASSWORD}".encode()).decode(),
        "nul in the name": "Basic " + b64(f"ann\0:{PASSWORD}".encode()).decode(),
        "empty bearer": "Bearer",
        "bearer without prefix": "Bearer " + ann_token.removeprefix("lsn_"),
        "bearer, prefix only": "Bearer lsn_",
        "overlong bearer": "Bearer " + ann_token + "A" * 4000,
        "a token one character off": "Bearer " + ann_token[:-1] + ("A" if ann_token[-1] != "A" else "B"),
        "revoked token": f"Bearer {server.tokens['rev']}",
        "disabled user's token": f"Bearer {server.tokens['dis']}",
        "disabled user's password": basic("dis", PASSWORD),
        "token as Basic password": basic("ann", ann_token),
        "token as Basic user name": "Basic " + b64(f"{ann_token}:".encode()).decode(),
        "another user's name with a token": basic("bob", ann_token),
        "unknown scheme": f"Digest {ann_token}",
        "scheme glued to the token": f"Bearer{ann_token}",
        "two schemes": f"Basic Bearer {ann_token}",
    }
    # Two addresses: more failures than one address may have before it is throttled.
    client, taxii_client = server.client("127.0.0.1"), server.client("127.0.0.2")
    for label, header in attempts.items():
        headers = {"Authorization": header} if header is not None else {}
        response = client.get("/api/me", headers=headers)
        assert response.status_code == 401, label
        assert response.json() == UNAUTHENTICATED, label
        assert "Basic" in response.headers["www-authenticate"], label
        taxii = taxii_client.get("/taxii2/", headers={**headers, "Accept": TAXII})
        assert taxii.status_code == 401, label
        assert taxii.json() == {
            "title": "Unauthorized",
            "description": "authentication required",
            "http_status": "401",
        }, label
    # The checks above can fail: the same clients, with real credentials, are let in.
    assert taxii_client.get("/taxii2/", headers={**server.bearer("ann"), "Accept": TAXII}).status_code == 200
    assert client.get("/api/me", headers=server.bearer("ann")).json()["name"] == "ann"
    assert client.get("/api/me", headers={"Authorization": basic("bob", PASSWORD)}).status_code == 200


def test_the_scheme_is_case_insensitive_and_nothing_else_is(server: Server) -> None:
    client = server.client()
    token = server.tokens["ann"]
    for scheme in ("bearer", "BEARER", "BeArEr", "token", "TOKEN"):
        assert client.get("/api/me", headers={"Authorization": f"{scheme} {token}"}).status_code == 200
    # RFC 7235: the scheme is case-insensitive, the credentials are not.
    assert client.get("/api/me", headers={"Authorization": f"Bearer {token.upper()}"}).status_code == 401
    assert client.get("/api/me", headers={"Authorization": basic("ann", PASSWORD.upper())}).status_code == 401


@pytest.mark.parametrize(
    "header",
    [
        b"Authorization: Bearer lsn_x\nX-Remote-User: ann\r\n",  # a bare LF inside the header block
        b"Authorization: Bearer lsn_x\r\n ann\r\n",  # an obsolete folded continuation line
        b"Authorization: Bearer lsn_x\rX-Remote-User: ann\r\n",  # a bare CR
        b"Authorization: Bearer lsn_x\x00" + b"ann\r\n",  # a NUL
        b"Authorization: Basic \r\n",  # an empty Basic (httpx will not send the trailing space)
        b"Authorization: Bearer    \r\n",
        b"Authorization: Basic YW5uOg==\r\nAuthorization: Bearer lsn_x\r\n",  # two headers
    ],
)
def test_header_injection_is_refused(server: Server, header: bytes) -> None:
    host = urlsplit(server.url).netloc.encode()
    head = b"GET /api/me HTTP/1.1\r\nHost: " + host + b"\r\n" + header + b"Connection: close\r\n\r\n"
    answer = _raw_request(server.url, head)
    status = int(answer.split(b" ", 2)[1])
    assert status in (400, 401), answer[:200]
    assert b'"name"' not in answer and b"ann" not in answer.split(b"\r\n\r\n", 1)[-1]


def test_token_brute_force_is_throttled_per_address(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    checked: list[str] = []
    real_check = auth.check_token
    monkeypatch.setattr(
        auth, "check_token", lambda store, token: checked.append(token) or real_check(store, token)
    )
    attacker = server.client("127.0.0.1")
    statuses = []
    for guess in range(MAX_FAILURES_PER_CLIENT + 10):
        response = attacker.get("/api/me", headers={"Authorization": f"Bearer lsn_guess{guess:040d}"})
        statuses.append(response.status_code)
    assert statuses == [401] * MAX_FAILURES_PER_CLIENT + [429] * 10
    assert len(checked) == MAX_FAILURES_PER_CLIENT  # refused attempts are not even checked
    refused = attacker.get("/api/me", headers={"Authorization": "Bearer lsn_guess"})
    assert refused.status_code == 429
    assert refused.json() == {"detail": "too many failed authentication attempts; try again later"}
    assert 0 < int(refused.headers["retry-after"]) <= throttle.WINDOW_SECONDS
    taxii = attacker.get("/taxii2/", headers={"Authorization": "Bearer lsn_guess", "Accept": TAXII})
    assert taxii.status_code == 429 and taxii.headers["content-type"] == TAXII
    assert taxii.json()["http_status"] == "429" and "retry-after" in taxii.headers
    # Documented: the address is locked, right token or not; another address is not.
    assert attacker.get("/api/me", headers=server.bearer("ann")).status_code == 429
    assert server.client("127.0.0.2").get("/api/me", headers=server.bearer("ann")).status_code == 200
    # A request without credentials is still just a 401 challenge.
    assert attacker.get("/api/me").status_code == 401
    throttled = [e for e in server.store.audit_entries() if e.action == "login.throttled"]
    assert len(throttled) == 1  # once when the lock starts, not once per refusal
    assert throttled[0].actor == "token" and throttled[0].detail["client"] == "127.0.0.1"


def test_password_guessing_locks_the_name_wherever_it_comes_from(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[str] = []
    real_check = auth.check_password
    monkeypatch.setattr(
        auth, "check_password", lambda store, name, pw: checked.append(name) or real_check(store, name, pw)
    )
    # Each guess from another address: only the per-name count can stop them.
    for attempt in range(MAX_FAILURES_PER_USER):
        guesser = server.client(f"127.0.1.{attempt + 1}")
        assert (
            guesser.get("/api/me", headers={"Authorization": basic("bob", f"guess {attempt}")}).status_code
            == 401
        )
    elsewhere = server.client("127.0.2.1")
    refused = elsewhere.get("/api/reports", headers={"Authorization": basic("BOB", PASSWORD)})
    assert refused.status_code == 429 and "retry-after" in refused.headers
    assert checked == ["bob"] * MAX_FAILURES_PER_USER  # no Argon2 for the refused one
    # The web form counts the same failures.
    page = elsewhere.get("/login")
    form = {"username": "bob", "password": PASSWORD, "csrf_token": csrf_token_in(page.text), "next": "/"}
    web = elsewhere.post("/login", data=form)
    assert web.status_code == 429 and "retry-after" in web.headers
    assert login.THROTTLED_MESSAGE in web.text and "liaison_session" not in web.cookies
    # Bob's token is not tied to his name's count; other users are not locked.
    assert elsewhere.get("/api/me", headers=server.bearer("bob")).status_code == 200
    assert elsewhere.get("/api/me", headers={"Authorization": basic("ann", PASSWORD)}).status_code == 200
    throttled = [e for e in server.store.audit_entries() if e.action == "login.throttled"]
    assert [e.detail["key"] for e in throttled] == ["user:bob"]


def test_web_login_guessing_is_throttled(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    checked: list[str] = []
    real_check = login.check_password
    monkeypatch.setattr(
        login, "check_password", lambda store, name, pw: checked.append(name) or real_check(store, name, pw)
    )
    client = server.client("127.0.3.1")
    token = csrf_token_in(client.get("/login").text)
    statuses = []
    for attempt in range(MAX_FAILURES_PER_USER + 2):
        form = {"username": "ann", "password": f"guess number {attempt}", "csrf_token": token, "next": "/"}
        statuses.append(client.post("/login", data=form).status_code)
    assert statuses == [200] * MAX_FAILURES_PER_USER + [429, 429]
    assert len(checked) == MAX_FAILURES_PER_USER
    right = client.post("/login", data={"username": "ann", "password": PASSWORD, "csrf_token": token})
    assert right.status_code == 429 and login.THROTTLED_MESSAGE in right.text
    # Another user from the same address is still let in (the address is under its own, higher limit).
    other = client.post("/login", data={"username": "bob", "password": PASSWORD, "csrf_token": token})
    assert other.status_code == 303


def test_successes_do_not_count(server: Server) -> None:
    client = server.client("127.0.4.1")
    for _ in range(MAX_FAILURES_PER_CLIENT + 5):
        assert client.get("/api/me", headers=server.bearer("ann")).status_code == 200
    for _ in range(MAX_FAILURES_PER_USER + 2):
        assert client.get("/api/me", headers={"Authorization": basic("ann", PASSWORD)}).status_code == 200


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_window_slides() -> None:
    clock = Clock()
    limiter = LoginThrottle(max_per_user=3, max_per_client=100, window_seconds=60, clock=clock)
    for _ in range(3):
        assert isinstance(limiter.begin(["user:ann"]), Attempt)
        clock.now += 10
    refusal = limiter.begin(["user:ann"])
    assert isinstance(refusal, Refusal) and refusal.first and refusal.retry_after == 30
    again = limiter.begin(["user:ann"])
    assert isinstance(again, Refusal) and not again.first
    clock.now += 30  # the first failure leaves the window
    assert isinstance(limiter.begin(["user:ann"]), Attempt)
    assert isinstance(limiter.begin(["user:ann"]), Refusal)
    assert isinstance(limiter.begin(["user:bob"]), Attempt)


def test_a_success_is_forgotten() -> None:
    limiter = LoginThrottle(max_per_user=2, max_per_client=100, clock=Clock())
    for _ in range(10):
        attempt = limiter.begin(["client:10.0.0.1", "user:ann"])
        assert isinstance(attempt, Attempt)
        limiter.succeeded(attempt)


def test_concurrent_guesses_cannot_slip_past_the_limit() -> None:
    limiter = LoginThrottle(max_per_user=5, max_per_client=1000)
    start = threading.Barrier(50)
    results: list[object] = []

    def guess() -> None:
        start.wait()
        results.append(limiter.begin(["user:ann"]))

    threads = [threading.Thread(target=guess) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(isinstance(r, Attempt) for r in results) == 5


def test_addresses_are_counted_by_host_and_ipv6_by_slash_64() -> None:
    assert throttle.client_key("192.0.2.7") == "client:192.0.2.7"
    assert (
        throttle.client_key("2001:db8::1")
        == throttle.client_key("2001:db8::ffff:1")
        == "client:2001:db8::/64"
    )
    assert throttle.client_key("2001:db8:0:1::1") != throttle.client_key("2001:db8::1")
    assert throttle.client_key("::ffff:192.0.2.7") == "client:192.0.2.7"
    assert throttle.client_key("testclient") == "client:testclient"
    assert throttle.user_key(" Ann ") == throttle.user_key("ann")


def test_memory_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(throttle, "MAX_KEYS", 100)
    limiter = LoginThrottle(clock=Clock())
    for number in range(1000):
        limiter.begin([f"user:name{number}"])
    assert len(limiter._failures) == 100


def test_a_nul_in_a_user_name_is_a_failed_login_not_a_server_error(server: Server) -> None:
    # Regression: on PostgreSQL the user lookup and the audit entry of such a name were a 500.
    client = server.client()
    api = client.get("/api/me", headers={"Authorization": basic("ann\0", PASSWORD)})
    assert api.status_code == 401 and api.json() == UNAUTHENTICATED
    token = csrf_token_in(client.get("/login").text)
    web = client.post("/login", data={"username": "a\0nn", "password": PASSWORD, "csrf_token": token})
    assert web.status_code == 200 and "Wrong user name or password." in web.text
    actors = [
        e.actor for e in server.store.audit_entries() if e.action in ("login.failed", "web.login.failed")
    ]
    assert actors == ["password:ann?", "password:a?nn"]
