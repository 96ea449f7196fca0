"""From event candidates to events over the report's entities, times and topics.

Each argument span becomes the entities mentioned inside it; a title standing for a person ("Morocco's
Director General of ...") is that person when the report gave them that title. The date is the time
expression of the trigger's clause (else of its sentence); the place the most specific place among the
arguments. Mentions of one event in a report ("the meeting held on Monday ...", "the high-level meeting",
"this new meeting") are merged when their type, date and place agree and they share participants or
stand next to each other. Pure Python: no spaCy types.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field

from liaison.domain import (
    Entity,
    EntityType,
    Event,
    EventDate,
    EventStatus,
    Evidence,
    Participant,
    Role,
    Sentence,
    Time,
    TimeType,
    entity_id_for,
)
from liaison.extract.deadline import check_deadline
from liaison.extract.events import EventCandidate, Span
from liaison.extract.topics import TopicHit

PARTICIPANT_TYPES = frozenset({EntityType.PERSON, EntityType.ORGANIZATION, EntityType.COUNTRY})
PLACE_TYPES = frozenset({EntityType.LOCATION, EntityType.COUNTRY})
ROLE_STRENGTH = {"actor": 3, "visitor": 3, "host": 2, "recipient": 2, "participant": 1}
# Events further apart than this many sentences are never merged as one mention chain.
MERGE_DISTANCE = 3
# ... unless they share two or more participants.
LONG_MERGE_DISTANCE = 12


@dataclass
class _Draft:
    candidate: EventCandidate
    participants: dict[str, str] = field(default_factory=dict)  # entity id -> role
    location: tuple[str, EntityType] | None = None
    date: Time | None = None
    topics: set[str] = field(default_factory=set)
    evidence: list[Evidence] = field(default_factory=list)
    sentence_indexes: list[int] = field(default_factory=list)
    from_parse: bool = True
    bare: bool = False
    triggers: list[Span] = field(default_factory=list)
    mode: str | None = None
    cameo: str = ""
    type: str = ""


class _Mentions:
    def __init__(self, entities: Sequence[Entity]) -> None:
        items = sorted(((m.start, m.end, e) for e in entities for m in e.mentions), key=lambda x: x[0])
        self.items = items
        self.starts = [item[0] for item in items]
        self.ids = {item[2].id for item in items}

    def inside(self, span: Span) -> list[Entity]:
        i = bisect.bisect_left(self.starts, span[0])
        found: list[Entity] = []
        while i < len(self.items) and self.items[i][0] < span[1]:
            if self.items[i][1] <= span[1] and self.items[i][2] not in found:
                found.append(self.items[i][2])
            i += 1
        return found


def build_events(
    text: str,
    report_id: str,
    candidates: Sequence[EventCandidate],
    entities: Sequence[Entity],
    roles: Sequence[Role],
    times: Sequence[Time],
    topics: Sequence[TopicHit],
    sentences: Sequence[Sentence],
) -> tuple[Event, ...]:
    """Events of one report, merged within the report, in order of first mention."""
    mentions = _Mentions(entities)
    by_id = {e.id: e for e in entities}
    starts = [s.start for s in sentences]
    drafts = []
    for candidate in sorted(candidates, key=lambda c: c.trigger[0]):
        check_deadline()
        draft = _draft(text, report_id, candidate, mentions, by_id, roles, times, topics, starts)
        if draft is not None:
            drafts.append(draft)
    merged: list[_Draft] = []
    for draft in drafts:
        check_deadline()  # each draft against those merged before it: quadratic in the events
        target = next((m for m in reversed(merged) if _same_event(m, draft)), None)
        if target is not None:
            _merge_into(target, draft)
        elif not draft.bare:
            merged.append(draft)
        # a bare mention that refers back to no event ("500 cyber attacks", "future meetings") is dropped
    return tuple(_event(d) for d in merged)


def _draft(
    text: str,
    report_id: str,
    candidate: EventCandidate,
    mentions: _Mentions,
    by_id: dict[str, Entity],
    roles: Sequence[Role],
    times: Sequence[Time],
    topics: Sequence[TopicHit],
    starts: list[int],
) -> _Draft | None:
    code = candidate.code
    draft = _Draft(candidate, mode=code.mode, cameo=code.cameo, type=code.type, triggers=[candidate.trigger])
    actor_role, object_role = ("actor", "recipient")
    if code.plover == "CONSULT" and code.mode == "visit":
        actor_role, object_role = ("host", "visitor") if code.subject_hosts else ("visitor", "host")
    groups = [
        (candidate.actors, actor_role),
        (candidate.recipients, object_role),
        (candidate.others, "participant"),
    ]
    for spans, role in groups:
        for span in spans:
            for entity_id in _participants_in(text, span, mentions, roles):
                _add_participant(draft, entity_id, role)
    for span in candidate.places:
        for entity in mentions.inside(span):
            if entity.type in PLACE_TYPES:
                draft.location = _more_specific(draft.location, (entity.id, entity.type))
    raw = text[candidate.sentence[0] : candidate.sentence[1]]
    # the parser's sentence may carry the line break that follows it; evidence is the sentence itself
    sentence_span = (
        candidate.sentence[0] + len(raw) - len(raw.lstrip()),
        candidate.sentence[1] - len(raw) + len(raw.rstrip()),
    )
    if not draft.participants and not candidate.nominal:
        # no argument in the parse: the parties named in the trigger's own clause, with less confidence
        draft.from_parse = False
        for entity_id in _participants_in(text, candidate.scope, mentions, roles):
            _add_participant(draft, entity_id, "participant")
    elif not draft.participants and _names_an_event(candidate, mentions):
        # "the Abraham Accords ..., under which the Emirates and Bahrain ...": a named event's parties
        # follow it in the sentence even when the parse attaches them elsewhere
        draft.from_parse = False
        rest = (candidate.trigger[1], sentence_span[1])
        for entity_id in _participants_in(text, rest, mentions, roles):
            _add_participant(draft, entity_id, "participant")
    if draft.location is None:
        for entity in mentions.inside(candidate.scope):
            if entity.type == EntityType.LOCATION and entity.attributes.get("place_kind") in ("city", None):
                draft.location = (entity.id, entity.type)
                break
    draft.date = _date_for(candidate, times)
    # "The meeting focused on ...": no one and nowhere; kept only to join the event it refers back to
    draft.bare = not (draft.participants or draft.location)
    if code.subject_hosts and not any(role == "visitor" for role in draft.participants.values()):
        return None  # "received $120 million" is no visit: a host receives someone
    if (
        code.mode == "phone"
        and not candidate.others
        and not any(role == "recipient" for role in draft.participants.values())
    ):
        return None  # "the FBI called its operation Trojan Shield" names; a call is made to someone
    draft.topics = {t.topic for t in topics if sentence_span[0] <= t.start and t.end <= sentence_span[1]}
    index = max(bisect.bisect_right(starts, sentence_span[0]) - 1, 0)
    draft.sentence_indexes.append(index)
    draft.evidence.append(
        Evidence(
            report_id, sentence_span[0], sentence_span[1], text[sentence_span[0] : sentence_span[1]], index
        )
    )
    return draft


def _names_an_event(candidate: EventCandidate, mentions: _Mentions) -> bool:
    """Whether the trigger is part of a named event ("Abraham Accords", "African Lion exercises")."""
    start, end = candidate.trigger
    window = (max(0, start - 60), end)
    return any(
        e.type == EntityType.NAMED_EVENT and any(m.start < end and start - 60 < m.end for m in e.mentions)
        for e in mentions.inside(window)
    )


def _participants_in(text: str, span: Span, mentions: _Mentions, roles: Sequence[Role]) -> list[str]:
    """Entity ids taking part through this argument span."""
    inside = mentions.inside(span)
    found = [e for e in inside if e.type in PARTICIPANT_TYPES]
    # "the Israeli state", "les autorités marocaines": a nationality stands for its country
    nationalities = [
        entity_id_for(EntityType.COUNTRY, e.attributes["country"])
        for e in inside
        if e.type == EntityType.NATIONALITY and e.attributes.get("country")
    ]
    # only countries the report names as such: an event participant must be an entity of the report
    nationalities = [n for n in nationalities if n in mentions.ids]
    people = [e.id for e in found if e.type == EntityType.PERSON]
    if people:
        # "CIA Director William Burns": the person takes part; the CIA is their role, not a party
        titled = {r.organization for r in roles if r.person in people}
        titled |= {r.country for r in roles if r.person in people}
        return people + [e.id for e in found if e.type != EntityType.PERSON and e.id not in titled]
    found_ids = [e.id for e in found]
    if nationalities and not any(e.type == EntityType.ORGANIZATION for e in found):
        return list(dict.fromkeys(found_ids + nationalities))
    # "France's Director General of ...": a title this report gave to one person stands for them
    lowered = text[span[0] : span[1]].lower()
    holders = {
        r.person
        for r in roles
        if r.title.lower() in lowered and (r.organization in found_ids or r.country in found_ids)
    }
    if len(holders) == 1:
        return [holders.pop()]
    return found_ids


def _add_participant(draft: _Draft, entity_id: str, role: str) -> None:
    current = draft.participants.get(entity_id)
    if current is None or ROLE_STRENGTH[role] > ROLE_STRENGTH[current]:
        draft.participants[entity_id] = role


def _more_specific(
    current: tuple[str, EntityType] | None, new: tuple[str, EntityType]
) -> tuple[str, EntityType]:
    if current is None or (current[1] == EntityType.COUNTRY and new[1] == EntityType.LOCATION):
        return new
    return current


def _date_for(candidate: EventCandidate, times: Sequence[Time]) -> Time | None:
    dates = [t for t in times if t.type == TimeType.DATE and not t.value.endswith("_REF")]
    in_scope = [t for t in dates if candidate.scope[0] <= t.start and t.end <= candidate.scope[1]]
    in_sentence = [t for t in dates if candidate.sentence[0] <= t.start and t.end <= candidate.sentence[1]]
    pool = in_scope or in_sentence
    if not pool:
        return None
    trigger = candidate.trigger[0]
    return min(pool, key=lambda t: abs(t.start - trigger))


def _dates_compatible(a: Time | None, b: Time | None) -> bool:
    if a is None or b is None:
        return True
    return a.value.startswith(b.value) or b.value.startswith(a.value)


def _places_compatible(a: _Draft, b: _Draft) -> bool:
    if a.location is None or b.location is None or a.location[0] == b.location[0]:
        return True
    # a city and a country: compatible (the country's code is checked by cross-report resolution)
    return a.location[1] != b.location[1]


def _same_event(earlier: _Draft, later: _Draft) -> bool:
    if earlier.candidate.code.plover != later.candidate.code.plover:
        return False
    if earlier.candidate.status != later.candidate.status:
        return False
    distance = later.sentence_indexes[0] - earlier.sentence_indexes[-1]
    if distance > LONG_MERGE_DISTANCE or (later.bare and distance > MERGE_DISTANCE):
        return False
    if not (_dates_compatible(earlier.date, later.date) and _places_compatible(earlier, later)):
        return False
    shared = set(earlier.participants) & set(later.participants)
    if len(shared) >= 2:
        return True  # "Lerner and Burgess discussed ..." a few sentences after their meeting
    if distance > MERGE_DISTANCE:
        return False
    return bool(shared) or distance <= 1 or not later.participants or not later.from_parse


def _merge_into(target: _Draft, other: _Draft) -> None:
    for entity_id, role in other.participants.items():
        if other.from_parse or not target.participants:
            _add_participant(target, entity_id, role)
    if other.location is not None:
        target.location = _more_specific(target.location, other.location)
    if target.date is None or (other.date is not None and len(other.date.value) > len(target.date.value)):
        target.date = other.date or target.date
    target.topics |= other.topics
    target.evidence.extend(e for e in other.evidence if e not in target.evidence)
    target.sentence_indexes.extend(other.sentence_indexes)
    target.triggers.extend(other.triggers)
    if target.mode is None and other.mode is not None:
        target.mode, target.cameo, target.type = other.mode, other.cameo, other.type
    target.from_parse = target.from_parse or other.from_parse


def _event(draft: _Draft) -> Event:
    candidate = draft.candidate
    date = (
        EventDate(draft.date.value, draft.date.precision, draft.date.text) if draft.date is not None else None
    )
    confidence = 0.5
    if draft.from_parse:
        confidence = 0.9 if (draft.location or date) else 0.75
    participants = tuple(
        Participant(entity_id, role)
        for entity_id, role in sorted(draft.participants.items(), key=lambda kv: -ROLE_STRENGTH[kv[1]])
    )
    return Event(
        type=draft.type,
        plover=candidate.code.plover,
        plover_mode=draft.mode,
        cameo=draft.cameo,
        date=date,
        location=draft.location[0] if draft.location else None,
        participants=participants,
        topics=tuple(sorted(draft.topics)),
        status=EventStatus(candidate.status),
        evidence=tuple(draft.evidence),
        confidence=confidence,
        triggers=tuple(sorted(set(draft.triggers))),
    )
