"""Rules that attach an event read in a report to the event other reports already describe.

Blocking is by PLOVER type and shared participants (canonical entities). Two mentions are one event when

- their status agrees (a planned meeting is not the meeting that took place),
- their dates are compatible at the coarser precision ("2022-06" and "2022-06-14"),
- their places are compatible (the same place, or a city and the country it is in, or one unknown),
- and they share at least one participant — or, with no participant read, the same day and place.

An undated mention needs two shared participants, or one that is not a country (a country takes part in
too many events to tie them on its own).

The best candidate by participant overlap, then date agreement, wins; the reason is recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class EventFacts:
    """What resolution compares: canonical participants and place, date and status."""

    id: str
    plover: str
    status: str
    date: str | None
    location: str | None  # canonical entity id
    location_country: str | None  # ISO code of the place's country, when known
    participants: frozenset[str]  # canonical entity ids


class EventDirectory(Protocol):
    def events_sharing_participants(self, plover: str, participants: Iterable[str]) -> list[EventFacts]:
        """Stored canonical events of this PLOVER type with any of these canonical participants."""
        ...

    def events_at(self, plover: str, date: str, location: str) -> list[EventFacts]:
        """Stored canonical events of this PLOVER type on this date at this (canonical) place."""
        ...


@dataclass(frozen=True)
class EventResolution:
    event_id: str  # the event as extracted
    canonical_id: str
    reason: str
    score: float

    @property
    def merged(self) -> bool:
        return self.event_id != self.canonical_id


def _dates_compatible(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a.startswith(b) or b.startswith(a)


def _places_compatible(a: EventFacts, b: EventFacts) -> bool:
    if a.location is None or b.location is None or a.location == b.location:
        return True
    return a.location_country is not None and a.location_country == b.location_country


def compatible(
    new: EventFacts, known: EventFacts, countries: frozenset[str] = frozenset()
) -> tuple[bool, str, float]:
    """Whether two event mentions are one event, why, and how strongly.

    ``countries`` are the participants that are countries: too general to tie two undated mentions.
    """
    if new.status != known.status:
        return False, "", 0.0
    if not _dates_compatible(new.date, known.date) or not _places_compatible(new, known):
        return False, "", 0.0
    shared = new.participants & known.participants
    same_day_and_place = (
        new.date is not None
        and new.date == known.date
        and len(new.date) >= 10
        and new.location is not None
        and new.location == known.location
        # two different parties meeting there that day are two meetings
        and not (new.participants and known.participants)
    )
    if same_day_and_place and not shared:
        return True, f"same {new.plover} event: same day {new.date} at the same place", 0.8
    if not shared:
        return False, "", 0.0
    if (new.date is None or known.date is None) and len(shared) < 2 and not shared - countries:
        return False, "", 0.0
    overlap = len(shared) / len(new.participants | known.participants)
    same_date = new.date is not None and new.date == known.date
    score = round(min(1.0, 0.5 + overlap / 2 + (0.1 if same_date else 0.0)), 3)
    when = f"dates {new.date or '?'} and {known.date or '?'}"
    reason = f"same {new.plover} event: {len(shared)} shared participant(s), compatible {when}"
    return True, reason, score


def resolve_event(
    event: EventFacts, directory: EventDirectory, countries: frozenset[str] = frozenset()
) -> EventResolution:
    """Attach ``event`` to the stored event it describes, or to itself when it is new."""
    best: tuple[float, str, str] | None = None
    candidates = directory.events_sharing_participants(event.plover, event.participants)
    if event.date is not None and event.location is not None:
        candidates += directory.events_at(event.plover, event.date, event.location)
    for known in candidates:
        if known.id == event.id:
            return EventResolution(event.id, event.id, "", 1.0)
        same, reason, score = compatible(event, known, countries)
        if same and (best is None or (score, known.id) > (best[0], best[1])):
            best = (score, known.id, reason)
    if best is None:
        return EventResolution(event.id, event.id, "", 1.0)
    return EventResolution(event.id, best[1], best[2], best[0])
