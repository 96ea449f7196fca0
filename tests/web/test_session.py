"""The web UI's login session: logging in and out (audited), every page behind it, CSRF on every form,
security headers on every response, cookie flags. Against a real server (``tests.live_server``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from http.cookies import SimpleCookie

import httpx
import pytest
from sqlalchemy import update

from liaison.domain import AccountRole
from liaison.settings import Settings
from liaison.store import Store
from liaison.store.readable_overview import MATCH_END, MATCH_START
from liaison.store.schema import users
from liaison.web.pages_home import highlighted_snippet
from liaison.web.security import CONTENT_SECURITY_POLICY
from liaison.web.session import (
    IDLE_TIMEOUT,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    SESSION_LIFETIME,
    TOUCH_INTERVAL,
)
from tests.conftest import FIXED_TIME
from tests.web.browsing import (
    PASSWORD,
    Site,
    add_users,
    csrf_token_in,
    example_path,
    log_in,
    post_form,
    serving,
    web_routes,
)


@pytest.fixture
def site(settings: Settings, store: Store) -> Iterator[Site]:
    store.add_organization("Alpha", home=True)
    store.add_organization("Bravo")
    add_users(store, {"ann": ("Alpha", AccountRole.ANALYST), "bob": ("Bravo", AccountRole.PARTNER)})
    with serving(settings, store) as site:
        yield site


def _set_cookies(response: httpx.Response) -> dict[str, SimpleCookie]:
    found = {}
    for header in response.headers.get_list("set-cookie"):
        cookie: SimpleCookie = SimpleCookie()
        cookie.load(header)
        for name in cookie:
            found[name] = cookie
    return found


def _cookie_flags(response: httpx.Response, name: str) -> dict[str, str | bool]:
    header = next(h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}="))
    flags: dict[str, str | bool] = {}
    for part in header.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        flags[key.lower()] = value or True
    return flags


def test_logging_in_and_out_is_audited_and_ends_the_session_on_the_server(site: Site) -> None:
    client = site.client()
    response = log_in(client, "ann", next_url="/search?q=arrest")
    assert response.status_code == 303
    assert response.headers["location"] == "/search?q=arrest"
    flags = _cookie_flags(response, SESSION_COOKIE)
    assert flags["httponly"] is True and flags["samesite"] == "strict" and flags["path"] == "/"
    assert "secure" not in flags  # plain http on loopback: a Secure cookie would never come back
    dashboard = client.get("/")
    assert dashboard.status_code == 200 and 'data-user="ann"' in dashboard.text
    assert dashboard.headers["cache-control"] == "no-store"
    stolen = client.cookies[SESSION_COOKIE]

    logout = post_form(client, "/logout", {})
    assert logout.status_code == 303 and logout.headers["location"] == "/login"
    assert client.get("/").status_code == 303
    # The session is gone on the server: the old cookie opens nothing.
    replay = httpx.get(f"{site.url}/", cookies={SESSION_COOKIE: stolen})
    assert replay.status_code == 303 and replay.headers["location"] == "/login"

    actions = [
        (e.actor, e.action, e.target) for e in site.store.audit_entries() if e.action.startswith("web.log")
    ]
    assert actions == [("ann", "web.login", "/login"), ("ann", "web.logout", "/logout")]


def test_a_wrong_password_and_an_unknown_user_fail_alike_and_are_audited(site: Site) -> None:
    client = site.client()
    wrong = log_in(client, "ann", password="not the password at all")
    unknown = log_in(client, "nobody", password=PASSWORD)
    for response in (wrong, unknown):
        assert response.status_code == 200
        assert "Wrong user name or password." in response.text
        assert SESSION_COOKIE not in _set_cookies(response)
    assert client.get("/").status_code == 303
    failed = [(e.actor, e.action) for e in site.store.audit_entries() if e.action == "web.login.failed"]
    assert failed == [("password:ann", "web.login.failed"), ("password:nobody", "web.login.failed")]


def test_every_page_requires_a_login(site: Site) -> None:
    routes = list(web_routes())
    assert {"/", "/search", "/sharing", "/ingest", "/export/{kind}", "/reports/{report_id}"} <= {
        r.path for r in routes
    }
    anonymous = site.client()
    anonymous.get("/login")  # holds the login form's cookie: it opens nothing else
    for route in routes:
        if route.path in ("/login",):
            continue
        path = example_path(route)
        method = "GET" if "GET" in route.methods else "POST"
        response = anonymous.request(method, path, data={"csrf_token": "x"} if method == "POST" else None)
        assert response.status_code == 303, (method, path, response.status_code)
        location = response.headers["location"]
        assert location.startswith("/login"), (path, location)
        if method == "GET" and path != "/":
            assert location == f"/login?next={path}", location
    assert anonymous.get("/search?q=a b").headers["location"] == "/login?next=/search%3Fq%3Da%2520b"


def test_the_login_returns_only_to_a_local_page(site: Site) -> None:
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"):
        client = site.client()
        response = log_in(client, "ann", next_url=target)
        assert response.headers["location"] == "/", target


def test_forms_are_refused_without_the_sessions_token(site: Site) -> None:
    client = site.logged_in("ann")
    token = csrf_token_in(client.get("/").text)
    assert client.post("/logout").status_code == 403
    refused = client.post("/logout", data={"csrf_token": "forged"})
    assert refused.status_code == 403 and "did not come from this site" in refused.text
    assert client.get("/").status_code == 200  # still logged in
    # Another user's token does not do either.
    other = csrf_token_in(site.logged_in("bob").get("/").text)
    assert client.post("/logout", data={"csrf_token": other}).status_code == 403
    # Scripts send the token as a header.
    assert client.post("/logout", headers={"X-CSRF-Token": token}).status_code == 303


def test_the_login_form_needs_its_own_token(site: Site) -> None:
    client = site.client()
    page = client.get("/login")
    flags = _cookie_flags(page, LOGIN_CSRF_COOKIE)
    assert flags["httponly"] is True and flags["samesite"] == "strict" and flags["path"] == "/login"
    token = csrf_token_in(page.text)
    credentials = {"username": "ann", "password": PASSWORD}
    assert client.post("/login", data=credentials).status_code == 403
    assert client.post("/login", data={**credentials, "csrf_token": "forged"}).status_code == 403
    # A page forging a login must carry the cookie too, which a browser sends only from this site.
    fresh = site.client()
    assert fresh.post("/login", data={**credentials, "csrf_token": token}).status_code == 403
    assert client.post("/login", data={**credentials, "csrf_token": token}).status_code == 303
    assert not [e for e in site.store.audit_entries() if e.action == "web.login.failed"]


def test_a_new_login_gets_a_new_session(site: Site) -> None:
    client = site.client()
    client.cookies.set(SESSION_COOKIE, "chosen-by-an-attacker", domain="127.0.0.1")
    assert log_in(client, "ann").status_code == 303
    first = client.cookies[SESSION_COOKIE]
    assert first != "chosen-by-an-attacker"
    assert client.get("/login").headers["location"] == "/"  # logged in: the form is not shown again
    assert site.logged_in("ann").cookies[SESSION_COOKIE] != first


def test_disabling_a_user_ends_their_sessions(site: Site) -> None:
    client = site.logged_in("ann")
    assert client.get("/").status_code == 200
    with site.store.engine.begin() as connection:
        connection.execute(update(users).where(users.c.name == "ann").values(disabled=True))
    assert client.get("/").status_code == 303


def test_every_response_carries_the_security_headers(site: Site) -> None:
    client = site.logged_in("ann")
    anonymous = site.client()
    responses = [
        client.get("/"),
        client.get("/search?q=x"),
        client.get("/sharing"),
        client.get("/no-such-page", headers={"accept": "text/html"}),
        client.get("/static/css/liaison.css"),
        client.post("/logout"),  # 403
        anonymous.get("/login"),
        anonymous.get("/"),  # 303
        anonymous.get("/api/me"),  # 401 from the API
        anonymous.get("/taxii2/"),
    ]
    for response in responses:
        headers = response.headers
        assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY, response.url
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
        assert headers["x-frame-options"] == "DENY"
    assert (
        "script-src 'self';" in CONTENT_SECURITY_POLICY and "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    )


def test_pages_have_no_inline_script_style_or_handler(site: Site) -> None:
    client = site.logged_in("ann")
    for path in ("/", "/search?q=x", "/sharing", "/ingest", "/sharing/Bravo", "/no-such-page"):
        html = client.get(path).text
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert 'src="/static/' in tag or 'type="application/json"' in tag, (path, tag)
        assert not re.search(r"<style\b", html), path
        assert not re.search(r"\sstyle\s*=", html), path
        assert not re.search(r"\son[a-z]+\s*=", html), path
        # Nothing is loaded from, or sent to, another origin.
        assert not re.search(r'\s(src|href|action|formaction)="(https?:)?//', html), path


def test_an_unknown_page_is_an_html_404_for_browsers_and_json_for_the_api(site: Site) -> None:
    client = site.logged_in("ann")
    page = client.get("/no-such-page", headers={"accept": "text/html"})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    api = client.get("/api/no-such-thing", headers={"accept": "text/html"})
    assert api.status_code == 404 and api.json() == {"detail": "Not Found"}


def test_the_npm_packages_are_served_from_this_origin(site: Site) -> None:
    shapes = httpx.get(f"{site.url}/static/vendor/world-atlas/countries-110m.json")
    assert shapes.status_code == 200 and shapes.json()["type"] == "Topology"
    script = httpx.get(f"{site.url}/static/vendor/topojson-client/dist/topojson-client.min.js")
    assert script.status_code == 200 and "feature" in script.text
    assert httpx.get(f"{site.url}/static/vendor/commander/package.json").status_code == 404


def test_a_session_ends_when_unused_or_expired(settings: Settings) -> None:
    now = [FIXED_TIME]
    with Store.open(settings, clock=lambda: now[0]) as store:
        store.add_organization("Alpha", home=True)
        add_users(store, {"ann": ("Alpha", AccountRole.ANALYST)})
        user = store.user("ann")
        store.create_web_session(user.id, "a" * 64, "token-a", SESSION_LIFETIME)
        store.create_web_session(user.id, "b" * 64, "token-b", SESSION_LIFETIME)
        found = store.web_session("a" * 64, IDLE_TIMEOUT)
        assert found is not None and found.user.name == "ann" and found.csrf_token == "token-a"
        # Used every hour, "a" stays open; "b", unused for two hours, is closed.
        for hour in (1, 2, 3):
            now[0] = FIXED_TIME + timedelta(hours=hour)
            assert store.web_session("a" * 64, IDLE_TIMEOUT, touch_after=TOUCH_INTERVAL) is not None
        assert store.web_session("b" * 64, IDLE_TIMEOUT) is None
        # However used, a session ends at its expiry.
        for hour in range(4, 12):
            now[0] = FIXED_TIME + timedelta(hours=hour)
            assert store.web_session("a" * 64, IDLE_TIMEOUT, touch_after=TOUCH_INTERVAL) is not None
        now[0] = FIXED_TIME + SESSION_LIFETIME
        assert store.web_session("a" * 64, IDLE_TIMEOUT, touch_after=TOUCH_INTERVAL) is None
        assert store.web_session("c" * 64, IDLE_TIMEOUT) is None
        # Expired sessions are dropped when the next one opens; ending all of a user's sessions works.
        store.create_web_session(user.id, "d" * 64, "token-d", SESSION_LIFETIME)
        assert store.delete_web_sessions_of(user.id) == 1
        assert store.web_session("d" * 64, IDLE_TIMEOUT) is None


def test_search_snippets_mark_matches_and_escape_the_rest() -> None:
    snippet = f"<img src=x>{MATCH_START}arrested{MATCH_END} & {MATCH_END}<b>{MATCH_START}"
    assert str(highlighted_snippet(snippet)) == "&lt;img src=x&gt;<mark>arrested</mark> &amp; &lt;b&gt;"
