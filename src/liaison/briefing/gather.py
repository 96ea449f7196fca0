"""Use case: gather what a brief says, through the reader's collection only, up to a TLP limit.

Every read is a collection-filtered store read (``liaison.store.readable*``): the brief shows what the
reader's organisation may read and nothing else, and a subject it may not read is not found, exactly as
one that does not exist.

The marking rule (docs/briefings.md): a derived item — an event, an entity, a role, a figure, an alias —
carries the most restrictive marking of the reports it comes from, as collections and exports mark it
(``Store.shareable``). With a TLP limit the brief keeps an item only when that marking is at or below the
limit, and lists only sources at or below it; names of entities above it are left out of participants,
places, roles and the graph. The brief's own marking is the highest marking of anything it contains.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from liaison import services
from liaison.domain import TLP
from liaison.errors import NotFound
from liaison.places import LinkedPlace, MapData, map_data
from liaison.settings import Settings
from liaison.store import ClaimRecord, Store
from liaison.store.readable_records import (
    ReadableClaim,
    ReadableEntityDetail,
    ReadableEventDetail,
    ReadableEventSummary,
    ReadableReport,
    ReadableRole,
)

PLACE_TYPES = ("country", "location")
BRIEF_EVENTS = 200  # the latest events a brief tells at most; the figures say how many it left out
GRAPH_NEIGHBOURS = 16  # the most connected neighbours drawn around the subject
ENTITY_PAGE = 500


@dataclass(frozen=True)
class BriefRequest:
    """What to brief on: exactly one of ``entity`` (an ID or a name), ``topic`` and ``place``."""

    entity: str | None = None
    topic: str | None = None
    place: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    tlp_max: TLP | None = None

    def __post_init__(self) -> None:
        given = [value for value in (self.entity, self.topic, self.place) if value and value.strip()]
        if len(given) != 1:
            raise ValueError("brief on exactly one subject: an entity, a topic or a place")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("the period ends before it starts")


@dataclass(frozen=True)
class BriefSource:
    number: int  # the source's number in the brief, its anchor is src-N
    report_id: str
    title: str | None
    source: str | None
    url: str | None
    published: date | None
    tlp: TLP


@dataclass(frozen=True)
class Citation:
    """A sentence of a numbered source that supports a statement."""

    number: int
    sentence: str


@dataclass(frozen=True)
class BriefParticipant:
    entity_id: str
    name: str
    type: str
    role: str


@dataclass(frozen=True)
class BriefEvent:
    id: str
    date: str | None
    type: str
    plover: str
    plover_mode: str | None
    cameo: str | None
    place: str | None
    place_id: str | None
    participants: tuple[BriefParticipant, ...]
    citations: tuple[Citation, ...]
    marking: TLP

    @property
    def numbers(self) -> tuple[int, ...]:
        return tuple(sorted({c.number for c in self.citations}))


@dataclass(frozen=True)
class BriefRole:
    title: str
    organization: str | None
    country: str | None
    published: date | None
    citation: Citation


@dataclass(frozen=True)
class BriefAlias:
    alias: str
    language: str | None
    numbers: tuple[int, ...]


@dataclass(frozen=True)
class BriefFigure:
    subject: str | None
    value: float
    qualifier: str | None
    unit: str
    period: str | None
    citation: Citation


@dataclass(frozen=True)
class FigureComparison:
    """Figures of different sources that state the same thing, for one event; ``conflicting`` when they
    cannot all be true (``services.compare_figures``, as the event page groups them)."""

    event_id: str
    event_label: str
    unit: str
    period: str | None
    conflicting: bool
    figures: tuple[BriefFigure, ...]


@dataclass(frozen=True)
class GraphNode:
    entity_id: str
    name: str
    type: str
    centre: bool


@dataclass(frozen=True)
class GraphEdge:
    source: str
    target: str
    shared_events: int
    label: str


@dataclass(frozen=True)
class BriefFigures:
    reports: int
    events: int
    events_left_out: int  # older events beyond BRIEF_EVENTS (at least that many)
    by_event_type: tuple[tuple[str, int], ...]
    first_date: str | None
    last_date: str | None
    outlets: tuple[str, ...]
    countries: tuple[str, ...]


@dataclass(frozen=True)
class Brief:
    subject_kind: str  # entity, topic, place
    subject: str  # the canonical name or the topic
    subject_type: str | None  # person, organization, country, location …
    subject_id: str | None
    date_from: date | None
    date_to: date | None
    generated_at: datetime
    prepared_for: str
    tlp_max: TLP | None
    marking: TLP
    recipients: tuple[str, ...]  # of a TLP:RED brief: the organisations every RED source it cites is for
    figures: BriefFigures
    events: tuple[BriefEvent, ...]  # oldest first
    roles: tuple[BriefRole, ...]
    aliases: tuple[BriefAlias, ...]
    comparisons: tuple[FigureComparison, ...]
    places: MapData
    graph_nodes: tuple[GraphNode, ...]
    graph_edges: tuple[GraphEdge, ...]
    sources: tuple[BriefSource, ...]
    instance: str = ""  # the Liaison instance's organisation name, for the footer


def _allowed(level: TLP | None, limit: TLP | None) -> bool:
    return level is not None and (limit is None or level.rank <= limit.rank)


def _in_period(value: str | None, start: date | None, end: date | None) -> bool:
    """A date (``2024``, ``2024-02`` or ``2024-02-20``) compatible with the period; undated events only
    when no period is given."""
    if start is None and end is None:
        return True
    if not value:
        return False
    if start is not None and value < start.isoformat()[: len(value)]:
        return False
    return end is None or value[:10] <= end.isoformat()


def _subject_within(
    store: Store, collection_id: str, subject: ReadableEntityDetail, limit: TLP | None
) -> tuple[ReadableEntityDetail | None, TLP]:
    """The subject as the reports at or below ``limit`` name it, and the highest of their markings.

    Unlike the other entities of a brief (kept only when every report they come from is within the
    limit), the subject is briefed on whenever one report within the limit names it: a GREEN brief on a
    person also named in AMBER reporting is what a partner brief is for. Everything about it is then
    taken from those reports only; its name too, since the canonical name may come from a stricter one.
    """
    report_ids = {i for alias in subject.aliases for i in alias.report_ids}
    report_ids |= {role.report_id for role in subject.roles}
    levels = {
        r.id: TLP(r.tlp)
        for r in store.readable_report_summaries(collection_id, report_ids)
        if _allowed(TLP(r.tlp), limit)
    }
    named = [
        (sum(i in levels for i in alias.report_ids), len(alias.alias), alias.alias)
        for alias in subject.aliases
        if any(i in levels for i in alias.report_ids)
    ]
    if not named:
        return None, TLP.CLEAR
    name = subject.summary.name
    if name not in {alias for _, _, alias in named}:
        name = max(named)[2]  # the name most reports within the limit use, the longest on a tie
    within = replace(
        subject,
        summary=replace(subject.summary, name=name, aliases=tuple(a for _, _, a in named)),
        aliases=tuple(a for a in subject.aliases if any(i in levels for i in a.report_ids)),
        mentions=tuple(m for m in subject.mentions if m.report_id in levels),
        roles=tuple(r for r in subject.roles if r.report_id in levels),
    )
    return within, max(levels.values(), key=lambda level: level.rank)


def _not_found(request: BriefRequest) -> NotFound:
    # one message whatever the reason: unknown, not readable, or marked above the limit
    subject = request.entity or request.place or request.topic or ""
    return NotFound(f"nothing readable to brief on for {subject.strip()!r}")


def _find_entity(store: Store, collection_id: str, given: str, types: Sequence[str] = ()) -> str | None:
    """A readable canonical entity by ID or by an unambiguous name (as the merge form finds one)."""
    given = given.strip()
    if not given:
        return None
    detail = store.readable_entity(collection_id, given)
    if detail is not None:
        return given if not types or detail.summary.type in types else None
    found = store.readable_entities(collection_id, query=given, limit=ENTITY_PAGE)
    matching = [e for e in found.items if not types or e.type in types]
    exact = [e for e in matching if e.name.casefold() == given.casefold()]
    if len(exact) == 1:
        return exact[0].id
    if not exact and len(matching) == 1:
        return matching[0].id
    return None


def _events_of(
    store: Store, collection_id: str, request: BriefRequest, subject: ReadableEntityDetail | None
) -> list[ReadableEventSummary]:
    """The readable events the brief is about, in the period, oldest first."""
    found: dict[str, ReadableEventSummary] = {}
    if subject is not None:
        offset = 0
        while len(found) < BRIEF_EVENTS * 2:
            page = store.readable_events(
                collection_id,
                since=request.date_from,
                until=request.date_to,
                entity=subject.summary.id,
                limit=ENTITY_PAGE,
                offset=offset,
            )
            found.update((event.id, event) for event in page.items)
            offset += ENTITY_PAGE
            if offset >= page.total or not page.items:
                break
        if subject.summary.type in PLACE_TYPES:
            for event in store.readable_events_at(collection_id, subject.summary.id, ENTITY_PAGE):
                found.setdefault(event.id, event)
    elif request.topic:
        for event in store.readable_events_on_topic(collection_id, request.topic):
            found[event.id] = event
    chosen = [e for e in found.values() if _in_period(e.date, request.date_from, request.date_to)]
    return sorted(chosen, key=lambda e: (e.date is None, e.date or "", e.id))


class _Sources:
    """Numbers the sources a brief cites, in the order of their publication."""

    def __init__(self, reports: Iterable[ReadableReport]) -> None:
        ordered = sorted(reports, key=lambda r: (r.published or date.max, r.title or "", r.id))
        self.by_id = {
            report.id: BriefSource(
                number,
                report.id,
                report.title,
                report.source,
                report.url,
                report.published,
                TLP(report.tlp),
            )
            for number, report in enumerate(ordered, start=1)
        }

    def number(self, report_id: str) -> int | None:
        found = self.by_id.get(report_id)
        return found.number if found else None


def build_brief(
    store: Store,
    settings: Settings,
    request: BriefRequest,
    collection_id: str,
    prepared_for: str,
    now: datetime | None = None,
) -> Brief:
    """Gather the brief ``request`` asks for as the organisation of ``collection_id`` reads the store.

    Raises ``NotFound`` when the subject is not readable (or not at or below ``tlp_max``), with the same
    message as for a subject that does not exist."""
    limit = request.tlp_max
    subject: ReadableEntityDetail | None = None
    if request.entity or request.place:
        given = request.entity or request.place or ""
        entity_id = _find_entity(store, collection_id, given, () if request.entity else PLACE_TYPES)
        subject = store.readable_entity(collection_id, entity_id) if entity_id else None
        if subject is None:
            raise _not_found(request)
        subject, subject_level = _subject_within(store, collection_id, subject, limit)
        if subject is None:
            raise _not_found(request)

    candidates = _events_of(store, collection_id, request, subject)
    event_marks = store.readable_event_markings(collection_id, [e.id for e in candidates])
    allowed_events = [e for e in candidates if _allowed(event_marks.get(e.id), limit)]
    left_out = max(0, len(allowed_events) - BRIEF_EVENTS)
    events = allowed_events[-BRIEF_EVENTS:]
    details = [store.readable_event(collection_id, e.id) for e in events]
    event_details = [d for d in details if d is not None]

    roles = list(subject.roles) if subject is not None else []
    aliases = list(subject.aliases) if subject is not None else []
    own_claims: list[ReadableClaim] = []
    if subject is not None:
        own_claims = list(store.readable_claims(collection_id, subject=subject.summary.id, limit=200).items)

    report_ids = {s.report_id for d in event_details for s in d.sources}
    report_ids |= {r.report_id for r in roles} | {c.report_id for c in own_claims}
    report_ids |= {c.report_id for d in event_details for c in d.claims}
    report_ids |= {i for a in aliases for i in a.report_ids}
    reports = [
        r for r in store.readable_report_summaries(collection_id, report_ids) if _allowed(TLP(r.tlp), limit)
    ]
    sources = _Sources(reports)

    entity_ids = {p.entity_id for e in events for p in e.participants}
    entity_ids |= {e.location_id for e in events if e.location_id}
    entity_ids |= {i for r in roles for i in (r.organization_id, r.country_id) if i}
    entity_ids |= {c.subject_id for d in event_details for c in d.claims if c.subject_id}
    entity_ids |= {c.subject_id for c in own_claims if c.subject_id}
    entity_marks = store.readable_entity_markings(collection_id, entity_ids)
    shown_entities = {i for i, level in entity_marks.items() if _allowed(level, limit)}
    if subject is not None:
        shown_entities.add(subject.summary.id)
        entity_marks[subject.summary.id] = subject_level

    brief_events: list[BriefEvent] = []
    for summary, detail in zip(events, details, strict=True):
        if detail is None:
            continue
        citations: list[Citation] = []
        for source in detail.sources:
            number = sources.number(source.report_id)
            if number is not None:
                citations.extend(Citation(number, " ".join(sentence.split())) for sentence in source.evidence)
        if not citations:
            continue
        brief_events.append(
            BriefEvent(
                id=summary.id,
                date=summary.date,
                type=summary.type.replace("_", " "),
                plover=summary.plover,
                plover_mode=summary.plover_mode,
                cameo=summary.cameo,
                place=summary.location if summary.location_id in shown_entities else None,
                place_id=summary.location_id if summary.location_id in shown_entities else None,
                participants=tuple(
                    BriefParticipant(p.entity_id, p.name, p.type, p.role)
                    for p in summary.participants
                    if p.entity_id in shown_entities
                ),
                citations=tuple(dict.fromkeys(citations)),
                marking=event_marks[summary.id],
            )
        )

    brief_roles = []
    for role in sorted(roles, key=lambda r: (r.published or date.min, r.title, r.report_id)):
        number = sources.number(role.report_id)
        if number is None:
            continue
        brief_roles.append(
            BriefRole(
                role.title,
                role.organization if role.organization_id in shown_entities else None,
                role.country if role.country_id in shown_entities else None,
                role.published,
                Citation(number, " ".join(role.evidence.split())),
            )
        )

    brief_aliases = []
    for alias in aliases:
        numbers = tuple(sorted(n for n in (sources.number(i) for i in alias.report_ids) if n is not None))
        if (
            len(numbers) == len(alias.report_ids)
            and numbers
            and subject
            and alias.alias != subject.summary.name
        ):
            brief_aliases.append(BriefAlias(alias.alias, alias.language, numbers))

    comparisons = _comparisons(brief_events, event_details, sources, shown_entities)
    places = _places(store, collection_id, subject, brief_events, brief_roles, roles, shown_entities)
    nodes, edges = _graph(subject, brief_events, brief_roles, roles, shown_entities)

    cited = {c.number for e in brief_events for c in e.citations}
    cited |= {r.citation.number for r in brief_roles}
    cited |= {n for a in brief_aliases for n in a.numbers}
    cited |= {f.citation.number for c in comparisons for f in c.figures}
    used = sorted((s for s in sources.by_id.values() if s.number in cited), key=lambda s: s.number)
    renumber = {s.number: position for position, s in enumerate(used, start=1)}
    final_sources = tuple(
        BriefSource(renumber[s.number], s.report_id, s.title, s.source, s.url, s.published, s.tlp)
        for s in used
    )
    brief_events = [_renumber_event(e, renumber) for e in brief_events]
    brief_roles = [
        BriefRole(
            r.title,
            r.organization,
            r.country,
            r.published,
            Citation(renumber[r.citation.number], r.citation.sentence),
        )
        for r in brief_roles
    ]
    brief_aliases = [
        BriefAlias(a.alias, a.language, tuple(renumber[n] for n in a.numbers)) for a in brief_aliases
    ]
    comparisons = [
        FigureComparison(
            c.event_id,
            c.event_label,
            c.unit,
            c.period,
            c.conflicting,
            tuple(
                BriefFigure(
                    f.subject,
                    f.value,
                    f.qualifier,
                    f.unit,
                    f.period,
                    Citation(renumber[f.citation.number], f.citation.sentence),
                )
                for f in c.figures
            ),
        )
        for c in comparisons
    ]

    levels = [s.tlp for s in final_sources] + [e.marking for e in brief_events]
    shown_in_brief = {p.entity_id for e in brief_events for p in e.participants} | {
        n.entity_id for n in nodes
    }
    levels += [entity_marks[i] for i in shown_in_brief if i in entity_marks]
    marking = max(levels, key=lambda level: level.rank, default=TLP.CLEAR)
    dates = [e.date for e in brief_events if e.date]
    return Brief(
        subject_kind="topic" if request.topic else ("place" if request.place else "entity"),
        subject=subject.summary.name if subject else (request.topic or "").strip().lower(),
        subject_type=subject.summary.type if subject else None,
        subject_id=subject.summary.id if subject else None,
        date_from=request.date_from,
        date_to=request.date_to,
        generated_at=(now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0),
        prepared_for=prepared_for,
        tlp_max=limit,
        marking=marking,
        recipients=_red_recipients(store, collection_id, final_sources),
        figures=BriefFigures(
            reports=len(final_sources),
            events=len(brief_events),
            events_left_out=left_out,
            by_event_type=tuple(
                sorted(Counter(e.type for e in brief_events).items(), key=lambda i: (-i[1], i[0]))
            ),
            first_date=min(dates) if dates else None,
            last_date=max(dates) if dates else None,
            outlets=tuple(sorted({s.source for s in final_sources if s.source})),
            countries=tuple(c.name for c in places.countries),
        ),
        events=tuple(brief_events),
        roles=tuple(brief_roles),
        aliases=tuple(brief_aliases),
        comparisons=tuple(comparisons),
        places=places,
        graph_nodes=nodes,
        graph_edges=edges,
        sources=final_sources,
        instance=settings.organization_name,
    )


def _red_recipients(store: Store, collection_id: str, sources: Sequence[BriefSource]) -> tuple[str, ...]:
    """Who may read a brief citing TLP:RED sources: the organisations every one of them names."""
    common: set[str] | None = None
    for source in sources:
        if source.tlp is TLP.RED:
            detail = store.readable_report(collection_id, source.report_id)
            named = set(detail.recipients) if detail is not None else set()
            common = named if common is None else common & named
    return tuple(sorted(common or ()))


def _renumber_event(event: BriefEvent, renumber: dict[int, int]) -> BriefEvent:
    return BriefEvent(
        event.id,
        event.date,
        event.type,
        event.plover,
        event.plover_mode,
        event.cameo,
        event.place,
        event.place_id,
        event.participants,
        tuple(Citation(renumber[c.number], c.sentence) for c in event.citations),
        event.marking,
    )


def _event_label(event: BriefEvent) -> str:
    return f"{event.date or 'undated'} · {event.type}" + (f" · {event.place}" if event.place else "")


def _comparisons(
    events: Sequence[BriefEvent],
    details: Sequence[ReadableEventDetail],
    sources: _Sources,
    shown_entities: set[str],
) -> list[FigureComparison]:
    """The figures each event's sources give, grouped as the event page groups them, conflicts first."""
    by_id = {d.summary.id: d for d in details}
    result: list[FigureComparison] = []
    for event in events:
        detail = by_id.get(event.id)
        if detail is None:
            continue
        repeated = {
            s.report_id
            for s in detail.sources
            if s.copy_of and s.copy_of in {o.report_id for o in detail.sources}
        }
        records: list[ClaimRecord] = []
        readable: dict[int, ReadableClaim] = {}
        for claim in detail.claims:
            if claim.report_id in repeated or sources.number(claim.report_id) is None:
                continue
            record = claim.record()
            records.append(record)
            readable[id(record)] = claim
        for group in services.compare_figures(records):
            figures = []
            for record in group.records:
                claim = readable[id(record)]
                number = sources.number(claim.report_id)
                assert number is not None
                # without a stored subject, the words of the (cited) report stand in
                shown = claim.subject_id is None or claim.subject_id in shown_entities
                figures.append(
                    BriefFigure(
                        claim.subject if shown else None,
                        claim.value,
                        claim.qualifier,
                        claim.unit,
                        claim.period,
                        Citation(number, " ".join(claim.evidence.split())),
                    )
                )
            result.append(
                FigureComparison(
                    event.id, _event_label(event), group.unit, group.period, group.conflicting, tuple(figures)
                )
            )
    return sorted(result, key=lambda c: (not c.conflicting, c.event_label, c.unit, c.period or ""))


