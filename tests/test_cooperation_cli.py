"""The cooperation commands end to end: organisations, users, tokens, agreements, partners, audit, serve."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from liaison.accounts import check_password, check_token, create_token
from liaison.cli import app, cooperation
from liaison.domain import TLP, AccountRole
from liaison.publishing import publish
from liaison.settings import Settings
from liaison.store import Store
from liaison.store.publication import ObjectFilter
from tests.live_server import live_server
from tests.sharing_factories import report_extraction, save

runner = CliRunner()
PASSWORD = "correct horse battery staple"


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


def liaison(db: str, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", db, *args], input=stdin, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def as_json(db: str, *args: str) -> Any:
    code, out, err = liaison(db, *args, "--json")
    assert code == 0, err
    return json.loads(out)


def open_store(db: str) -> Store:
    return Store.open(Settings(database_url=db))


def _organisations(db: str) -> None:
    assert liaison(db, "org", "add", "Alpha", "--home")[0] == 0
    assert liaison(db, "org", "add", "Bravo")[0] == 0


def test_organisations_are_added_and_listed_with_their_agreement_and_users(db: str) -> None:
    _organisations(db)
    code, _, err = liaison(db, "org", "add", "Charlie", "--home")
    assert code == 1 and "already has a home organisation" in err
    assert liaison(db, "org", "add", "bravo")[0] == 1  # names are unique whatever their case
    assert liaison(db, "user", "add", "bob", "--org", "Bravo", "--role", "partner", "--no-password")[0] == 0
    assert liaison(db, "share", "add", "Bravo", "--tlp-max", "green")[0] == 0
    rows = {row["name"]: row for row in as_json(db, "org", "list")}
    assert rows["Alpha"] == {"name": "Alpha", "home": True, "agreement": "home", "users": 0}
    assert rows["Bravo"]["agreement"] == "up to TLP:GREEN" and rows["Bravo"]["users"] == 1
    code, out, _ = liaison(db, "org", "list")
    assert code == 0 and "Bravo" in out and "TLP:GREEN" in out


def test_users_take_their_password_from_stdin_or_have_none(db: str) -> None:
    _organisations(db)
    code, out, err = liaison(
        db, "user", "add", "ann", "--org", "Alpha", "--role", "analyst", stdin=PASSWORD + "\n"
    )
    assert code == 0, err
    assert "ann (analyst, Alpha), with a password" in out
    code, _, err = liaison(
        db, "user", "add", "short", "--org", "Alpha", "--role", "reader", stdin="too short\n"
    )
    assert code == 2 and "at least 12 characters" in err
    code, _, err = liaison(db, "user", "add", "empty", "--org", "Alpha", "--role", "reader", stdin="")
    assert code == 2 and "--no-password" in err
    code, _, err = liaison(db, "user", "add", "x", "--org", "Alpha", "--role", "boss", "--no-password")
    assert code == 2 and "unknown role" in err
    code, _, err = liaison(db, "user", "add", "eve", "--org", "Bravo", "--role", "analyst", "--no-password")
    assert code == 1 and "role 'partner'" in err
    assert liaison(db, "user", "add", "bob", "--org", "Bravo", "--role", "partner", "--no-password")[0] == 0
    with open_store(db) as store:
        assert check_password(store, "ann", PASSWORD) is not None
        assert check_password(store, "bob", "") is None
    users = {row["name"]: row for row in as_json(db, "user", "list")}
    assert set(users) == {"ann", "bob"}
    assert users["ann"]["password"] is True and users["bob"]["password"] is False
    assert users["bob"]["organization"] == "Bravo" and users["bob"]["role"] == "partner"


def test_a_token_is_shown_once_listed_by_prefix_and_revoked(db: str) -> None:
    _organisations(db)
    liaison(db, "user", "add", "bob", "--org", "Bravo", "--role", "partner", "--no-password")
    code, out, err = liaison(db, "token", "create", "bob", "--label", "nightly pull")
    assert code == 0, err
    token = out.strip()
    assert token.startswith("lsn_") and "will not be shown again" in err
    with open_store(db) as store:
        user = check_token(store, token)
        assert user is not None and user.name == "bob"
    [listed] = as_json(db, "token", "list", "bob")
    assert (
        listed["prefix"] == token[:12] and listed["label"] == "nightly pull" and listed["revoked_at"] is None
    )
    code, out, _ = liaison(db, "token", "list")
    assert token[:12] in out and token not in out
    assert liaison(db, "token", "list", "nobody")[0] == 1
    code, out, _ = liaison(db, "token", "revoke", token[:12])
    assert code == 0 and "revoked" in out
    with open_store(db) as store:
        assert check_token(store, token) is None
    assert as_json(db, "token", "list")[0]["revoked_at"] is not None
    assert liaison(db, "token", "revoke", token[:12])[0] == 1  # no live token left by that prefix


def test_agreements_publish_at_once_and_withdraw_when_removed(db: str) -> None:
    _organisations(db)
    with open_store(db) as store:
        save(store, report_extraction("clear", TLP.CLEAR, person="Person clear", group="Group clear"))
        save(store, report_extraction("green", TLP.GREEN, person="Person green", group="Group green"))
    assert liaison(db, "share", "publish")[0] == 0
    [before] = as_json(db, "share", "list")
    assert before["partner"] == "Bravo" and before["tlp_max"] == "clear" and before["agreement"] is False

    code, out, err = liaison(db, "share", "add", "Bravo", "--tlp-max", "green", "--topic", "Cybercrime")
    assert code == 0, err
    assert "Bravo: up to TLP:GREEN, topics cybercrime" in out and "added" in out
    [shared] = as_json(db, "share", "list")
    assert shared["tlp_max"] == "green" and shared["topics"] == ["cybercrime"] and shared["write"] is False
    assert shared["object_versions"] > before["object_versions"] and shared["published_at"] is not None
    code, out, _ = liaison(db, "share", "list")
    assert "Bravo" in out and "cybercrime" in out

    assert liaison(db, "share", "add", "Bravo", "--tlp-max", "red")[0] == 1  # RED names its recipients
    assert liaison(db, "share", "add", "Bravo", "--tlp-max", "purple")[0] == 2
    assert liaison(db, "share", "add", "Alpha", "--tlp-max", "green")[0] == 1  # not with oneself

    code, out, _ = liaison(db, "share", "remove", "Bravo")
    assert code == 0 and "withdrawn" in out
    [after] = as_json(db, "share", "list")
    assert after["agreement"] is False
    with open_store(db) as store:
        bravo = store.collection_for(store.organization("Bravo").id)
        assert not store.is_readable(bravo.id, "report", _report_id(store, "Report green"))
    assert liaison(db, "share", "remove", "Bravo")[0] == 1

    code, out, _ = liaison(db, "share", "publish")
    assert code == 0 and "Alpha:" in out and "Bravo:" in out


def _report_id(store: Store, title: str) -> str:
    return next(r.id for r in store.list_reports(100) if r.title == title)


def test_the_audit_log_records_admin_actions_without_secrets_and_verify_finds_an_edit(db: str) -> None:
    _organisations(db)
    liaison(db, "user", "add", "ann", "--org", "Alpha", "--role", "admin", stdin=PASSWORD + "\n")
    code, token, _ = liaison(db, "token", "create", "ann")
    liaison(db, "share", "add", "Bravo", "--tlp-max", "amber")
    liaison(
        db, "partner", "add", "CERT", "--url", "https://cert.example/taxii2/api/", "--token", "lsn_theirs"
    )
    entries = as_json(db, "audit")
    actions = [e["action"] for e in entries]
    assert actions == ["org.add", "org.add", "user.add", "token.create", "share.set", "partner.add"]
    assert all(e["actor"].startswith("cli:") for e in entries)
    assert entries[4]["target"] == "Bravo" and entries[4]["detail"]["tlp_max"] == "amber"
    logged = json.dumps(entries)
    for secret in (PASSWORD, token.strip(), "lsn_theirs"):
        assert secret not in logged
    assert [e["action"] for e in as_json(db, "audit", "--limit", "2")] == ["share.set", "partner.add"]
    assert as_json(db, "audit", "--since", "2999-01-01") == []
    assert len(as_json(db, "audit", "--since", "2000-01-01T00:00:00+00:00")) == 6
    assert liaison(db, "audit", "--since", "yesterday")[0] == 2
    code, out, _ = liaison(db, "audit")
    assert code == 0 and "share.set" in out

    code, out, _ = liaison(db, "audit", "verify")
    assert code == 0 and "audit log verified: 6 entries" in out
    with open_store(db) as store, store.engine.begin() as connection:
        connection.execute(text('UPDATE audit_log SET detail = \'{"tlp_max":"red"}\' WHERE seq = 5'))
    code, _, err = liaison(db, "audit", "verify")
    assert code == 1 and "entry 5 was changed" in err


def test_partners_are_added_listed_and_removed_and_their_token_never_shown(db: str) -> None:
    _organisations(db)
    code, _, err = liaison(db, "partner", "add", "CERT", "--url", "https://cert.example/taxii2/api/")
    assert code == 2 and "--token" in err
    code, _, err = liaison(
        db, "partner", "add", "CERT", "--url", "ftp://cert.example/", "--token", "lsn_theirs"
    )
    assert code == 2 and "http(s)" in err
    url = "https://cert.example/taxii2/api/collections/abc/"
    code, out, err = liaison(
        db, "partner", "add", "CERT", "--url", url, "--token-stdin", stdin="lsn_theirs\n"
    )
    assert code == 0, err
    [row] = as_json(db, "partner", "list")
    assert row["url"] == "https://cert.example/taxii2/api/" and row["collection_id"] == "abc"
    assert row["cursor"] is None and row["last_pull_at"] is None
    code, out, _ = liaison(db, "partner", "list")
    assert "CERT" in out and "lsn_theirs" not in out
    assert liaison(db, "partner", "add", "cert", "--url", url, "--token", "lsn_x")[0] == 1
    assert liaison(db, "partner", "remove", "CERT")[0] == 0
    assert as_json(db, "partner", "list") == []
    assert liaison(db, "partner", "remove", "CERT")[0] == 1
    assert liaison(db, "partner", "pull", "--every", "5")[0] == 2  # too often
    code, _, err = liaison(db, "partner", "pull")
    assert code == 1 and "no partner yet" in err


def test_a_partner_is_pulled_through_the_command_line(
    tmp_path: Path, db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    alpha_settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'alpha.db'}",
        data_dir=tmp_path / "alpha",
        organization_name="Alpha",
    )
    with Store.open(alpha_settings) as alpha:
        alpha.add_organization("Alpha", home=True)
        alpha.add_organization("Bravo")
        alpha.set_agreement("Bravo", TLP.GREEN)
        alpha.add_user("bravo-puller", "Bravo", AccountRole.PARTNER, None)
        token, _ = create_token(alpha, "bravo-puller")
        for tag, level in {"clear": TLP.CLEAR, "green": TLP.GREEN, "amber": TLP.AMBER}.items():
            save(alpha, report_extraction(tag, level, person=f"Person {tag}", group=f"Group {tag}"))
        publish(alpha, alpha_settings)
        with live_server(alpha_settings, alpha) as base:
            assert liaison(db, "org", "add", "Bravo", "--home")[0] == 0
            code, _, err = liaison(
                db, "partner", "add", "Alpha", "--url", f"{base}/taxii2/api/", "--token-stdin", stdin=token
            )
            assert code == 0, err
            code, _, err = liaison(db, "partner", "pull", "Alpha")
            assert code == 1 and "private address" in err and "--allow-private" in err

            code, out, err = liaison(db, "partner", "pull", "Alpha", "--allow-private", "--json")
            assert code == 0, err
            summary = json.loads(out)
            assert summary["ok"] and summary["stored"] > 0 and summary["errors"] == []
            code, out, err = liaison(db, "partner", "pull", "--allow-private")
            assert code == 0 and "stored 0" in out

            # --every pulls again until interrupted.
            def interrupt(seconds: float) -> None:
                assert seconds == 60
                raise KeyboardInterrupt

            monkeypatch.setattr(cooperation.time, "sleep", interrupt)
            code, out, _ = liaison(db, "partner", "pull", "Alpha", "--allow-private", "--every", "60")
            assert code == 0 and out.count("Alpha:") == 1

    with open_store(db) as bravo:
        received = [json.loads(o.json) for o in bravo.current_stix_objects()]
        assert {o["name"] for o in received if o["type"] == "report"} == {"Report clear", "Report green"}
        assert "Person amber" not in json.dumps(received)
        assert {o.received_from for o in bravo.current_stix_objects()} == {"Alpha"}
    [partner] = as_json(db, "partner", "list")
    assert partner["cursor"] == summary["cursor"] and partner["last_error"] is None
    assert partner["collection_id"] == summary["collection_id"]
    pulls = [e for e in as_json(db, "audit") if e["action"] == "partner.pull"]
    assert (
        len(pulls) == 4 and pulls[0]["detail"]["error"] and pulls[1]["detail"]["stored"] == summary["stored"]
    )
    assert token not in json.dumps(pulls)


def test_serve_runs_the_application_on_uvicorn(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    calls: list[tuple[Any, str, int]] = []
    monkeypatch.setattr(
        uvicorn, "run", lambda application, host, port: calls.append((application, host, port))
    )
    assert liaison(db, "serve", "--port", "8123")[0] == 0
    [(application, host, port)] = calls
    assert (host, port) == ("127.0.0.1", 8123)
    assert application.state.settings.database_url == db
    application.state.store.close()


def test_an_analysts_merge_and_split_are_audited_and_published(sqlite_settings: Settings) -> None:
    db = sqlite_settings.database_url
    store = Store.open(sqlite_settings)
    try:
        store.add_organization("Home", home=True)
        store.add_organization("Bravo")
        store.set_agreement("Bravo", TLP.GREEN)
        save(store, report_extraction("one", TLP.GREEN, person="Ann Lee", group="Gang One"))
        save(store, report_extraction("two", TLP.GREEN, person="Ann Leigh", group="Gang Two"))
        publish(store, sqlite_settings)
        bravo = store.collection_for(store.organization("Bravo").id)

        def people() -> set[str]:
            rows = store.collection_objects(bravo.id, ObjectFilter(types=("identity",)), limit=1000)
            return {json.loads(row.json)["name"] for row in rows}

        assert {"Ann Lee", "Ann Leigh"} <= people()
        code, _, err = liaison(db, "entity", "merge", "Ann Lee", "Ann Leigh")
        assert code == 0, err
        assert "Ann Leigh" not in people()  # the partner's collection follows the merge at once
        code, _, err = liaison(db, "entity", "split", "Ann Lee", "Ann Leigh")
        assert code == 0, err
        assert {"Ann Lee", "Ann Leigh"} <= people()
        actions = [entry.action for entry in store.audit_entries()]
        assert actions[-2:] == ["entity.merge", "entity.split"]
    finally:
        store.close()


def test_serve_caps_malloc_arenas_unless_the_operator_chose(monkeypatch: pytest.MonkeyPatch) -> None:
    from liaison.cli.cooperation import limit_malloc_arenas

    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert limit_malloc_arenas() is False
    monkeypatch.delenv("MALLOC_ARENA_MAX")
    assert limit_malloc_arenas() is True  # glibc (Debian); mallopt answers 1 when it accepts
