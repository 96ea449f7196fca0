"""What the store shares: selection by date, marking and entity, and the most-restrictive marking rule."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event

from liaison.domain import TLP, EntityType
from liaison.errors import NotFound
from liaison.settings import Settings
from liaison.store import Store
from tests.sharing_factories import report_extraction, save

LEVELS = list(TLP)


def test_a_report_and_everything_read_in_it(store: Store) -> None:
    extraction = report_extraction("one", TLP.GREEN)
    save(store, extraction)
    shared = store.shareable()
    [report] = shared.reports
    assert (report.id, report.tlp, report.topics) == (extraction.report.id, TLP.GREEN, ("cybercrime",))
    by_name = {e.name: e for e in shared.entities}
    assert set(by_name) == {"Mike Burgess", "Europol", "France", "LockBit"}
    assert all(e.tlp is TLP.GREEN and e.report_ids == (report.id,) for e in shared.entities)
    assert by_name["France"].attributes["country_code"] == "FR"
    assert by_name["Mike Burgess"].titles == ("director",)
    assert by_name["LockBit"].event_roles == (("arrest", "recipient"),)
    assert by_name["LockBit"].type is EntityType.ORGANIZATION
    [role] = shared.roles
    assert (role.person_id, role.organization_id, role.title) == (
        by_name["Mike Burgess"].id,
        by_name["Europol"].id,
        "director",
    )
    assert role.evidence == "Mike Burgess, director of Europol"
    [arrest] = shared.events
    assert arrest.participants == tuple(
        sorted([(by_name["Europol"].id, "actor"), (by_name["LockBit"].id, "recipient")])
    )
    assert arrest.location_id == by_name["France"].id
    assert arrest.sources == ((report.id, "Europol arrested LockBit members on Tuesday."),)
    assert (arrest.date, arrest.tlp) == ("2024-02-20", TLP.GREEN)
    [claim] = shared.claims
    assert (claim.subject_id, claim.subject, claim.value, claim.evidence) == (
        by_name["LockBit"].id,
        "LockBit",
        34.0,
        "34 servers",
    )


@pytest.fixture
def one_report_per_level(store: Store) -> Store:
    """Five reports, one per TLP level, each naming its own agent and group; Europol is in all of them."""
    for level in LEVELS:
        tag = level.value.replace("+", "-")
        save(store, report_extraction(tag, level, person=f"Agent {tag}", group=f"Gang {tag}"))
    return store


@pytest.mark.parametrize("tlp_max", LEVELS, ids=[level.value for level in LEVELS])
def test_tlp_max_leaves_out_everything_above_it(one_report_per_level: Store, tlp_max: TLP) -> None:
    shared = one_report_per_level.shareable(tlp_max=tlp_max)
    names = {e.name for e in shared.entities}
    for level in LEVELS:
        tag = level.value.replace("+", "-")
        allowed = level.rank <= tlp_max.rank
        assert (f"Agent {tag}" in names) is allowed
        assert (f"Gang {tag}" in names) is allowed
        assert any(r.title == f"Report {tag}" for r in shared.reports) is allowed
    assert all(r.tlp.rank <= tlp_max.rank for r in shared.reports)
    assert all(x.tlp.rank <= tlp_max.rank for x in (*shared.entities, *shared.events, *shared.roles))
    assert all(c.tlp.rank <= tlp_max.rank for c in shared.claims)
    # Europol is named in the RED report too: RED, so shared only when RED is allowed
    assert ("Europol" in names) is (tlp_max is TLP.RED)


def test_an_entity_in_a_clear_and_a_red_report_is_red(store: Store) -> None:
    clear = report_extraction("open", TLP.CLEAR)
    red = report_extraction("closed", TLP.RED)
    save(store, clear)
    save(store, red, same_event_as=clear)
    everything = store.shareable()
    assert {e.tlp for e in everything.entities} == {TLP.RED}
    [arrest] = everything.events
    assert arrest.tlp is TLP.RED
    assert {source for source, _ in arrest.sources} == {clear.report.id, red.report.id}
    amber = store.shareable(tlp_max=TLP.AMBER)
    assert [r.id for r in amber.reports] == [clear.report.id]
    assert amber.entities == () and amber.events == ()
    # the CLEAR report's own role and figure stay: they come from the CLEAR report only
    assert [r.report_id for r in amber.roles] == [clear.report.id]
    assert [c.report_id for c in amber.claims] == [clear.report.id]
    # a filter never lowers a marking: exporting only the CLEAR report keeps Europol RED
    assert {e.tlp for e in store.shareable(entity="Europol").entities} == {TLP.RED}


def test_since_keeps_reports_ingested_on_or_after_the_day(settings: Settings) -> None:
    now = [datetime(2024, 3, 1, 12, tzinfo=UTC)]
    with Store.open(settings, clock=lambda: now[0]) as store:
        old = report_extraction("old", TLP.CLEAR, person="Old Agent")
        save(store, old)
        now[0] += timedelta(days=2)
        new = report_extraction("new", TLP.CLEAR, person="New Agent")
        save(store, new)
        shared = store.shareable(since=date(2024, 3, 3))
        assert [r.id for r in shared.reports] == [new.report.id]
        names = {e.name for e in shared.entities}
        assert "New Agent" in names and "Old Agent" not in names
        europol = next(e for e in shared.entities if e.name == "Europol")
        assert europol.report_ids == (new.report.id,)
        # the entity is as of its latest report, whichever reports are selected
        assert europol.modified_at.replace(tzinfo=UTC) == now[0]
        assert len(store.shareable(since=date(2024, 3, 1)).reports) == 2


def test_entity_keeps_the_reports_that_mention_it(store: Store) -> None:
    first = report_extraction("a", TLP.CLEAR, group="LockBit")
    second = report_extraction("b", TLP.CLEAR, group="Hive")
    save(store, first)
    save(store, second)
    assert [r.id for r in store.shareable(entity="Hive").reports] == [second.report.id]
    assert len(store.shareable(entity="europol").reports) == 2
    with pytest.raises(NotFound, match="Nobody"):
        store.shareable(entity="Nobody")


@contextlib.contextmanager
def counted_statements(store: Store) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(store.engine, "before_cursor_execute", count)


def test_reading_is_set_based_not_one_query_per_object(store: Store) -> None:
    save(store, report_extraction("first", TLP.GREEN))
    with counted_statements(store) as statements:
        store.shareable()
    one_report = len(statements)
    for index in range(8):
        save(
            store,
            report_extraction(f"more-{index}", TLP.GREEN, person=f"Agent {index}", group=f"Gang {index}"),
        )
    with counted_statements(store) as statements:
        shared = store.shareable()
    assert (len(shared.reports), len(shared.entities), len(shared.events)) == (9, 20, 9)
    assert len(statements) == one_report