def _places(
    store: Store,
    collection_id: str,
    subject: ReadableEntityDetail | None,
    events: Sequence[BriefEvent],
    brief_roles: Sequence[BriefRole],
    roles: Sequence[ReadableRole],
    shown_entities: set[str],
) -> MapData:
    """Where: the subject when it is a place, its events' places and place participants, and the
    countries of its cited roles — those the brief may name."""
    ids: set[str] = set()
    if subject is not None and subject.summary.type in PLACE_TYPES:
        ids.add(subject.summary.id)
    for role in _cited(roles, brief_roles):
        if role.country_id:
            ids.add(role.country_id)
    for event in events:
        ids.update(p.entity_id for p in event.participants if p.type in PLACE_TYPES)
        if event.place_id:
            ids.add(event.place_id)
    found = store.readable_places(collection_id, {i for i in ids if i in shown_entities})
    return map_data(LinkedPlace(p.entity_id, p.name, p.type, p.attributes) for p in found)


def _cited(roles: Sequence[ReadableRole], brief_roles: Sequence[BriefRole]) -> list[ReadableRole]:
    """The roles the brief states (those of a source it may cite)."""
    cited = {(r.title, r.citation.sentence) for r in brief_roles}
    return [role for role in roles if (role.title, " ".join(role.evidence.split())) in cited]


