"""The watch and alert pages, and the unread badge of the top bar: each user sees and changes only their
own, through forms that carry the session's token, and never an alert about what it may not read.

The scenario is the REST API's (``tests.api.test_rest_watch``): Alpha home (ann, ada), Bravo a GREEN
partner (bob); reports naming Vera Watched arrive after the users watch her.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from html import unescape

import httpx
import pytest

from liaison import watching
from liaison.domain import TLP, WatchKind
from liaison.settings import Settings
from liaison.store import Store
from tests.api.test_rest_watch import WATCHED, arrive, build_watch_world, extraction
from tests.web.browsing import Site, csrf_token_in, post_form, serving

HOSTILE_TITLE = '<img src=x id="pwned"> Vera & co'


@dataclass
class World:
    site: Site
    settings: Settings

    @property
    def store(self) -> Store:
        return self.site.store

    def watch(self, user: str) -> str:
        watch, _ = watching.add_watch(self.store, self.settings, user, WatchKind.ENTITY, WATCHED)
        return watch.id

    def arrive(self) -> tuple[str, str]:
        """A GREEN report (with markup in its title) and an AMBER one, both naming Vera Watched."""
        green = extraction("green", TLP.GREEN)
        green = replace(green, report=replace(green.report, title=HOSTILE_TITLE))
        first, second = arrive(self.store, self.settings, green, extraction("amber", TLP.AMBER))
        return first, second


@pytest.fixture
def world(settings: Settings, store: Store) -> Iterator[World]:
    settings = replace(settings, webhook_allow_private=True)
    build_watch_world(store, settings)
    with serving(settings, store) as site:
        yield World(site, settings)


def _ok(client: httpx.Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code, response.text[:500])
    return response.text


def _badge(html: str) -> int:
    found = re.search(r'<a href="/alerts" id="nav-alerts" data-unread="(\d+)"[^>]*>(.*?)</a>', html, re.S)
    assert found, "the top bar has no alerts link"
    count = int(found.group(1))
    text = re.sub(r"<[^>]+>", "", found.group(2))
    assert text == (f"Alerts {count} unread" if count else "Alerts"), text
    return count


def _alert_ids(html: str) -> list[str]:
    return re.findall(r'data-alert-id="([^"]+)"', html)


def _section(html: str, section_id: str) -> str:
    found = re.search(rf'<section[^>]*id="{section_id}".*?</section>', html, re.S)
    return found.group(0) if found else ""


def test_the_pages_need_a_login(world: World) -> None:
    anonymous = world.site.client()
    for path in ("/watches", "/alerts"):
        response = anonymous.get(path)
        assert response.status_code == 303 and response.headers["location"] == f"/login?next={path}"


def test_the_badge_counts_the_unread_alerts_of_the_user_alone(world: World) -> None:
    ann, bob, ada = (world.site.logged_in(user) for user in ("ann", "bob", "ada"))
    assert _badge(_ok(ann, "/")) == 0
    world.watch("ann")
    world.watch("bob")
    world.arrive()
    for path in ("/", "/reports", "/watches", "/alerts"):
        assert _badge(_ok(ann, path)) == 2, path
    assert _badge(_ok(bob, "/")) == 1  # the AMBER report is beyond Bravo's agreement
    assert _badge(_ok(ada, "/")) == 0  # ada watches nothing
    link = re.search(r'<a href="/alerts"[^>]*>', _ok(ann, "/alerts"))
    assert link and 'aria-current="page"' in link.group(0)


def test_adding_and_removing_a_watch_through_the_forms(world: World) -> None:
    ann = world.site.logged_in("ann")
    assert "You watch nothing yet" in _ok(ann, "/watches")
    response = post_form(
        ann, "/watches", {"kind": "entity", "value": WATCHED, "min_tlp": "green"}, page="/watches"
    )
    assert response.status_code == 201, response.text[:500]
    assert "Now watching" in response.text and WATCHED in response.text
    assert 'id="webhook-secret"' not in response.text
    (watch,) = watching.watches_of(world.store, "ann")
    assert watch.min_tlp is TLP.GREEN and watch.kind is WatchKind.ENTITY
    listed = _ok(ann, "/watches")
    assert f'data-watch-id="{watch.id}"' in listed
    assert f'data-watch-id="{watch.id}"' not in _ok(world.site.logged_in("ada"), "/watches")

    removed = post_form(ann, f"/watches/{watch.id}/remove", {}, page="/watches", follow_redirects=False)
    assert removed.status_code == 303 and removed.headers["location"] == "/watches?removed=1"
    assert "The watch was removed" in _ok(ann, "/watches?removed=1")
    assert watching.watches_of(world.store, "ann") == []


def test_a_webhook_secret_is_shown_once(world: World) -> None:
    ann = world.site.logged_in("ann")
    data = {"kind": "entity", "value": WATCHED, "webhook_url": "http://127.0.0.1:9/hook"}
    response = post_form(ann, "/watches", data, page="/watches")
    assert response.status_code == 201, response.text[:500]
    secret = re.search(r'id="webhook-secret">([^<]+)<', response.text)
    assert secret and len(secret.group(1)) >= 16
    assert secret.group(1) not in _ok(ann, "/watches")


def test_a_watch_that_cannot_be_added_is_explained_and_the_form_kept(world: World) -> None:
    ann = world.site.logged_in("ann")
    for data in (
        {"kind": "entity", "value": "Nobody Of That Name"},
        {"kind": "mood", "value": WATCHED},
        {"kind": "entity", "value": WATCHED, "min_tlp": "purple"},
        {"kind": "entity", "value": ""},
    ):
        response = post_form(ann, "/watches", data, page="/watches")
        assert response.status_code == 422, (data, response.status_code)
        assert 'id="watch-error"' in response.text
        if data["value"]:
            assert f'value="{data["value"]}"' in response.text
    assert watching.watches_of(world.store, "ann") == []


def test_forms_without_the_sessions_token_change_nothing(world: World) -> None:
    watch_id = world.watch("ann")
    world.arrive()
    ann = world.site.logged_in("ann")
    (first, _) = _alert_ids(_section(_ok(ann, "/alerts"), "unread-alerts"))
    for path, data in (
        ("/watches", {"kind": "entity", "value": WATCHED}),
        (f"/watches/{watch_id}/remove", {}),
        (f"/alerts/{first}/read", {}),
        ("/alerts/read-all", {}),
    ):
        assert ann.post(path, data={**data, "csrf_token": "forged"}).status_code == 403, path
    assert len(watching.watches_of(world.store, "ann")) == 1
    assert watching.unread_count(world.store, "ann") == 2


def test_another_users_watch_or_alert_is_a_404_like_an_unknown_one(world: World) -> None:
    watch_id = world.watch("ann")
    world.arrive()
    (alert_id, _) = (a.id for a in watching.alerts_of(world.store, "ann"))
    ada = world.site.logged_in("ada")
    token = csrf_token_in(_ok(ada, "/watches"))
    for path in (f"/watches/{watch_id}/remove", f"/alerts/{alert_id}/read"):
        theirs = ada.post(path, data={"csrf_token": token})
        unknown = ada.post(
            re.sub(r"/[^/]+/(remove|read)$", r"/no-such-id/\1", path), data={"csrf_token": token}
        )
        assert theirs.status_code == unknown.status_code == 404, path
        assert theirs.text == unknown.text
    assert len(watching.watches_of(world.store, "ann")) == 1
    assert watching.unread_count(world.store, "ann") == 2


def test_the_alerts_page_says_what_matched_and_why_with_links(world: World) -> None:
    world.watch("bob")
    green, amber = world.arrive()
    bob = world.site.logged_in("bob")
    html = _ok(bob, "/alerts")
    unread = _section(html, "unread-alerts")
    assert len(_alert_ids(unread)) == 1
    assert f'href="/reports/{green}"' in unread
    assert amber not in html and "Report amber" not in html
    (alert,) = watching.alerts_of(world.store, "bob")
    assert alert.reason in unescape(unread)
    assert WATCHED in unread
    for match in alert.matches:
        assert f'data-match-kind="{match.kind}"' in unread
    linked = re.findall(r'<li data-match-kind="[^"]+">.*?<a href="([^"]+)"', unread, re.S)
    assert linked and all(link.startswith(("/entities/", "/events/", "/reports/")) for link in linked)
    # The report's title is shown as text: its markup never becomes an element.
    assert 'id="pwned"' not in html
    assert "&lt;img src=x id=&#34;pwned&#34;&gt; Vera &amp; co" in html


def test_marking_alerts_read_moves_them_below_the_unread_ones(world: World) -> None:
    world.watch("ann")
    world.arrive()
    ann = world.site.logged_in("ann")
    first, second = _alert_ids(_section(_ok(ann, "/alerts"), "unread-alerts"))
    response = post_form(ann, f"/alerts/{first}/read", {}, page="/alerts", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/alerts"
    html = _ok(ann, "/alerts")
    assert _alert_ids(_section(html, "unread-alerts")) == [second]
    assert _alert_ids(_section(html, "read-alerts")) == [first]
    assert _badge(html) == 1

    response = post_form(ann, "/alerts/read-all", {}, page="/alerts", follow_redirects=False)
    assert response.status_code == 303
    html = _ok(ann, "/alerts")
    assert _alert_ids(_section(html, "unread-alerts")) == []
    assert 'id="no-unread"' in html
    assert set(_alert_ids(_section(html, "read-alerts"))) == {first, second}
    assert _badge(html) == 0


def test_the_pages_have_no_inline_script_or_style(world: World) -> None:
    world.watch("ann")
    world.arrive()
    ann = world.site.logged_in("ann")
    for path in ("/watches", "/alerts"):
        html = _ok(ann, path)
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert 'src="/static/' in tag, (path, tag)
        assert not re.search(r"<style\b|\sstyle\s*=|\son[a-z]+\s*=", html), path
        for form in re.findall(r'<form method="post".*?</form>', html, re.S):
            assert 'name="csrf_token"' in form, (path, form[:200])


def test_a_nul_character_is_refused_not_a_server_error(world: World) -> None:
    ann = world.site.logged_in("ann")
    token = csrf_token_in(_ok(ann, "/watches"))
    for path in ("/watches/a%00b/remove", "/alerts/a%00b/read"):
        assert ann.post(path, data={"csrf_token": token}).status_code == 404, path
    response = ann.post("/watches", data={"kind": "entity", "value": "Vera\x00Watched", "csrf_token": token})
    assert response.status_code == 422 and 'id="watch-error"' in response.text
