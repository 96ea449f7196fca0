"""Rules that attach an event read in a report to the event other reports already describe.

Blocking is by PLOVER type and shared participants (canonical entities). Two mentions are one event when

- their status agrees (a planned meeting is not the meeting that took place),
- their dates are compatible at the coarser precision ("2022-06" and "2022-06-14"),
- their places are compatible (the same place, or a city and the country it is in, or one unknown),
- and they share at least one participant — or, with no participant read on one side, the same place
  on the same or the next day, or (undated) in a report published within a week of the event.

An undated mention needs two shared participants, or a shared target (what was dismantled, who was
arrested or visited): one agency or country acting takes part in too many events to tie an undated mention
to a dated one on its own, and a wrong merge misleads more than a missed one.

The best candidate by participant overlap, then date agreement, wins; the reason is recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

WEEK = 7


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
    # participants on the receiving end (what was dismantled, who was arrested or visited): specific
    # enough to tie an undated mention on their own, unlike the agency or country acting
    targets: frozenset[str] = frozenset()
    # the reporting date of the mention's report (for undated mentions of a recent event at a place)
    published: str | None = None
    # participants too general to tell two events apart (countries)
    generic: frozenset[str] = frozenset()


class EventDirectory(Protocol):
    def events_sharing_participants(
        self, plover: str, participants: Iterable[str], date: str | None = None
    ) -> list[EventFacts]:
        """Stored canonical events of this PLOVER type with any of these canonical participants; with a
        ``date``, only undated events and those whose date is compatible with it (one a prefix of the
        other), the only ones that can match by participants."""
        ...

    def events_at(self, plover: str, date: str | None, location: str) -> list[EventFacts]:
        """Stored canonical events of this PLOVER type at this (canonical) place, on this date (any
        date when None)."""
        ...


@dataclass(frozen=True)
class EventResolution:
    event_id: str  # the event as extracted
    canonical_id: str
    reason: str
    score: float
    # other stored events this mention is also compatible with: the same real event recorded twice
    # before this report linked them; they are merged into ``canonical_id``
    also: tuple[str, ...] = ()

    @property
    def merged(self) -> bool:
        return self.event_id != self.canonical_id


def _dates_compatible(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a.startswith(b) or b.startswith(a)


def _places_compatible(a: EventFacts, b: EventFacts) -> bool:
    if a.location is None or b.location is None or a.location == b.location:
        return True
    return a.location_country is not None and a.location_country == b.location_country


def _days_apart(a: str | None, b: str | None) -> int | None:
    if a is None or b is None or len(a) < 10 or len(b) < 10:
        return None
    try:
        return abs((date.fromisoformat(a[:10]) - date.fromisoformat(b[:10])).days)
    except ValueError:
        return None


def compatible(new: EventFacts, known: EventFacts) -> tuple[bool, str, float]:
    """Whether two event mentions are one event, why, and how strongly."""
    if new.status != known.status:
        return False, "", 0.0
    if not _places_compatible(new, known):
        return False, "", 0.0
    shared = new.participants & known.participants
    same_place = new.location is not None and new.location == known.location
    # no party read on one side: the place and the day (a meeting may run over two days) tie them,
    # or, undated, a report published within a week of a dated event at the same place
    one_side_blank = not (new.participants - new.generic and known.participants - known.generic)
    apart = _days_apart(new.date, known.date)
    if same_place and one_side_blank and not shared - new.generic - known.generic:
        if apart is not None and apart <= 1:
            return True, f"same {new.plover} event: {known.date} and {new.date} at the same place", 0.8
        reported = None
        if new.date is None:
            reported = _days_apart(new.published, known.date)
        elif known.date is None:
            reported = _days_apart(known.published, new.date)
        if reported is not None and reported <= WEEK:
            reason = f"same {new.plover} event at the same place, reported {reported} day(s) after it"
            return True, reason, 0.7
    if not _dates_compatible(new.date, known.date):
        return False, "", 0.0
    if not shared:
        return False, "", 0.0
    if (new.date is None or known.date is None) and len(shared) < 2 and not (new.targets & known.targets):
        return False, "", 0.0
    overlap = len(shared) / len(new.participants | known.participants)
    same_date = new.date is not None and new.date == known.date
    score = round(min(1.0, 0.5 + overlap / 2 + (0.1 if same_date else 0.0)), 3)
    when = f"dates {new.date or '?'} and {known.date or '?'}"
    reason = f"same {new.plover} event: {len(shared)} shared participant(s), compatible {when}"
    return True, reason, score


def resolve_event(event: EventFacts, directory: EventDirectory) -> EventResolution:
    """Attach ``event`` to the stored event it describes, or to itself when it is new."""
    best: tuple[float, str, str] | None = None
    matching: list[str] = []
    # By participants, only events of a compatible date can match; the same place (events_at) also
    # catches the day before or after.
    candidates = directory.events_sharing_participants(event.plover, event.participants, event.date)
    if event.location is not None:
        candidates += directory.events_at(event.plover, None, event.location)
    for known in candidates:
        if known.id == event.id:
            return EventResolution(event.id, event.id, "", 1.0)
        same, reason, score = compatible(event, known)
        if same:
            matching.append(known.id)
            if best is None or (score, known.id) > (best[0], best[1]):
                best = (score, known.id, reason)
    if best is None:
        return EventResolution(event.id, event.id, "", 1.0)
    others = tuple(sorted(set(matching) - {best[1]}))
    return EventResolution(event.id, best[1], best[2], best[0], others)