def _graph(
    subject: ReadableEntityDetail | None,
    events: Sequence[BriefEvent],
    brief_roles: Sequence[BriefRole],
    roles: Sequence[ReadableRole],
    shown_entities: set[str],
) -> tuple[tuple[GraphNode, ...], tuple[GraphEdge, ...]]:
    """The subject at the centre and who it shares events with (and the organisations of its roles),
    each edge labelled by the number of events shared."""
    if subject is None:
        return (), ()
    centre = subject.summary
    known: dict[str, tuple[str, str]] = {}
    shared: Counter[str] = Counter()
    for event in events:
        for participant in event.participants:
            if participant.entity_id != centre.id:
                known[participant.entity_id] = (participant.name, participant.type)
                shared[participant.entity_id] += 1
    held: dict[str, set[str]] = {}
    for role in _cited(roles, brief_roles):
        if role.organization_id and role.organization and role.organization_id in shown_entities:
            known.setdefault(role.organization_id, (role.organization, "organization"))
            held.setdefault(role.organization_id, set()).add(role.title)
    ranked = sorted(known, key=lambda i: (-(shared[i] + len(held.get(i, ()))), known[i][0].casefold(), i))[
        :GRAPH_NEIGHBOURS
    ]
    nodes = [GraphNode(centre.id, centre.name, centre.type, True)]
    nodes += [GraphNode(i, known[i][0], known[i][1], False) for i in ranked]
    edges = []
    for i in ranked:
        parts = []
        if shared[i]:
            parts.append(f"{shared[i]} event{'s' if shared[i] != 1 else ''}")
        if held.get(i):
            parts.append(", ".join(sorted(held[i])))
        edges.append(GraphEdge(centre.id, i, shared[i], " · ".join(parts)))
    return tuple(nodes), tuple(edges)
