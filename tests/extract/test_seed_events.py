"""Events, times and figures on the seed report (read from ../shared/seeds), with no metadata given."""

from __future__ import annotations

from datetime import date

import pytest

from liaison.domain import Event, EventStatus, Extraction, Report
from liaison.extract import Extractor

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def seed(extractor: Extractor, seed_text: str) -> Extraction:
    return extractor.extract(Report(text=seed_text))


def names(seed: Extraction, event: Event) -> set[str]:
    by_id = {e.id: e.name for e in seed.entities}
    return {by_id.get(p.entity, p.entity) for p in event.participants}


def place(seed: Extraction, event: Event) -> str | None:
    return {e.id: e.name for e in seed.entities}.get(event.location or "")


def test_publication_date_is_inferred_and_flagged(seed: Extraction) -> None:
    assert seed.report.published == date(2022, 9, 20)
    assert seed.report.published_inferred is True


def test_the_rabat_meeting(seed: Extraction) -> None:
    [meeting] = [e for e in seed.events if e.plover == "CONSULT" and place(seed, e) == "Rabat"]
    assert meeting.status is EventStatus.OCCURRED
    assert meeting.date is not None and meeting.date.value == "2022-09-19"
    assert {"Abdellatif Hammouchi", "Avril Haines"} <= names(seed, meeting)
    assert {"terrorism", "organised_crime", "cybercrime", "cross_border_crime"} <= set(meeting.topics)
    for evidence in meeting.evidence:
        assert seed.report.text[evidence.start : evidence.end] == evidence.text


def test_the_june_trip_to_the_united_states(seed: Extraction) -> None:
    [trip] = [e for e in seed.events if e.date is not None and e.date.value == "2022-06"]
    assert trip.plover == "CONSULT" and place(seed, trip) == "Washington"
    assert {"Abdellatif Hammouchi", "Avril Haines", "William Burns", "Christopher Wray"} <= names(seed, trip)


def test_recognition_accords_and_exercises(seed: Extraction) -> None:
    by_date = {e.date.value: e for e in seed.events if e.date is not None}
    assert by_date["2020-12"].cameo == "054" and "Morocco" in names(seed, by_date["2020-12"])
    accords = by_date["2020-09"]
    assert accords.plover == "AGREE" and {"Bahrain", "United Arab Emirates"} <= names(seed, accords)
    assert any(e.cameo == "062" and "United States" in names(seed, e) for e in seed.events)


def test_no_occurred_event_for_the_hoped_for_meetings(seed: Extraction) -> None:
    hoped = seed.report.text.index("It is hoped")
    sentence_end = seed.report.text.index(".", hoped)
    for event in seed.events:
        for evidence in event.evidence:
            if evidence.start <= hoped < evidence.end or hoped <= evidence.start < sentence_end:
                assert event.status is not EventStatus.OCCURRED


def test_the_cyber_attacks_claim(seed: Extraction) -> None:
    by_id = {e.id: e.name for e in seed.entities}
    found = [c for c in seed.claims if c.value == 500]
    assert found, seed.claims
    claim = found[0]
    assert claim.qualifier == "more than" and "cyber attack" in claim.unit and claim.period == "2021"
    assert by_id.get(claim.subject) == "DGSSI"


def test_times_are_normalised_against_the_inferred_date(seed: Extraction) -> None:
    values = {t.text: t.value for t in seed.times}
    assert values.get("Monday") == "2022-09-19"
    assert values.get("mid-June") == "2022-06"
    assert values.get("December 2020") == "2020-12"
    assert values.get("two days") == "P2D"
