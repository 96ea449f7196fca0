"""Small hand-made extractions for the sharing tests that need no NLP model: a person with a title in an
organisation, a country, a group arrested there, and a figure — in a report of any TLP level."""

from __future__ import annotations

from datetime import date

from liaison.domain import (
    TLP,
    Claim,
    Entity,
    EntityType,
    Event,
    EventDate,
    EventStatus,
    Evidence,
    Extraction,
    Marking,
    Mention,
    Participant,
    Report,
    Role,
    Sentence,
)
from liaison.resolve import EventResolution
from liaison.store import Store


def report_extraction(
    tag: str,
    tlp: TLP,
    person: str = "Mike Burgess",
    organization: str = "Europol",
    country: str = "France",
    group: str = "LockBit",
    recipients: tuple[str, ...] = (),
    servers: int = 34,
) -> Extraction:
    """A report (unique by ``tag``) where ``person``, director of ``organization``, sees ``group``
    arrested in ``country``, and ``servers`` servers are seized."""
    text = (
        f"{person}, director of {organization}, spoke in {country}. "
        f"{organization} arrested {group} members on Tuesday. Police seized {servers} servers. Ref {tag}."
    )
    report = Report(
        text=text,
        title=f"Report {tag}",
        source="Wire",
        url=f"https://wire.example/{tag}",
        published=date(2024, 2, 20),
        language="en",
        marking=Marking(tlp, recipients),
        origin=f"{tag}.txt",
    )
    first_end = text.index(". ") + 1
    sentences = (Sentence(0, 0, first_end, "en"), Sentence(1, first_end + 1, len(text), "en"))

    def mentions_of(word: str) -> tuple[Mention, ...]:
        found, start = [], text.find(word)
        while start >= 0:
            found.append(Mention(start, start + len(word), word, 0 if start < first_end else 1, "X", "en"))
            start = text.find(word, start + len(word))
        return tuple(found)

    def evidence(phrase: str) -> Evidence:
        start = text.index(phrase)
        return Evidence(report.id, start, start + len(phrase), phrase, 0 if start < first_end else 1)

    people = Entity(EntityType.PERSON, person, mentions_of(person))
    agency = Entity(EntityType.ORGANIZATION, organization, mentions_of(organization))
    place = Entity(
        EntityType.COUNTRY,
        country,
        mentions_of(country),
        attributes={"country_code": "FR", "place_kind": "country"},
    )
    gang = Entity(EntityType.ORGANIZATION, group, mentions_of(group))
    role = Role(people.id, "director", agency.id, None, evidence(f"{person}, director of {organization}"))
    arrest = Event(
        type="arrest",
        plover="COERCE",
        plover_mode="arrest",
        cameo="173",
        date=EventDate("2024-02-20", "day", "Tuesday"),
        location=place.id,
        participants=(Participant(agency.id, "actor"), Participant(gang.id, "recipient")),
        topics=("cybercrime",),
        status=EventStatus.OCCURRED,
        evidence=(evidence(f"{organization} arrested {group} members on Tuesday."),),
        confidence=0.8,
    )
    figure = Claim(gang.id, float(servers), None, "servers", None, evidence(f"{servers} servers"))
    return Extraction(
        report,
        sentences,
        (people, agency, place, gang),
        roles=(role,),
        events=(arrest,),
        claims=(figure,),
        topics=("cybercrime",),
        pipeline_version="test/1",
    )


def save(store: Store, extraction: Extraction, same_event_as: Extraction | None = None) -> None:
    """Store an extraction; its event joins ``same_event_as``'s event when given."""
    resolutions = {}
    if same_event_as is not None:
        mine, theirs = extraction.events[0].id, same_event_as.events[0].id
        resolutions[mine] = EventResolution(mine, theirs, "same arrest", 1.0)
    assert store.save_extraction(extraction, event_resolutions=resolutions)
