"""Event triggers and participants scored on MEANTIME: the gold reader, the arithmetic, the real pipeline."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from liaison.domain import (
    Entity,
    EntityType,
    Event,
    EventStatus,
    Extraction,
    Mention,
    Participant,
    Report,
)
from liaison.errors import InputError
from liaison.evaluation.meantime_events import (
    ClassRecall,
    LinkRecall,
    Score,
    evaluate_event_documents,
    evaluate_meantime_events,
    format_event_table,
    read_meantime_event_directory,
    read_meantime_events,
)
from liaison.extract import Extractor

MEANTIME = Path(__file__).resolve().parents[3] / "shared" / "data" / "meantime-en-dev"
AIRBUS_JOB_CUTS = MEANTIME / "corpus_airbus" / "61389_Airbus_announces_job_cuts_of_10,000.xml"


def test_one_real_article() -> None:
    document = read_meantime_events(AIRBUS_JOB_CUTS)
    assert document.dct == date(2007, 2, 28)
    assert document.annotated_end == document.sentences[5][1]
    # The 15 EVENT_MENTIONs with a pred attribute (m_id 77 has pred=""); the 5 cross-document
    # mentions without one (m_id 80, 95, 96, 104, 105) are left out.
    mentions = [(e.m_id, document.text[e.start : e.end], e.event_class) for e in document.events]
    assert mentions == [
        ("27", "announces", "SPEECH_COGNITIVE"),
        ("28", "job cuts", "OTHER"),
        ("29", "announced", "SPEECH_COGNITIVE"),
        ("30", "job cuts", "OTHER"),
        ("40", "news", "OTHER"),
        ("31", "comes", "GRAMMATICAL"),
        ("32", "starts", "GRAMMATICAL"),
        ("33", "programme", "OTHER"),
        ("77", "is", "UNKNOWN"),  # no REFERS_TO to an EVENT instance
        ("35", "efficient", "OTHER"),
        ("34", "said", "SPEECH_COGNITIVE"),
        ("36", "expects", "SPEECH_COGNITIVE"),
        ("37", "cut", "OTHER"),
        ("38", "cuts", "OTHER"),
        ("39", "made", "GRAMMATICAL"),
    ]
    assert [e.pred for e in document.events][:3] == ["announce", "job cut", "announce"]
    assert [e.sentence for e in document.events] == [0, 0, 2, 2, 3, 3, 3, 3, 3, 3, 4, 4, 4, 5, 5]
    # Every anchored token slices exactly to its text in the XML.
    root = ET.parse(AIRBUS_JOB_CUTS).getroot()
    words = {token.get("t_id"): (token.text or "").strip() for token in root.iter("token")}
    anchored = {
        element.get("m_id"): [words[a.get("t_id")] for a in element.findall("token_anchor")]
        for element in root.iter("EVENT_MENTION")
    }
    for event in document.events:
        assert [document.text[s:e] for s, e in event.tokens] == anchored[event.m_id]
    # 19 HAS_PARTICIPANT links, all to entity mentions.
    assert len(document.participants) == 19 and document.skipped_links == 0
    assert Counter(p.role for p in document.participants) == {
        "Arg0": 8, "Arg1": 5, "Argm-LOC": 4, "Argm-OTHER": 2,
    }  # fmt: skip
    assert sum(p.named for p in document.participants) == 10
    said = [(p.role, document.text[p.start : p.end]) for p in document.participants if p.event == "34"]
    assert said == [("Arg0", "Louis Gallois , the Airbus chief executive")]


def test_the_whole_development_half() -> None:
    documents = read_meantime_event_directory(MEANTIME)
    assert len(documents) == 60
    assert sum(len(d.events) for d in documents) == 996
    assert Counter(e.event_class for d in documents for e in d.events) == {
        "OTHER": 716, "SPEECH_COGNITIVE": 135, "GRAMMATICAL": 127, "MIX": 12, "UNKNOWN": 6,
    }  # fmt: skip
    assert sum(len(d.participants) for d in documents) == 1079
    assert sum(d.skipped_links for d in documents) == 20  # links to VALUE markables
    for document in documents:
        for event in document.events:
            assert event.end <= document.annotated_end
            for start, end in event.tokens:
                word = document.text[start:end]
                assert word and word == word.strip() and "\n" not in word


# A tiny file: sentences 0-5 are the annotated window, sentence 6 lies outside it.
SMALL = """<Document doc_name="small">
<token t_id="1" sentence="0">Russia</token><token t_id="2" sentence="0">accuses</token>
<token t_id="3" sentence="0">Ukraine</token>
<token t_id="4" sentence="1">March</token><token t_id="5" sentence="1">1</token>
<token t_id="6" sentence="1">,</token><token t_id="7" sentence="1">2022</token>
<token t_id="8" sentence="2">Lavrov</token><token t_id="9" sentence="2">met</token>
<token t_id="10" sentence="2">Kuleba</token><token t_id="11" sentence="2">in</token>
<token t_id="12" sentence="2">Antalya</token><token t_id="13" sentence="2">and</token>
<token t_id="14" sentence="2">signed</token><token t_id="15" sentence="2">a</token>
<token t_id="16" sentence="2">deal</token><token t_id="17" sentence="2">.</token>
<token t_id="18" sentence="3">Talks</token><token t_id="19" sentence="3">ended</token>
<token t_id="20" sentence="3">.</token>
<token t_id="21" sentence="4">X</token><token t_id="22" sentence="5">Y</token>
<token t_id="23" sentence="6">More</token><token t_id="24" sentence="6">talks</token>
<Markables>
<ENTITY_MENTION m_id="1" syntactic_type="NAM"><token_anchor t_id="1"/></ENTITY_MENTION>
<ENTITY_MENTION m_id="2" syntactic_type="NAM"><token_anchor t_id="3"/></ENTITY_MENTION>
<ENTITY_MENTION m_id="3" syntactic_type="NAM"><token_anchor t_id="8"/></ENTITY_MENTION>
<ENTITY_MENTION m_id="4" syntactic_type="NAM"><token_anchor t_id="10"/></ENTITY_MENTION>
<ENTITY_MENTION m_id="5" syntactic_type="NAM"><token_anchor t_id="12"/></ENTITY_MENTION>
<ENTITY_MENTION m_id="6" syntactic_type=""><token_anchor t_id="15"/><token_anchor t_id="16"/>
</ENTITY_MENTION>
<EVENT_MENTION m_id="11" pred="accuse" pos="VERB"><token_anchor t_id="2"/></EVENT_MENTION>
<EVENT_MENTION m_id="12" pred="meet" pos="VERB"><token_anchor t_id="9"/></EVENT_MENTION>
<EVENT_MENTION m_id="13" pred="sign" pos="VERB"><token_anchor t_id="14"/></EVENT_MENTION>
<EVENT_MENTION m_id="14" pred="" pos=""><token_anchor t_id="16"/></EVENT_MENTION>
<EVENT_MENTION m_id="15" pred="end" pos="VERB"><token_anchor t_id="19"/></EVENT_MENTION>
<EVENT_MENTION m_id="16" pred="talk" pos="NOUN"><token_anchor t_id="18"/></EVENT_MENTION>
<EVENT_MENTION m_id="17" pred="" pos=""><token_anchor t_id="9"/><token_anchor t_id="14"/></EVENT_MENTION>
<EVENT_MENTION m_id="18"><token_anchor t_id="9"/></EVENT_MENTION>
<EVENT_MENTION m_id="19"><token_anchor t_id="24"/></EVENT_MENTION>
<TIMEX3 m_id="20" functionInDocument="CREATION_TIME" type="DATE" value="2022-03-01">
<token_anchor t_id="4"/><token_anchor t_id="5"/><token_anchor t_id="6"/><token_anchor t_id="7"/></TIMEX3>
<VALUE m_id="21" type="QUANTITY"><token_anchor t_id="7"/></VALUE>
<EVENT m_id="31" class="OTHER"/><EVENT m_id="32" class="GRAMMATICAL"/>
<EVENT m_id="33" class="SPEECH_COGNITIVE"/><EVENT m_id="34" class="MIX"/>
</Markables>
<Relations>
<REFERS_TO r_id="1"><source m_id="11"/><source m_id="12"/><source m_id="13"/><target m_id="31"/></REFERS_TO>
<REFERS_TO r_id="2"><source m_id="15"/><target m_id="32"/></REFERS_TO>
<REFERS_TO r_id="3"><source m_id="16"/><target m_id="33"/></REFERS_TO>
<REFERS_TO r_id="4"><source m_id="17"/><target m_id="34"/></REFERS_TO>
<HAS_PARTICIPANT r_id="10" sem_role="Arg0"><source m_id="11"/><target m_id="1"/></HAS_PARTICIPANT>
<HAS_PARTICIPANT r_id="11" sem_role="Arg1"><source m_id="11"/><target m_id="2"/></HAS_PARTICIPANT>
<HAS_PARTICIPANT r_id="12" sem_role="Arg0"><source m_id="12"/><target m_id="3"/></HAS_PARTICIPANT>
<HAS_PARTICIPANT r_id="13" sem_role="Arg1"><source m_id="12"/><target m_id="4"/></HAS_PARTICIPANT>
<HAS_PARTICIPANT r_id="14" sem_role="Argm-LOC"><source m_id="12"/><target m_id="5"/></HAS_PARTICIPANT>
<HAS_PARTICIPANT r_id="15" sem_role="Arg0"><source m_id="12"/><target m_id="3"/></HAS_PARTICIPANT>
<HAS_PARTICIPANT r_id="16" sem_role="Arg0"><source m_id="13"/><target m_id="3"/></HAS_PARTICIPANT>
<HAS_PARTICIPANT r_id="17" sem_role="Arg1"><source m_id="13"/><target m_id="6"/></HAS_PARTICIPANT>
<HAS_PARTICIPANT r_id="18" sem_role="Arg2"><source m_id="13"/><target m_id="21"/></HAS_PARTICIPANT>
<HAS_PARTICIPANT r_id="19" sem_role="Arg0"><source m_id="14"/><target m_id="3"/></HAS_PARTICIPANT>
<HAS_PARTICIPANT r_id="20" sem_role="Arg0"><source m_id="18"/><target m_id="3"/></HAS_PARTICIPANT>
</Relations></Document>"""

SMALL_TEXT = (
    "Russia accuses Ukraine\nMarch 1 , 2022\nLavrov met Kuleba in Antalya and signed a deal .\n"
    "Talks ended .\nX\nY\nMore talks"
)


def _at(words: str) -> tuple[int, int]:
    """The span of the first occurrence of ``words`` as whole words."""
    match = re.search(rf"\b{re.escape(words)}\b", SMALL_TEXT)
    assert match is not None, words
    return match.span()


def _entity(entity_type: EntityType, name: str) -> Entity:
    start, end = _at(name)
    sentence = SMALL_TEXT[:start].count("\n")
    return Entity(entity_type, name, (Mention(start, end, name, sentence),))


RUSSIA = _entity(EntityType.COUNTRY, "Russia")
UKRAINE = _entity(EntityType.COUNTRY, "Ukraine")
LAVROV = _entity(EntityType.PERSON, "Lavrov")
KULEBA = _entity(EntityType.PERSON, "Kuleba")
ANTALYA = _entity(EntityType.LOCATION, "Antalya")


def _event(triggers: list[str], *participants: Entity, location: Entity | None = None) -> Event:
    spans = tuple(_at(trigger) for trigger in triggers)
    return Event(
        type="test",
        plover="CONSULT",
        plover_mode=None,
        cameo=None,
        date=None,
        location=location.id if location else None,
        participants=tuple(Participant(p.id, "actor") for p in participants),
        topics=(),
        status=EventStatus.OCCURRED,
        evidence=(),
        confidence=0.9,
        triggers=spans,
    )


class FakeExtractor:
    """Returns fixed events, and remembers the reports it was given."""

    def __init__(self) -> None:
        self.reports: list[Report] = []

    def extract(self, report: Report) -> Extraction:
        self.reports.append(report)
        events = (
            _event(["accuses"], RUSSIA, UKRAINE),  # exact: gold 11
            _event(["accuses"]),  # the same trigger in a second event: one predicted span
            # "met" exact (gold 12) and "Talks" exact (gold 16); Russia is only mentioned in sentence 0,
            # outside this event's sentences, so it is not scored; Antalya is its location.
            _event(["met", "Talks"], LAVROV, KULEBA, RUSSIA, location=ANTALYA),
            # overlaps gold 13 "signed", 14 "deal" and the coordination 17 "met ... signed": only one pair
            _event(["signed a deal"], LAVROV, KULEBA),
            _event(["in"], ANTALYA),  # inside the span of gold 17 but on none of its tokens: no match
            _event(["talks"], LAVROV),  # after the annotated window: not scored
        )
        entities = (RUSSIA, UKRAINE, LAVROV, KULEBA, ANTALYA)
        return Extraction(report=report, sentences=(), entities=entities, events=events)


def test_a_small_hand_made_file(tmp_path: Path) -> None:
    path = tmp_path / "small.xml"
    path.write_text(SMALL, encoding="utf-8")
    document = read_meantime_events(path)
    assert document.text == SMALL_TEXT
    assert document.dct == date(2022, 3, 1)
    assert document.annotated_end == SMALL_TEXT.index("\nMore")
    assert [(e.m_id, e.event_class) for e in document.events] == [
        ("11", "OTHER"), ("12", "OTHER"), ("17", "MIX"), ("13", "OTHER"), ("14", "UNKNOWN"),
        ("16", "SPEECH_COGNITIVE"), ("15", "GRAMMATICAL"),
    ]  # fmt: skip
    coordination = document.events[2]
    assert (coordination.start, coordination.end) == (_at("met")[0], _at("signed")[1])
    assert coordination.tokens == (_at("met"), _at("signed"))
    # duplicate 12 -> 3 counted once, 13 -> VALUE skipped, 18 (no pred) ignored
    assert [(p.event, p.target, p.role, p.named) for p in document.participants] == [
        ("11", "1", "Arg0", True), ("11", "2", "Arg1", True), ("12", "3", "Arg0", True),
        ("12", "4", "Arg1", True), ("12", "5", "Argm-LOC", True), ("13", "3", "Arg0", True),
        ("13", "6", "Arg1", False), ("14", "3", "Arg0", True),
    ]  # fmt: skip
    assert document.skipped_links == 1

    extractor = FakeExtractor()
    result = evaluate_event_documents([document], extractor, corpus="small")
    assert extractor.reports == [Report(text=SMALL_TEXT, language="en", published=date(2022, 3, 1))]
    (item,) = result.documents
    assert item.predicted == (_at("accuses"), _at("met"), _at("in"), _at("signed a deal"), _at("Talks"))
    assert item.pairs == {
        "11": _at("accuses"),
        "12": _at("met"),
        "13": _at("signed a deal"),
        "16": _at("Talks"),
    }

    # Triggers: 7 gold, 5 predicted; 3 exact; 4 paired by overlap.
    assert result.triggers_strict == Score(gold=7, predicted=5, found=3, correct=3)
    assert result.triggers_relaxed == Score(gold=7, predicted=5, found=4, correct=4)
    assert (result.triggers_relaxed.precision, result.triggers_relaxed.recall) == (0.8, 4 / 7)
    assert result.by_class == {
        "OTHER": ClassRecall(3, 2, 3),
        "GRAMMATICAL": ClassRecall(1, 0, 0),
        "MIX": ClassRecall(1, 0, 0),
        "SPEECH_COGNITIVE": ClassRecall(1, 1, 1),
        "UNKNOWN": ClassRecall(1, 0, 0),
    }

    # Participants. Predicted pairs: accuses {Russia, Ukraine}, met/Talks {Lavrov, Kuleba, Antalya},
    # signed a deal {Lavrov, Kuleba}, in {Antalya}. The first three events are matched (7 pairs), and
    # all their pairs but Kuleba for "signed" are correct. Gold links: 8, of which 7 belong to matched
    # mentions (not 14 "deal" -> Lavrov); all are found but 13 -> "a deal" (Liaison has no entity there).
    assert result.participants == Score(gold=7, predicted=7, found=6, correct=6)
    assert result.participants_end_to_end == Score(gold=8, predicted=8, found=6, correct=6)
    assert result.participants.precision == pytest.approx(6 / 7)
    assert result.participants_end_to_end.recall == 0.75
    assert result.by_role == {
        "Arg0": LinkRecall(4, 3, 3),
        "Arg1": LinkRecall(3, 3, 2),
        "Argm-LOC": LinkRecall(1, 1, 1),
    }
    assert result.named == LinkRecall(7, 6, 6)
    assert result.skipped_links == 1

    table = format_event_table(result).splitlines()
    assert table[0].startswith("Events on small: 1 documents, 7 gold event mentions, 5 predicted triggers")
    assert "| triggers strict | 7 | 3 | 5 | 3 | 0.600 | 0.429 | 0.500 |" in table
    assert "| triggers relaxed | 7 | 4 | 5 | 4 | 0.800 | 0.571 | 0.667 |" in table
    assert "| participants (matched events) | 7 | 6 | 7 | 6 | 0.857 | 0.857 | 0.857 |" in table
    assert "| participants end to end | 8 | 6 | 8 | 6 | 0.750 | 0.750 | 0.750 |" in table
    assert "| OTHER | 3 | 0.667 | 1.000 |" in table
    assert "| Arg1 | 3 | 3 | 2 | 0.667 | 0.667 |" in table
    assert "| named targets | 7 | 6 | 6 | 1.000 | 0.857 |" in table


def test_no_events_scores_zero(tmp_path: Path) -> None:
    class Nothing:
        def extract(self, report: Report) -> Extraction:
            return Extraction(report=report, sentences=(), entities=())

    path = tmp_path / "small.xml"
    path.write_text(SMALL, encoding="utf-8")
    result = evaluate_meantime_events(tmp_path, Nothing())
    assert result.triggers_relaxed == Score(gold=7)
    assert result.participants == Score()
    assert result.participants_end_to_end == Score(gold=8)
    assert (result.triggers_relaxed.precision, result.participants.f1) == (0.0, 0.0)


def test_bad_inputs_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a directory"):
        evaluate_meantime_events(tmp_path / "nowhere", FakeExtractor())
    with pytest.raises(InputError, match=r"no MEANTIME \.xml files"):
        evaluate_meantime_events(tmp_path, FakeExtractor())
    dangling = tmp_path / "dangling.xml"
    dangling.write_text(
        "<Document><token t_id='1' sentence='0'>A</token><Markables>"
        "<EVENT_MENTION m_id='7' pred='a'><token_anchor t_id='9'/></EVENT_MENTION>"
        "</Markables></Document>",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"m_id=7 anchors unknown tokens \['9'\]"):
        read_meantime_events(dangling)


@pytest.mark.model
@pytest.mark.slow
def test_the_real_pipeline_on_the_development_half(extractor: Extractor) -> None:
    result = evaluate_meantime_events(MEANTIME, extractor)
    assert len(result.documents) == 60
    assert result.triggers_strict.gold == 996
    assert result.triggers_relaxed.found >= 1
    assert result.triggers_relaxed.found >= result.triggers_strict.found
    for score in (
        result.triggers_strict,
        result.triggers_relaxed,
        result.participants,
        result.participants_end_to_end,
    ):
        for value in (score.precision, score.recall, score.f1):
            assert 0.0 <= value <= 1.0
    assert "| triggers relaxed |" in format_event_table(result)
