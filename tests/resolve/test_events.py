"""Cross-report event resolution rules, against an in-memory directory."""

from __future__ import annotations

from collections.abc import Iterable

from liaison.resolve import EventDirectory, EventFacts, resolve_event


class MemoryEvents:
    def __init__(self, known: list[EventFacts]) -> None:
        self.known = known

    def events_sharing_participants(
        self, plover: str, participants: Iterable[str], date: str | None = None
    ) -> list[EventFacts]:
        wanted = set(participants)
        return [
            e
            for e in self.known
            if e.plover == plover
            and e.participants & wanted
            and (date is None or e.date is None or e.date.startswith(date) or date.startswith(e.date))
        ]

    def events_at(self, plover: str, date: str | None, location: str) -> list[EventFacts]:
        return [
            e for e in self.known if e.plover == plover and e.location == location and date in (None, e.date)
        ]


def facts(
    event_id: str,
    date: str | None,
    people: set[str],
    location: str | None = "rabat",
    country: str | None = "MA",
    status: str = "occurred",
    plover: str = "CONSULT",
) -> EventFacts:
    return EventFacts(event_id, plover, status, date, location, country, frozenset(people))


MEETING = facts("known", "2022-09-19", {"hammouchi", "haines"})


def test_protocol() -> None:
    directory: EventDirectory = MemoryEvents([])
    assert directory.events_sharing_participants("CONSULT", []) == []


def test_same_meeting_from_another_outlet_attaches_with_reason() -> None:
    result = resolve_event(facts("new", "2022-09-19", {"hammouchi", "haines"}), MemoryEvents([MEETING]))
    assert result.merged and result.canonical_id == "known"
    assert "2 shared participant(s)" in result.reason and result.score > 0.9


def test_coarser_date_and_city_in_country_are_compatible() -> None:
    other = facts("new", "2022-09", {"hammouchi"}, location="morocco", country="MA")
    assert resolve_event(other, MemoryEvents([MEETING])).canonical_id == "known"


def test_different_dates_types_statuses_or_places_stay_apart() -> None:
    directory = MemoryEvents([MEETING])
    assert not resolve_event(facts("a", "2022-06", {"hammouchi", "haines"}), directory).merged
    assert not resolve_event(
        facts("b", "2022-09-19", {"hammouchi", "haines"}, plover="AGREE"), directory
    ).merged
    assert not resolve_event(facts("c", "2022-09-19", {"hammouchi"}, status="planned"), directory).merged
    paris = facts("d", "2022-09-19", {"hammouchi", "haines"}, location="paris", country="FR")
    assert not resolve_event(paris, directory).merged
    assert not resolve_event(facts("e", "2022-09-19", {"burns"}), directory).merged


def test_undated_mention_needs_two_shared_participants_or_a_shared_target() -> None:
    directory = MemoryEvents([MEETING])
    assert not resolve_event(facts("f", None, {"hammouchi", "wray"}), directory).merged
    assert resolve_event(facts("g", None, {"hammouchi", "haines"}), directory).merged
    takedown = EventFacts(
        "k",
        "COERCE",
        "occurred",
        "2021-01-27",
        None,
        None,
        frozenset({"europol", "emotet"}),
        frozenset({"emotet"}),
    )
    same_target = EventFacts(
        "n", "COERCE", "occurred", None, None, None, frozenset({"emotet"}), frozenset({"emotet"})
    )
    same_actor = EventFacts("m", "COERCE", "occurred", None, None, None, frozenset({"europol"}))
    assert resolve_event(same_target, MemoryEvents([takedown])).merged
    assert not resolve_event(same_actor, MemoryEvents([takedown])).merged


def test_same_day_and_place_without_participants() -> None:
    directory = MemoryEvents([facts("known", "2023-10-16", set(), location="palo-alto", country="US")])
    same = facts("new", "2023-10-16", set(), location="palo-alto", country="US")
    assert resolve_event(same, directory).canonical_id == "known"
    next_day = facts("new2", "2023-10-17", set(), location="palo-alto", country="US")
    assert resolve_event(next_day, directory).merged  # a two-day meeting
    days_later = facts("new3", "2023-10-20", set(), location="palo-alto", country="US")
    assert not resolve_event(days_later, directory).merged


def test_undated_mention_in_a_report_published_days_after_an_event_at_the_place() -> None:
    directory = MemoryEvents([facts("known", "2024-11-07", set(), location="glasgow", country="GB")])
    undated = EventFacts(
        "u", "CONSULT", "occurred", None, "glasgow", "GB", frozenset(), frozenset(), "2024-11-08"
    )
    assert resolve_event(undated, directory).merged
    late = EventFacts(
        "v", "CONSULT", "occurred", None, "glasgow", "GB", frozenset(), frozenset(), "2025-03-01"
    )
    assert not resolve_event(late, directory).merged


def test_countries_alone_do_not_tell_events_apart_at_a_place() -> None:
    known = EventFacts(
        "k",
        "COERCE",
        "occurred",
        "2021-06-08",
        "australia",
        "AU",
        frozenset({"australia", "europol"}),
        frozenset(),
        None,
        frozenset({"australia"}),
    )
    undated = EventFacts(
        "u",
        "COERCE",
        "occurred",
        None,
        "australia",
        "AU",
        frozenset({"australia"}),
        frozenset(),
        "2021-06-08",
        frozenset({"australia"}),
    )
    assert resolve_event(undated, MemoryEvents([known])).merged


def test_a_mention_compatible_with_two_stored_events_names_both() -> None:
    operation = facts("a", "2021-06-08", {"europol", "fbi"}, location=None, country=None)
    arrests = EventFacts(
        "b",
        "CONSULT",
        "occurred",
        None,
        "australia",
        "AU",
        frozenset({"australia"}),
        frozenset(),
        "2021-06-08",
        frozenset({"australia"}),
    )
    new = EventFacts(
        "n",
        "CONSULT",
        "occurred",
        "2021-06-08",
        "australia",
        "AU",
        frozenset({"australia", "europol"}),
        frozenset(),
        "2021-06-10",
        frozenset({"australia"}),
    )
    result = resolve_event(new, MemoryEvents([operation, arrests]))
    assert result.merged and {result.canonical_id, *result.also} == {"a", "b"}
