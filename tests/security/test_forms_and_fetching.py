"""Cross-site request forgery on every web form, and server-side request forgery through URL ingestion,
against a live server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from liaison.domain import AccountRole
from liaison.settings import Settings
from liaison.store import Store
from liaison.store.schema import reports
from tests.local_http import LocalServer
from tests.security.common import Server, add_accounts, serving
from tests.web.browsing import csrf_token_in, example_path, log_in, web_routes


@pytest.fixture
def server(settings: Settings, store: Store) -> Iterator[Server]:
    store.add_organization("Alpha", home=True)
    store.add_organization("Bravo")
    tokens = add_accounts(
        store,
        {
            "ada": ("Alpha", AccountRole.ADMIN),
            "ann": ("Alpha", AccountRole.ANALYST),
            "bob": ("Bravo", AccountRole.PARTNER),
        },
    )
    with serving(settings, store, tokens) as running:
        yield running


def _report_count(store: Store) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(reports)).scalar_one())


def _form_routes() -> list[str]:
    paths = sorted({example_path(r) for r in web_routes() if "POST" in r.methods and r.path != "/login"})
    assert "/logout" in paths and "/ingest/url" in paths and len(paths) > 5, paths
    return paths


def test_every_form_refuses_a_missing_wrong_or_other_sessions_token(server: Server) -> None:
    ada, ann = server.client(), server.client()
    assert log_in(ada, "ada").status_code == 303 and log_in(ann, "ann").status_code == 303
    own, other = csrf_token_in(ada.get("/").text), csrf_token_in(ann.get("/").text)
    assert own != other
    text = "Europol arrested LockBit members in France on Tuesday. Police seized 34 servers."
    form = {"text": text, "tlp": "clear", "address": "https://example.org/", "title": "forged"}
    refused = []
    for path in _form_routes():
        for label, extra, headers in (
            ("no token", {}, {}),
            ("wrong token", {"csrf_token": "forged-" + own[7:]}, {}),
            ("empty token", {"csrf_token": ""}, {}),
            ("another session's token", {"csrf_token": other}, {}),
            ("another session's token as header", {}, {"X-CSRF-Token": other}),
            (
                "cross-origin, no token",
                {},
                {"Origin": "https://evil.example", "Referer": "https://evil.example/"},
            ),
        ):
            response = ada.post(path, data={**form, **extra}, headers=headers)
            refused.append((path, label, response.status_code))
    assert [r for r in refused if r[2] != 403] == []
    assert _report_count(server.store) == 0
    # Still logged in (the forged logouts did nothing); can fail: the session's own token is accepted.
    assert ada.get("/").status_code == 200
    assert ada.post("/logout", data={"csrf_token": own}).status_code == 303
    assert ada.get("/").status_code == 303


def test_a_form_without_a_session_goes_to_the_login_whatever_the_token(server: Server) -> None:
    anonymous = server.client()
    for path in _form_routes():
        response = anonymous.post(path, data={"csrf_token": "x"})
        assert response.status_code == 303 and response.headers["location"].startswith("/login"), path


def test_the_login_form_refuses_a_cross_site_post(server: Server) -> None:
    # Login CSRF: a forged login would put the victim in the attacker's session.
    victim = server.client()
    forged = {"username": "bob", "password": "correct horse battery staple", "next": "/"}
    attacker = server.client()
    attacker_token = csrf_token_in(attacker.get("/login").text)
    for extra in ({}, {"csrf_token": attacker_token}):
        response = victim.post("/login", data={**forged, **extra}, headers={"Origin": "https://evil.example"})
        assert response.status_code == 403
        assert "liaison_session" not in response.cookies


@pytest.mark.parametrize(
    "address",
    [
        "http://127.0.0.1:{port}/secret",
        "http://localhost:{port}/secret",
        "http://[::1]:{port}/secret",
        "http://0.0.0.0:{port}/secret",
        "http://127.1:{port}/secret",
        "http://2130706433:{port}/secret",  # 127.0.0.1 as one number
        "http://0x7f000001:{port}/secret",
        "http://[::ffff:127.0.0.1]:{port}/secret",
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        "http://10.0.0.1/",
        "http://192.168.0.1/",
        "http://[fd00::1]/",
        "file:///etc/passwd",
        "gopher://127.0.0.1:{port}/_",
    ],
)
def test_url_ingestion_does_not_fetch_private_addresses(server: Server, address: str) -> None:
    """The web form is the one way to have the server fetch a URL (the REST API takes text and files; its
    ``url`` field is metadata, never fetched). Redirects from a public name to a private address are
    refused by the same check on every hop: ``tests/ingest/test_http.py``
    (``test_a_redirect_to_a_private_address_is_refused``), which fakes DNS for the public name."""
    client = server.client()
    assert log_in(client, "ann").status_code == 303
    with LocalServer() as target:
        target.route("/secret", b"<html><body><p>Internal secret page, not for partners.</p></body></html>")
        url = address.format(port=target.port)
        token = csrf_token_in(client.get("/ingest").text)
        response = client.post("/ingest/url", data={"address": url, "tlp": "clear", "csrf_token": token})
        assert response.status_code == 422, response.text
        assert "Internal secret" not in response.text
        assert target.requests == []
    assert _report_count(server.store) == 0
